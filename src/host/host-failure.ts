// A helper failure that no job could get past (no user namespaces, no overlay) stops the
// whole run with exit 3 and the fix, instead of failing every job with the same errno.
import { SandboxUnavailableError } from '../core/errors.js';
import { userNamespaceFix } from './checks.js';
import type { SandboxStatus } from '../sandbox/spawn.js';

/** The helper's stages (native/README.md) at which no job can get further on this host. */
const USERNS_STAGES = new Set(['clone', 'uid_map']);

export function explainHostFailure(status: SandboxStatus): void {
  const error = status.error;
  if (!error) return;
  if (USERNS_STAGES.has(error.stage)) {
    throw new SandboxUnavailableError('USERNS_DISABLED', `cannot create a sandbox: ${error.message}; no job was run further`, { hint: userNamespaceFix() });
  }
  const overlayRefused = error.stage === 'mount' && error.message.includes('overlay') && [1, 13, 19, 95].includes(error.errno ?? 0);
  if (overlayRefused) {
    throw new SandboxUnavailableError('OVERLAY_UNSUPPORTED', `cannot mount overlayfs in a user namespace: ${error.message}; no job was run further`, {
      hint: 'Overlayfs in user namespaces needs Linux 5.11 or later, and the cache dir must not be on overlayfs: set CUBICLE_CACHE_DIR to a directory on ext4, xfs, btrfs or tmpfs. `cubicle doctor` checks this.',
    });
  }
}
