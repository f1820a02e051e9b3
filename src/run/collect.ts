// Copies a finished job's `junit:` and `artifacts:` files out of its upper layer.
// Only regular files are copied and no symlink is followed, so a job cannot make cubicle
// read or write a host file by planting a link where a report should be.
import fs from 'node:fs';
import path from 'node:path';
import { atPath, copyFileBeneath, isBeneath, withDirBeneath } from '../confine/index.js';
import { PathConfinementError } from '../errors.js';
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
  /** Entries of `destination` that stay (`services`: the logs of services still running). */
  readonly keepEntries?: readonly string[];
}

/** A checkout may ship `cubicle-artifacts` as a symlink to a host dir: never write through it. */
export class UnsafeDestinationError extends Error {}

/** The root the destination is confined to (the checkout, or the operator's own dir) and its path there. */
export function destinationBeneath(destination: string, trustedRoot: string | undefined): { root: string; rel: string } {
  if (trustedRoot !== undefined && isBeneath(destination, trustedRoot) && path.resolve(destination) !== path.resolve(trustedRoot)) {
    return { root: trustedRoot, rel: path.relative(trustedRoot, destination) };
  }
  return { root: path.dirname(destination), rel: path.basename(destination) };
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
  const { root, rel } = destinationBeneath(request.destination, request.trustedRoot);
  const notDone = 'cubicle does not write reports or artifacts through it: nothing was copied';
  try {
    // The previous run's files go; a running service's log (kept) stays. Every dir is opened without following a link.
    withDirBeneath(root, rel, (fd) => {
      for (const name of fs.readdirSync(atPath(fd, '.'))) {
        if (!request.keepEntries?.includes(name)) fs.rmSync(atPath(fd, name), { recursive: true, force: true });
      }
    }, { notDone });
  } catch (error) {
    // Not there yet: nothing to clear (it is made, beneath its root, with the first file copied).
    const missing = error instanceof PathConfinementError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    if (error instanceof PathConfinementError && !missing) throw new UnsafeDestinationError(error.message);
    if (!missing) throw error;
  }
  for (const { relative, kind } of walk(request.upper, '')) {
    const wanted = isJunit(relative) || isArtifact(relative);
    if (!wanted || kind === 'whiteout') continue;
    if (kind !== 'file') {
      refused.push(relative);
      continue;
    }
    try {
      copyFileBeneath(request.upper, relative, root, `${rel}/${relative}`, { notDone });
    } catch (error) {
      if (!(error instanceof PathConfinementError)) throw error;
      refused.push(relative);
      continue;
    }
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
