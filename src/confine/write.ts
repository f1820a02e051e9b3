// Host-side writes beneath a root: the file's dir is opened through the no-follow walk of
// ./open.ts (made if missing), the content goes to an exclusive temp file in that same dir and is
// renamed over the target, so a symlink, FIFO or file the checkout planted there is replaced,
// never written through, and a reader never sees half a file.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { replaceThroughTemp } from '../core/atomic-write.js';
import { PathConfinementError } from '../core/errors.js';
import { atPath, openDirBeneath, openFileBeneath } from './open.js';
import { relativeParts } from './resolve-beneath.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

export interface WriteBeneathOptions {
  readonly mode?: number;
  readonly dirMode?: number;
  /** `PID-STARTTIME` of the writer: names the temp file so a later writer can tell it was left behind. */
  readonly tempTag?: string;
  /** Called with the open dir before the write (e.g. to remove a killed writer's temp files). */
  readonly beforeWrite?: (dirPath: string) => void;
  readonly notDone?: string;
  /** Copy by `cp --sparse=always` (SEEK_DATA/SEEK_HOLE), so a sparse file's holes stay holes on the host. */
  readonly sparse?: boolean;
}

function splitFile(rel: string, notDone: string): { dirParts: string[]; name: string } {
  const parts = relativeParts(rel, notDone);
  const name = parts.pop();
  if (name === undefined || name === '..') throw new PathConfinementError(rel, 'names no file', notDone);
  return { dirParts: parts, name };
}

/** Writes `content` to `rel` beneath `root` through a temp file and a rename in the same checked dir. */
export function writeFileBeneath(root: string, rel: string, content: string | Uint8Array, options: WriteBeneathOptions = {}): string {
  const notDone = options.notDone ?? 'nothing was written';
  const { dirParts, name } = splitFile(rel, notDone);
  return placeBeneath(root, rel, dirParts, name, options, notDone, (temp) => {
    const fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode ?? 0o644);
    try {
      fs.writeFileSync(fd, content);
    } finally {
      fs.closeSync(fd);
    }
  });
}

/**
 * Copies the regular file `srcRel` beneath `srcRoot` (no symlink followed) to `dstRel` beneath
 * `dstRoot`, through a temp file and a rename; a reflink where the filesystem has them.
 */
export function copyFileBeneath(srcRoot: string, srcRel: string, dstRoot: string, dstRel: string, options: WriteBeneathOptions = {}): string {
  const notDone = options.notDone ?? 'nothing was copied';
  const source = openFileBeneath(srcRoot, srcRel, notDone);
  try {
    const { dirParts, name } = splitFile(dstRel, notDone);
    return placeBeneath(dstRoot, dstRel, dirParts, name, options, notDone, (temp) => {
      if (options.sparse) copySparse(source, temp);
      else fs.copyFileSync(`/proc/self/fd/${source}`, temp, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
      if (options.mode !== undefined) fs.chmodSync(temp, options.mode);
    });
  } finally {
    fs.closeSync(source);
  }
}

/**
 * Node cannot seek over holes, so `cp` copies: it reaches the open source and the checked dir
 * through this process's /proc/PID/fd (its own /proc/self is another process's).
 */
function copySparse(source: number, temp: string): void {
  const mine = `/proc/${process.pid}/`;
  execFileSync('cp', ['--sparse=always', '--', `${mine}fd/${source}`, temp.replace('/proc/self/', mine)], {
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

type Fill = (temp: string) => void;

function placeBeneath(root: string, rel: string, dirParts: string[], name: string, options: WriteBeneathOptions, notDone: string, fill: Fill): string {
  const dir = openDirBeneath(root, dirParts, { create: true, mode: options.dirMode ?? 0o755, rel, notDone });
  try {
    options.beforeWrite?.(`/proc/self/fd/${dir}`);
    const temp = atPath(dir, `.${name}.${options.tempTag ?? process.pid}-${randomBytes(3).toString('hex')}.tmp`);
    try {
      replaceThroughTemp(temp, atPath(dir, name), fill);
    } catch (error) {
      if (error instanceof PathConfinementError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new PathConfinementError(path.join(root, rel), `could not be written (${code ?? (error as Error).message})`, notDone, { cause: error });
    }
  } finally {
    fs.closeSync(dir);
  }
  return path.join(root, ...dirParts, name);
}
