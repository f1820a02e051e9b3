// The run's shared user namespace: worth a holder only where each job would otherwise run
// newuidmap and newgidmap (not root, a subuid range); elsewhere a job maps itself for free.
import type { ResolvedJob } from '../config/resolve.js';
import { subordinateRange, userName } from '../host/checks.js';
import { startUsernsHolder, type UsernsHolder } from '../sandbox/userns.js';

export function sharedUsernsSavesWork(): boolean {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return false;
  const user = userName();
  return subordinateRange('/etc/subuid', user, uid) !== undefined && subordinateRange('/etc/subgid', user, uid) !== undefined;
}

/**
 * Whether `jobs` start one sandbox in all: one job on the host image, no setup step, service or retry. A holder
 * then costs a process and its start-up (~10 ms) for the one sandbox, which maps itself with the same two calls.
 */
function startsOneSandbox(jobs: readonly ResolvedJob[]): boolean {
  const [job, ...others] = jobs;
  return job !== undefined && others.length === 0 && job.image === 'host' && job.setup.length === 0 && job.services.length === 0 && job.retries === 0;
}

/** null: no holder (not worth it, or it failed to start); every job then maps itself. `jobs`: the run's, when known. */
export async function startRunUserns(jobs?: readonly ResolvedJob[]): Promise<UsernsHolder | null> {
  if (jobs !== undefined && startsOneSandbox(jobs)) return null;
  return sharedUsernsSavesWork() ? startUsernsHolder() : null;
}
