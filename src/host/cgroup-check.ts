// doctor's cgroups line: where job cgroups will go, including the path a run takes on cgroup v2
// when its own cgroup is not delegated but the user's systemd manager is reachable (it re-runs
// itself under `systemd-run --user --scope -p Delegate=yes`, src/cli/scope.ts). Pure given the
// placement and what user@UID.service is given, so the Action's decision on it is testable.
import fs from 'node:fs';
import path from 'node:path';
import { cgroupParents, type CgroupPlacement } from './cgroups.js';

export interface CgroupCheck {
  readonly id: 'cgroups';
  readonly title: string;
  readonly state: 'ok' | 'missing';
  readonly required: false;
  readonly detail: string;
  readonly fix: string | null;
}

const TITLE = 'cgroups for memory, cpus and pids limits';
const NEEDED = ['memory', 'cpu', 'pids'];

/**
 * `userManagerControllers`: the controllers user@UID.service's cgroup has (its cgroup.controllers),
 * or null when they could not be read; only looked at on the systemd-scope path.
 */
export function describeCgroups(
  placement: CgroupPlacement,
  user: { uid: number; name: string },
  userManagerControllers: readonly string[] | null,
): CgroupCheck {
  const base = { id: 'cgroups', title: TITLE, required: false } as const;
  if (placement.kind === 'v2' || placement.kind === 'v1') {
    const version = placement.kind === 'v2' ? 'cgroup v2' : 'cgroup v1';
    return { ...base, state: 'ok', detail: `${version}: job cgroups go beneath ${cgroupParents(placement).join(', ')}`, fix: null };
  }
  if (!placement.systemdScope) {
    const detail = `${placement.reason}: a config with memory, cpus or pids limits is refused (exit 3) unless run with --no-limits`;
    return { ...base, state: 'missing', detail, fix: placement.fix };
  }
  const scope = `user@${user.uid}.service/app.slice/run-*.scope`;
  const missing = userManagerControllers === null ? [] : NEEDED.filter((controller) => !userManagerControllers.includes(controller));
  if (missing.length > 0) {
    return {
      ...base,
      state: 'missing',
      detail:
        `${placement.reason}; a run would re-run itself in a transient scope of systemd-run --user (${scope}), but user@${user.uid}.service ` +
        `is not given the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''}: a config with memory, cpus or pids limits is refused (exit 3)`,
      fix: `Run once, as root: \`sudo npx cubicle setup --user ${user.name}\` (Delegate=cpu cpuset io memory pids for user@.service).`,
    };
  }
  const confirmed = userManagerControllers === null ? ` (could not read user@${user.uid}.service's controllers to confirm them)` : '';
  return {
    ...base,
    state: 'ok',
    detail:
      `cgroup v2: ${placement.reason}, so each run re-runs itself in a transient scope delegated by systemd-run --user (${scope}); ` +
      `job cgroups go beneath it${confirmed}`,
    fix: null,
  };
}

/** cgroup.controllers of user@UID.service, the parent of every `systemd-run --user` scope; null when unreadable. */
export function userManagerControllers(uid: number): string[] | null {
  const mount = cgroup2Mount();
  if (!mount) return null;
  try {
    const text = fs.readFileSync(path.join(mount, 'user.slice', `user-${uid}.slice`, `user@${uid}.service`, 'cgroup.controllers'), 'utf8');
    return text.trim().split(/\s+/).filter(Boolean);
  } catch {
    return null;
  }
}

function cgroup2Mount(): string | null {
  try {
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (left && right?.startsWith('cgroup2 ')) return left.split(' ')[4] ?? null;
    }
  } catch {
    // no /proc: no cgroups either
  }
  return null;
}
