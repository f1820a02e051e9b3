// The run's shared user namespace: worth a holder only where each job would otherwise run
// newuidmap and newgidmap (not root, a subuid range); elsewhere a job maps itself for free.
import { subordinateRange, userName } from './checks.js';
import { startUsernsHolder, type UsernsHolder } from '../sandbox/userns.js';

export function sharedUsernsSavesWork(): boolean {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return false;
  const user = userName();
  return subordinateRange('/etc/subuid', user, uid) !== undefined && subordinateRange('/etc/subgid', user, uid) !== undefined;
}

/** null: no holder (not worth it, or it failed to start); every job then maps itself. */
export async function startRunUserns(): Promise<UsernsHolder | null> {
  return sharedUsernsSavesWork() ? startUsernsHolder() : null;
}
