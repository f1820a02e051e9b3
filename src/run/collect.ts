// Copies a finished job's `junit:` and `artifacts:` files out of its upper layer.
// Only regular files are copied and no symlink is followed, so a job cannot make cubicle
// read or write a host file by planting a link where a report should be.
import fs from 'node:fs';
import path from 'node:path';
import { loadPicomatch } from '../vendor.js';

export interface CollectedFiles {
  /** Paths relative to the job's artifact dir. */
  readonly junitFiles: readonly string[];
  readonly artifacts: readonly string[];
  /** Matches that were not regular files (symlinks, devices): named, not copied. */
  readonly refused: readonly string[];
}

export interface CollectRequest {
  readonly upper: string;
  readonly junit: readonly string[];
  readonly artifacts: readonly string[];
  readonly destination: string;
  /** Below this dir (the checkout), no component of `destination` may be a symlink. */
  readonly trustedRoot?: string;
}

/** A checkout may ship `cubicle-artifacts` as a symlink to a host dir: never write through it. */
export class UnsafeDestinationError extends Error {}

function assertNoSymlinks(destination: string, trustedRoot: string | undefined): void {
  const relative = trustedRoot ? path.relative(trustedRoot, destination) : '';
  const inside = trustedRoot !== undefined && relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  const start = inside ? trustedRoot : path.dirname(destination);
  const parts = path.relative(start, destination).split(path.sep).filter(Boolean);
  let current = start;
  for (const part of parts) {
    current = path.join(current, part);
    const stat = fs.lstatSync(current, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) {
      throw new UnsafeDestinationError(`${current} is a symlink (to ${fs.readlinkSync(current)}); cubicle does not write reports or artifacts through it: nothing was copied`);
    }
    if (stat && !stat.isDirectory()) throw new UnsafeDestinationError(`${current} is not a directory; nothing was copied`);
  }
}

export async function collectOutputs(request: CollectRequest): Promise<CollectedFiles> {
  const empty = { junitFiles: [], artifacts: [], refused: [] };
  if (request.junit.length === 0 && request.artifacts.length === 0) return empty;
  const picomatch = await loadPicomatch();
  const matcher = (patterns: readonly string[]) => {
    const expanded = patterns.flatMap((pattern) => [pattern.replace(/^\.\//, ''), `${pattern.replace(/^\.\//, '').replace(/\/+$/, '')}/**`]);
    return expanded.length ? picomatch(expanded, { dot: true }) : () => false;
  };
  const isJunit = matcher(request.junit);
  const isArtifact = matcher(request.artifacts);
  const junitFiles: string[] = [];
  const artifacts: string[] = [];
  const refused: string[] = [];
  assertNoSymlinks(request.destination, request.trustedRoot);
  await fs.promises.rm(request.destination, { recursive: true, force: true });
  for (const { relative, kind } of walk(request.upper, '')) {
    const wanted = isJunit(relative) || isArtifact(relative);
    if (!wanted || kind === 'whiteout') continue;
    if (kind !== 'file') {
      refused.push(relative);
      continue;
    }
    const target = path.join(request.destination, relative);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.copyFile(path.join(request.upper, relative), target);
    if (isJunit(relative)) junitFiles.push(relative);
    if (isArtifact(relative)) artifacts.push(relative);
  }
  return { junitFiles, artifacts, refused };
}

/** Overlay marks a deleted file with a 0/0 character device ("whiteout"); those are not outputs. */
function* walk(root: string, relative: string): Generator<{ relative: string; kind: 'file' | 'whiteout' | 'other' }> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(root, child);
    else yield { relative: child, kind: entry.isFile() ? 'file' : entry.isCharacterDevice() ? 'whiteout' : 'other' };
  }
}
