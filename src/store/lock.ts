// One builder per layer across processes sharing a store. Node has no flock, so a lock is a
// directory renamed into locks/ complete with its owner (pid and start time): the rename is
// atomic, and a lock whose owner is gone (SIGKILL) is taken over, never waited on forever.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processStartTime } from '../run/rundir.js';
import type { StorePaths } from './paths.js';

const POLL_MS = 50;

export interface BuildLock {
  release(): void;
}

/** Whether the process recorded in an owner file (`PID START`) still runs. */
function ownerAlive(lockDir: string): boolean {
  let owner: string;
  try {
    owner = fs.readFileSync(path.join(lockDir, 'owner'), 'utf8');
  } catch {
    return false;
  }
  const [pid, start] = owner.trim().split(' ');
  return pid !== undefined && processStartTime(Number(pid)) === start;
}

function tryAcquire(paths: StorePaths, name: string): BuildLock | null {
  const target = path.join(paths.locks, name);
  const staged = path.join(paths.tmp, `${process.pid}-${processStartTime(process.pid) ?? '0'}-${randomBytes(4).toString('hex')}-lock`);
  fs.mkdirSync(staged, { mode: 0o700 });
  fs.writeFileSync(path.join(staged, 'owner'), `${process.pid} ${processStartTime(process.pid) ?? '0'}\n`);
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
      const grave = path.join(paths.tmp, `${process.pid}-${processStartTime(process.pid) ?? '0'}-${randomBytes(4).toString('hex')}-released`);
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
    const held = path.join(paths.locks, name);
    if (!ownerAlive(held)) {
      // Stale: its owner died. Renaming it away first makes the takeover atomic between waiters.
      const grave = path.join(paths.tmp, `${process.pid}-${processStartTime(process.pid) ?? '0'}-${randomBytes(4).toString('hex')}-stale`);
      try {
        fs.renameSync(held, grave);
      } catch {
        continue; // another waiter took it over first
      }
      // Between our check and the rename, another waiter may have taken over: give that back.
      // If even that races, two builders run; commits are atomic and idempotent, so only work is lost.
      if (ownerAlive(grave)) {
        try {
          fs.renameSync(grave, held);
          continue;
        } catch {
          // fall through: drop it
        }
      }
      fs.rmSync(grave, { recursive: true, force: true });
      continue;
    }
    signal?.throwIfAborted();
    await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
  }
}

/** Removes locks whose owner is gone (a runner killed while building); returns how many. */
export function reapStaleLocks(paths: StorePaths): number {
  let names: string[];
  try {
    names = fs.readdirSync(paths.locks);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const held = path.join(paths.locks, name);
    if (ownerAlive(held)) continue;
    const grave = path.join(paths.tmp, `${process.pid}-${processStartTime(process.pid) ?? '0'}-${randomBytes(4).toString('hex')}-stale`);
    try {
      fs.renameSync(held, grave);
    } catch {
      continue;
    }
    if (ownerAlive(grave)) {
      try {
        fs.renameSync(grave, held);
        continue;
      } catch {
        // lost to a racing waiter: dropped below
      }
    }
    fs.rmSync(grave, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
