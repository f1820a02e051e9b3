// Removing a tree a job made: its upper dir, a run dir, a staged layer. The job chose the tree's
// shape, so removal must handle any tree: overlay's work/work dir and a job's `chmod 000` dirs,
// files a job created as another uid (tar as root inside) that belong to the user's subuid range,
// and a tree deeper than PATH_MAX (1,500 levels), where every path-based call fails with
// ENAMETOOLONG (fs.rm did, and the run exited 70, and so did every later run on that store).
// Node has no openat/unlinkat, so the deep case goes to GNU coreutils: `chmod -R` and `rm -rf`
// walk with fts, fd-relative (openat, unlinkat), at any depth. This is a choice, not a
// shortcut: busybox's rm walks by path and would fail the same way on such a tree.
// Files of other uids are removed from inside a user namespace with the same mapping, as
// `podman unshare rm` does.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { hostImageOps } from './host-root.js';
import { runSandbox } from './spawn.js';

const run = promisify(execFile);
const TOOL_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

export async function removeTree(dir: string): Promise<void> {
  try {
    await fs.promises.rm(dir, { recursive: true, force: true });
    return;
  } catch (error) {
    if (!isRetryable(error)) throw error;
  }
  // The common case, every rootless job's dir: overlayfs leaves its work dir's work/ at mode 000. Opening the few
  // unreadable dirs here spares the two processes below (~20 ms a job); any other shape still goes to them.
  if (await openUnreadableDirs(dir, { left: OPEN_BUDGET })) {
    try {
      await fs.promises.rm(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if (!isRetryable(error)) throw error;
    }
  }
  await removeWithCoreutils(dir);
  if (!fs.existsSync(dir)) return;
  if (process.getuid?.() === 0) throw new Error(`cannot remove ${dir}: rm -rf left it in place`);
  await removeInsideUserNamespace(dir);
}

/** Directories openUnreadableDirs visits at most: a larger tree is coreutils' (it walks in C, at any depth). */
const OPEN_BUDGET = 64;

/**
 * u+rwx on each directory of the tree that cannot be listed (EACCES) and is ours to chmod; true when every
 * directory could then be listed. Never follows a symlink (a Dirent of one is not a directory).
 */
async function openUnreadableDirs(dir: string, budget: { left: number }): Promise<boolean> {
  if (--budget.left < 0) return false;
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') return false;
    try {
      await fs.promises.chmod(dir, 0o700);
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !(await openUnreadableDirs(path.join(dir, entry.name), budget))) return false;
  }
  return true;
}

/** Errors a tree's shape or modes cause, which the fd-relative walk below gets past. */
function isRetryable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'ENOTEMPTY' || code === 'ENAMETOOLONG' || code === 'ELOOP' || code === 'EMFILE';
}

/**
 * u+rwx on every directory we own (so rm can read and empty it), then rm -rf; each fd-relative.
 * Neither follows a symlink inside the tree; --one-file-system keeps rm off anything mounted there.
 */
async function removeWithCoreutils(dir: string): Promise<void> {
  const options = { env: TOOL_ENV, maxBuffer: 64 * 1024 };
  await run('chmod', ['-R', 'u+rwX', '--', dir], options).catch(() => undefined); // not ours: left to rm, then the namespace
  await run('rm', ['-rf', '--one-file-system', '--', dir], options).catch(() => undefined);
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
