// The helper's maintenance modes: every cgroup write goes through native/cubicle-sandbox.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { helperPath } from './helper.js';

/** Runs the helper; resolves to null on success, else its message (first line of stderr). */
function runHelper(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(helperPath(), args, { encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (!error) return resolve(null);
      const message = stderr
        .trim()
        .split('\n')[0]
        ?.replace(/^cubicle-sandbox: /, '');
      resolve(message || error.message);
    });
  });
}

/** v2: move `pid` into ROOT/runner and enable memory, cpu and pids for ROOT's children. */
export function prepareCgroup(root: string, pids: readonly number[]): Promise<string | null> {
  return runHelper(['--cgroup-prepare', root, ...pids.flatMap((pid) => ['--move', String(pid)])]);
}

/** As root: create DIR (and parents) with controllers enabled, owned by uid:gid. */
export function delegateCgroup(dir: string, uid: number, gid: number): Promise<string | null> {
  return runHelper(['--cgroup-delegate', dir, '--owner', `${uid}:${gid}`]);
}

/** Remove DIR and its empty children; a populated cgroup is refused. */
export function removeCgroup(dir: string): Promise<string | null> {
  return runHelper(['--cgroup-remove', dir]);
}

/**
 * The helper removes its cgroups; one killed after the cancel grace period could not. Its
 * processes die with it (PID 1's death empties the pid namespace), so the cgroups empty soon.
 */
export async function removeLeftoverCgroups(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    for (let tries = 0; tries < 20 && fs.existsSync(dir); tries++) {
      if ((await removeCgroup(dir)) === null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
