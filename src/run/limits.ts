// Whether this run can enforce the limits its jobs ask for, and where their cgroups go.
// A limit that is asked for and cannot be enforced stops the run (exit 3) unless the user
// said --no-limits: never a silently unlimited job.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { SandboxUnavailableError } from '../core/errors.js';
import { cgroupParents, findCgroupPlacement, jobCgroupDirs, type CgroupPlacement } from '../host/cgroups.js';
import { userName } from '../host/checks.js';
import { removeCgroup } from '../sandbox/maintenance.js';
import { isStaleRunName } from '../core/process-tag.js';

const CGROUP_LIMITS = ['memoryBytes', 'cpus', 'pids'] as const;

export interface LimitsPlan {
  readonly placement: CgroupPlacement;
  /** False only under --no-limits with limits asked for; the report says so. */
  readonly enforced: boolean;
  /** The cgroups of one attempt of one job (none when the run has no placement). */
  cgroupsFor(runId: string, job: string, attempt: number): string[];
}

/**
 * planLimits' answer where the limits can be had only in a delegated systemd scope: the CLI runs
 * itself again under `systemd-run --user --scope -p Delegate=yes` (cli/scope.ts). A value that
 * runJobs and the commands hand back up, not an exception.
 */
export interface SystemdScopeNeeded {
  readonly kind: 'systemd-scope-needed';
}

export const SYSTEMD_SCOPE_NEEDED: SystemdScopeNeeded = Object.freeze({ kind: 'systemd-scope-needed' });

export function needsSystemdScope(value: unknown): value is SystemdScopeNeeded {
  return value === SYSTEMD_SCOPE_NEEDED;
}

export function askedLimits(jobs: readonly ResolvedJob[]): string[] {
  return jobs.flatMap((job) =>
    CGROUP_LIMITS.filter((key) => job.limits[key] !== undefined).map((key) => `${job.name}: ${key === 'memoryBytes' ? 'memory' : key}`),
  );
}

export async function planLimits(jobs: readonly ResolvedJob[], noLimits: boolean): Promise<LimitsPlan | SystemdScopeNeeded> {
  const asked = askedLimits(jobs);
  const placement: CgroupPlacement = noLimits
    ? { kind: 'unavailable', reason: '--no-limits', fix: '', systemdScope: false }
    : await findCgroupPlacement({ uid: process.getuid?.() ?? 0, name: userName() });
  if (placement.kind === 'unavailable' && asked.length > 0 && !noLimits) {
    if (placement.systemdScope) return SYSTEMD_SCOPE_NEEDED;
    throw new SandboxUnavailableError(
      'CGROUP_NOT_DELEGATED',
      `memory, cpus and pids limits were asked for (${asked.join(', ')}) and cannot be enforced here: ${placement.reason}; no job was run`,
      { hint: `${placement.fix} Or run with --no-limits to run without them (timeouts are still enforced); the report will say limits were off.` },
    );
  }
  if (placement.kind !== 'unavailable') await reapStaleCgroups(placement);
  return {
    placement,
    enforced: !(noLimits && asked.length > 0),
    cgroupsFor: (runId, job, attempt) => jobCgroupDirs(placement, `cubicle-${runId}-${job}.${attempt}`),
  };
}

/** Job cgroups left by a runner killed with SIGKILL (the helper went with it). */
async function reapStaleCgroups(placement: CgroupPlacement): Promise<void> {
  for (const parent of cgroupParents(placement)) {
    let entries: string[];
    try {
      entries = fs.readdirSync(parent);
    } catch {
      continue;
    }
    for (const entry of entries.filter((name) => isStaleRunName(name, 'cubicle-'))) {
      const failure = await removeCgroup(path.join(parent, entry));
      if (failure) process.stderr.write(`cubicle: could not remove a stale cgroup: ${failure}${os.EOL}`);
    }
  }
}
