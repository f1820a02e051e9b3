// `image: host`: the host's system directories, read-only. Zero download, the host's toolchain.
import fs from 'node:fs';
import type { MountOp } from './ops.js';

/** What a job sees of the host. /opt holds runner toolchains (GitHub's hostedtoolcache). */
const HOST_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];

let cached: readonly MountOp[] | undefined;

/** Read-only binds of the host's system dirs; merged-/usr symlinks (/bin -> usr/bin) stay symlinks. */
export function hostImageOps(): readonly MountOp[] {
  if (cached) return cached;
  const ops: MountOp[] = [];
  for (const dir of HOST_DIRS) {
    let stat;
    try {
      stat = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) ops.push({ kind: 'symlink', target: fs.readlinkSync(dir), dest: dir });
    else if (stat.isDirectory()) ops.push({ kind: 'ro-bind', src: dir, dest: dir });
  }
  if (ops.some((op) => op.dest === '/etc' && op.kind === 'ro-bind')) ops.push(...hostSecretMasks());
  cached = Object.freeze(ops);
  return cached;
}

/**
 * Files of /etc that only root may read: a job run by root (uid 0 inside is host root when
 * cubicle runs as root) owns them and needs no capability to read them, so they are covered
 * by /dev/null. Rootless jobs could not read them anyway.
 */
function hostSecretMasks(): MountOp[] {
  const secrets = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers', '/etc/security/opasswd'];
  try {
    for (const name of fs.readdirSync('/etc/ssh')) if (/^ssh_host_.*_key$/.test(name)) secrets.push(`/etc/ssh/${name}`);
  } catch {
    // no sshd here
  }
  return secrets
    .filter((file) => fs.lstatSync(file, { throwIfNoEntry: false })?.isFile())
    .map((file) => ({ kind: 'ro-bind' as const, src: '/dev/null', dest: file }));
}

/** With `network: host`, DNS may live behind a symlink into /run (systemd-resolved). */
export function hostNetworkOps(): MountOp[] {
  const resolved = '/run/systemd/resolve';
  return fs.existsSync(resolved) ? [{ kind: 'ro-bind', src: resolved, dest: resolved }] : [];
}
