// Removing a job's upper dir. Overlay's work/work dir has mode 000, and files a job created as
// another uid (tar as root inside) belong to the user's subuid range, which the user can only
// remove from inside a user namespace with the same mapping, as `podman unshare rm` does.
import fs from 'node:fs';
import path from 'node:path';
import { hostImageOps } from '../image/host.js';
import { runSandbox } from '../sandbox/spawn.js';

export async function removeTree(dir: string): Promise<void> {
  try {
    await fs.promises.rm(dir, { recursive: true, force: true });
    return;
  } catch (error) {
    if (!isPermissionError(error)) throw error;
  }
  makeWritable(dir);
  try {
    await fs.promises.rm(dir, { recursive: true, force: true });
    return;
  } catch (error) {
    if (!isPermissionError(error) || process.getuid?.() === 0) throw error;
  }
  await removeInsideUserNamespace(dir);
}

function isPermissionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'ENOTEMPTY';
}

/** chmod u+rwx on every directory we own, so rm can descend into them. */
function makeWritable(dir: string): void {
  let stat;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!stat.isDirectory()) return;
  try {
    if ((stat.mode & 0o700) !== 0o700) fs.chmodSync(dir, stat.mode | 0o700);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) makeWritable(path.join(dir, entry.name));
    }
  } catch {
    // not ours: left to the user-namespace pass
  }
}

async function removeInsideUserNamespace(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const { status, outputTail } = await runSandbox({
    ops: [...hostImageOps(), { kind: 'bind', src: parent, dest: parent }],
    command: ['rm', '-rf', '--', dir],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    cwd: '/',
    hostname: 'cubicle-cleanup',
    shareNetwork: false,
    keepCapabilities: true,
  });
  if (status.exitCode !== 0) {
    throw new Error(`cannot remove ${dir}: ${status.error?.message ?? outputTail.trim() ?? `rm exited with ${status.exitCode}`}`);
  }
}
