// Copies a finished job's `junit:` and `artifacts:` files out of its upper layer.
// Only regular files are copied and no symlink is followed, so a job cannot make cubicle
// read or write a host file by planting a link where a report should be.
// The files' sizes are the job's too: a sparse file of 1 TB costs the job nothing under its
// `disk:` limit, and a plain copy would write the whole terabyte of zeros to the host. So the
// bytes a job's files take (allocated blocks, not the apparent size) are counted against a budget,
// sparse files are copied sparse (`cp --sparse=always`, which seeks over holes), and a file over
// the budget is not copied: an error of that job naming the file and the budget.
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../core/units.js';
import { copyFileBeneath, isBeneath, openDirBeneath } from '../confine/index.js';
import { PathConfinementError } from '../core/errors.js';
import { loadPicomatch } from '../core/vendor.js';
import { removeTree } from '../sandbox/remove-tree.js';

/** Bytes copied out of a job without a `disk:` limit (with one, that limit is the budget). */
export const DEFAULT_COPY_BUDGET_BYTES = 4 * 1024 * 1024 * 1024;

export interface CollectedFiles {
  /** Paths relative to the job's artifact dir. */
  readonly junitFiles: readonly string[];
  readonly artifacts: readonly string[];
  /** Matches that were not regular files (symlinks, devices): named, not copied. */
  readonly refused: readonly string[];
  /** Matches that could not be copied (over the budget, unreadable, a path too long): each names the file and why. */
  readonly failed: readonly string[];
}

export interface CollectRequest {
  readonly upper: string;
  readonly junit: readonly string[];
  readonly artifacts: readonly string[];
  readonly destination: string;
  /** Below this dir (the checkout), no component of `destination` may be a symlink. */
  readonly trustedRoot?: string;
  /** Bytes the copies may take on the host, counted as allocated blocks; default DEFAULT_COPY_BUDGET_BYTES. */
  readonly budgetBytes?: number;
  /** Entries of `destination` that stay (`services`: the logs of services still running). */
  readonly keepEntries?: readonly string[];
  /** Files beneath `destination` cubicle wrote itself (service logs): a job's output of the same path is not copied over them. */
  readonly ownFiles?: readonly string[];
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
  const empty = { junitFiles: [], artifacts: [], refused: [], failed: [] };
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
  const failed: string[] = [];
  const budget = request.budgetBytes ?? DEFAULT_COPY_BUDGET_BYTES;
  let spent = 0;
  const { root, rel } = destinationBeneath(request.destination, request.trustedRoot);
  const notDone = 'cubicle does not write reports or artifacts through it: nothing was copied';
  await clearDestination(root, rel, request.keepEntries ?? [], notDone);
  for (const { relative, kind } of walk(request.upper, '')) {
    const wanted = isJunit(relative) || isArtifact(relative);
    if (!wanted || kind === 'whiteout') continue;
    if (kind === 'unreadable') {
      failed.push(`${relative}/: a directory cubicle cannot read (its mode, or a path longer than the system allows)`);
      continue;
    }
    if (kind !== 'file') {
      refused.push(relative);
      continue;
    }
    if (request.ownFiles?.includes(relative)) {
      failed.push(`${relative}: not copied: that path holds cubicle's own log of the job's service; write the job's file under another name`);
      continue;
    }
    try {
      const stat = await fs.promises.lstat(path.join(request.upper, relative));
      const allocated = Math.min(stat.size, stat.blocks * 512);
      if (spent + allocated > budget) {
        const size = allocated < stat.size ? `${formatBytes(allocated)} on disk, ${formatBytes(stat.size)} apparent` : formatBytes(allocated);
        const over = `over the ${formatBytes(budget)} a job's files may take when copied out (${formatBytes(spent)} already were)`;
        failed.push(`${relative}: not copied: ${size}, ${over}`);
        continue;
      }
      copyFileBeneath(request.upper, relative, root, `${rel}/${relative}`, { notDone, sparse: allocated < stat.size });
      spent += allocated;
    } catch (error) {
      if (error instanceof PathConfinementError) {
        refused.push(relative);
        continue;
      }
      failed.push(`${relative}: not copied: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      continue;
    }
    if (isJunit(relative)) junitFiles.push(relative);
    if (isArtifact(relative)) artifacts.push(relative);
  }
  return { junitFiles, artifacts, refused, failed };
}

/**
 * The previous run's files go; a running service's log (kept) stays. The dir is opened without
 * following a link; what is in it goes by removeTree (any depth, any modes), reached through the
 * open dir's fd. Not there yet: nothing to clear (it is made, beneath its root, with the first copy).
 */
async function clearDestination(root: string, rel: string, keep: readonly string[], notDone: string): Promise<void> {
  let fd: number;
  try {
    fd = openDirBeneath(root, rel.split('/').filter(Boolean), { rel, notDone });
  } catch (error) {
    // ENOENT of a component (a PathConfinementError's cause) or of the root itself (not made yet either).
    const code = (error instanceof PathConfinementError ? (error.cause as NodeJS.ErrnoException | undefined) : (error as NodeJS.ErrnoException))?.code;
    if (code === 'ENOENT') return;
    if (error instanceof PathConfinementError) throw new UnsafeDestinationError(error.message);
    throw error;
  }
  try {
    // /proc/PID, not /proc/self: removeTree may hand the path to rm, another process.
    for (const name of fs.readdirSync(`/proc/self/fd/${fd}`)) {
      if (!keep.includes(name)) await removeTree(`/proc/${process.pid}/fd/${fd}/${name}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Overlay marks a deleted file with a 0/0 character device ("whiteout"); those are not outputs. */
function* walk(root: string, relative: string): Generator<{ relative: string; kind: 'file' | 'whiteout' | 'unreadable' | 'other' }> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
  } catch {
    if (relative) yield { relative, kind: 'unreadable' };
    return;
  }
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(root, child);
    else yield { relative: child, kind: entry.isFile() ? 'file' : entry.isCharacterDevice() ? 'whiteout' : 'other' };
  }
}
