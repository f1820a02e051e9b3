// One builder per layer across processes sharing a store. Node has no flock, so a lock is a
// directory renamed into locks/ complete with its owner (pid and start time): the rename is
// atomic, and a lock whose owner is gone (SIGKILL) is taken over, never waited on forever.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownStartTime, processStartTime } from '../core/process-tag.js';
import { namesIn, tempPath, type StorePaths } from './paths.js';

const POLL_MS = 50;

export interface BuildLock {
  release(): void;
}

/** The owner file's text (`PID START`), or undefined when there is no lock (or no file yet). */
function ownerOf(lockDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(lockDir, 'owner'), 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether the process an owner text names still runs. */
function isAlive(owner: string): boolean {
  const [pid, start] = owner.trim().split(' ');
  return pid !== undefined && processStartTime(Number(pid)) === start;
}

function tryAcquire(paths: StorePaths, name: string): BuildLock | null {
  const target = path.join(paths.locks, name);
  const staged = tempPath(paths, 'lock');
  fs.mkdirSync(staged, { mode: 0o700 });
  fs.writeFileSync(path.join(staged, 'owner'), `${process.pid} ${ownStartTime()}\n`);
  try {
    fs.renameSync(staged, target);
  } catch (error) {
    fs.rmSync(staged, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return null;
    throw error;
  }
  return {
    // Renamed away whole, then removed: a held lock is never an empty dir, which a rename
    // by another process would replace, or a waiter would take for a dead owner's.
    release: () => {
      const grave = tempPath(paths, 'released');
      try {
        fs.renameSync(target, grave);
      } catch {
        return; // already taken over as stale: nothing of ours is left there
      }
      fs.rmSync(grave, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until this process holds the lock `name`; `ready()` is asked after every wait, and when
 * it returns a value (another process built the layer meanwhile) that value is returned instead.
 */
export async function acquireBuildLock<T>(
  paths: StorePaths,
  name: string,
  ready: () => T | undefined,
  signal?: AbortSignal,
): Promise<{ lock: BuildLock } | { value: T }> {
  for (;;) {
    const value = ready();
    if (value !== undefined) return { value };
    const lock = tryAcquire(paths, name);
    if (lock) {
      // Built by the previous holder between our ready() and the rename.
      const after = ready();
      if (after !== undefined) {
        lock.release();
        return { value: after };
      }
      return { lock };
    }
    if (takeOverStale(paths, name)) continue;
    signal?.throwIfAborted();
    await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
  }
}

/**
 * Removes the lock `name` if the process in its owner file is gone; true when the caller may
 * try again at once (it was stale, or it is no longer there). Renamed away first, so two
 * waiters never both take it over; if even that races, two builders run: commits are atomic
 * and idempotent, so only work is lost.
 */
function takeOverStale(paths: StorePaths, name: string): boolean {
  const held = path.join(paths.locks, name);
  const owner = ownerOf(held);
  // No owner to read: the lock was just released (a held lock always has its owner file).
  if (owner === undefined) return true;
  if (isAlive(owner)) return false;
  const grave = tempPath(paths, 'stale');
  try {
    fs.renameSync(held, grave);
  } catch {
    return true; // another waiter took it over first
  }
  // Only the dead owner's lock is dropped; a live one that got there in between goes back.
  const moved = ownerOf(grave);
  if (moved !== undefined && moved !== owner) {
    try {
      fs.renameSync(grave, held);
      return false;
    } catch {
      // lost to a racing waiter: dropped below
    }
  }
  fs.rmSync(grave, { recursive: true, force: true });
  return true;
}

/** Removes locks whose owner is gone (a runner killed while building); returns how many. */
export function reapStaleLocks(paths: StorePaths): number {
  return namesIn(paths.locks).filter((name) => takeOverStale(paths, name)).length;
}
