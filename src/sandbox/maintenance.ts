// The helper's maintenance modes: every cgroup write goes through native/cubicle-sandbox.
import { execFile } from 'node:child_process';
import { helperPath } from './helper.js';

/** Runs the helper; resolves to null on success, else its message (first line of stderr). */
function runHelper(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(helperPath(), args, { encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (!error) return resolve(null);
      const message = stderr.trim().split('\n')[0]?.replace(/^cubicle-sandbox: /, '');
      resolve(message || error.message);
    });
  });
}

/** v2: move `pid` into ROOT/runner and enable memory, cpu and pids for ROOT's children. */
export function prepareCgroup(root: string, pid: number): Promise<string | null> {
  return runHelper(['--cgroup-prepare', root, '--move', String(pid)]);
}

/** As root: create DIR (and parents) with controllers enabled, owned by uid:gid. */
export function delegateCgroup(dir: string, uid: number, gid: number): Promise<string | null> {
  return runHelper(['--cgroup-delegate', dir, '--owner', `${uid}:${gid}`]);
}

/** Remove DIR and its empty children; a populated cgroup is refused. */
export function removeCgroup(dir: string): Promise<string | null> {
  return runHelper(['--cgroup-remove', dir]);
}
