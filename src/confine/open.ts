// Opening beneath a root without following a symlink anywhere: Node has no openat(2), so each
// dir is opened with O_DIRECTORY|O_NOFOLLOW through the previous one's /proc/self/fd/N (a walk
// of file descriptors, as the helper's O_PATH walk does in C). A component swapped for a
// symlink between checks is refused by the kernel (ELOOP), not followed.
import fs from 'node:fs';
import path from 'node:path';
import { PathConfinementError } from '../core/errors.js';
import { relativeParts } from './resolve-beneath.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/** The path of `name` inside the dir open as `fd`: lookups through it start at that very dir. */
export function atPath(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

function describeOpenError(error: unknown, where: string, rel: string, notDone: string): PathConfinementError {
  const code = (error as NodeJS.ErrnoException).code;
  // O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR, O_NOFOLLOW alone with ELOOP: say which it was.
  const stat = code === 'ENOTDIR' || code === 'ELOOP' ? fs.lstatSync(where, { throwIfNoEntry: false }) : undefined;
  if (stat?.isSymbolicLink()) {
    return new PathConfinementError(rel, `${where} is a symlink (to ${fs.readlinkSync(where)}); cubicle does not follow it`, notDone, { cause: error });
  }
  const reason =
    code === 'ELOOP'
      ? `${where} is a symlink; cubicle does not follow it`
      : code === 'ENOTDIR'
        ? `${where} is not a directory`
        : code === 'ENOENT'
          ? `${where} does not exist`
          : `${where}: ${code ?? (error as Error).message}`;
  return new PathConfinementError(rel, reason, notDone, { cause: error });
}

/**
 * The dir `parts` names beneath `root`, opened; with `create`, missing dirs are made (mode
 * `mode`) one by one. The root itself is trusted (the runner made it or its operator named it).
 */
export interface OpenDirOptions {
  readonly create?: boolean;
  readonly mode?: number;
  readonly rel?: string;
  readonly notDone?: string;
}

export function openDirBeneath(root: string, parts: readonly string[], options: OpenDirOptions = {}): number {
  const rel = options.rel ?? parts.join('/');
  const notDone = options.notDone ?? 'nothing was written';
  if (options.create) fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  let fd = fs.openSync(root, O_RDONLY | O_DIRECTORY);
  try {
    for (const [index, part] of parts.entries()) {
      if (part === '..' || part === '.' || part.includes('/')) throw new PathConfinementError(rel, `has a "${part}" component`, notDone);
      const next = atPath(fd, part);
      if (options.create) {
        try {
          fs.mkdirSync(next, { mode: options.mode ?? 0o755 });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw describeOpenError(error, path.join(root, ...parts.slice(0, index + 1)), rel, notDone);
        }
      }
      let child: number;
      try {
        child = fs.openSync(next, DIR_FLAGS);
      } catch (error) {
        throw describeOpenError(error, path.join(root, ...parts.slice(0, index + 1)), rel, notDone);
      }
      fs.closeSync(fd);
      fd = child;
    }
    return fd;
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** Runs `use` with the dir `rel` names beneath `root` open, made if missing; closes it after. */
export function withDirBeneath<T>(root: string, rel: string, use: (fd: number) => T, options: { create?: boolean; mode?: number; notDone?: string } = {}): T {
  const fd = openDirBeneath(root, relativeParts(rel, options.notDone), { ...options, rel });
  try {
    return use(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes the dirs of `rel` beneath `root` one component at a time, refusing a symlink or a file among them. */
export function makeDirsBeneath(root: string, rel: string, mode = 0o755, notDone = 'no directory was made'): string {
  withDirBeneath(root, rel, () => undefined, { create: true, mode, notDone });
  return path.join(root, ...relativeParts(rel));
}

/**
 * The regular file `rel` beneath `root`, opened read-only, with no symlink followed in any
 * component. A FIFO, device or dir is refused (opened non-blocking, so a FIFO cannot hang us).
 */
export function openFileBeneath(root: string, rel: string, notDone = 'nothing was read'): number {
  const parts = relativeParts(rel, notDone);
  const name = parts.pop();
  if (name === undefined) throw new PathConfinementError(rel, 'names no file', notDone);
  const dir = openDirBeneath(root, parts, { rel, notDone });
  let fd: number;
  try {
    fd = fs.openSync(atPath(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    throw describeOpenError(error, path.join(root, ...parts, name), rel, notDone);
  } finally {
    fs.closeSync(dir);
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw new PathConfinementError(rel, 'is not a regular file', notDone);
  }
  return fd;
}

export function readFileBeneath(root: string, rel: string, notDone?: string): Buffer {
  const fd = openFileBeneath(root, rel, notDone);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A new file `rel` beneath `root` (its dirs made), opened for writing with O_CREAT|O_EXCL|
 * O_NOFOLLOW. With `replace`, an entry of that name is unlinked first (never followed).
 */
export function createFileBeneath(root: string, rel: string, options: { mode?: number; replace?: boolean; notDone?: string } = {}): number {
  const notDone = options.notDone ?? 'nothing was written';
  const parts = relativeParts(rel, notDone);
  const name = parts.pop();
  if (name === undefined) throw new PathConfinementError(rel, 'names no file', notDone);
  const dir = openDirBeneath(root, parts, { create: true, rel, notDone });
  try {
    if (options.replace) {
      try {
        fs.unlinkSync(atPath(dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw describeOpenError(error, path.join(root, ...parts, name), rel, notDone);
      }
    }
    try {
      return fs.openSync(atPath(dir, name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode ?? 0o644);
    } catch (error) {
      throw describeOpenError(error, path.join(root, ...parts, name), rel, notDone);
    }
  } finally {
    fs.closeSync(dir);
  }
}
