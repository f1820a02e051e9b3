// One mapped user namespace that many sandboxes join (native --hold-userns, --userns):
// newuidmap and newgidmap, two setuid execs, then run once instead of once per sandbox.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { helperPath } from './helper.js';

export interface UsernsHolder {
  /** What SandboxSpec.userns takes: the holder's /proc/PID/ns/user. */
  readonly path: string;
  /** With `netns`: the holder's network namespace (loopback up), for SandboxSpec.netns. */
  readonly netnsPath: string | null;
  readonly pid: number;
  /** Ends the holder (EOF on its stdin) and waits for it to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;
const STOP_GRACE_MS = 2000;

/**
 * Starts a holder; null when it cannot (no helper, no user namespaces, a failed map). With
 * `netns`, it also holds a network namespace that a job and its services share.
 */
export function startUsernsHolder(options: { netns?: boolean } = {}): Promise<UsernsHolder | null> {
  let child: ChildProcess;
  try {
    child = spawn(helperPath(), ['--hold-userns', ...(options.netns ? ['--hold-netns'] : [])], { stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return Promise.resolve(null);
  }
  const exited = new Promise<void>((resolve) => {
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  });
  return new Promise((resolve) => {
    let output = '';
    const timer = setTimeout(() => fail(), START_TIMEOUT_MS);
    const fail = () => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(null);
    };
    void exited.then(fail);
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      const newline = output.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      const pid = Number(output.slice(0, newline));
      if (!Number.isInteger(pid) || pid <= 0) return fail();
      child.stdout?.destroy();
      // A holder the caller forgets must not keep node alive; it dies with node anyway.
      child.unref();
      (child.stdin as Socket | null)?.unref();
      resolve({ path: `/proc/${pid}/ns/user`, netnsPath: options.netns ? `/proc/${pid}/ns/net` : null, pid, stop: () => stopHolder(child, exited) });
    });
  });
}

async function stopHolder(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
