// One job -> the SandboxSpec the helper runs: host base, fresh /proc /dev /tmp, and the
// checkout at its own absolute path through an overlay whose upper dir is the job's alone.
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { hostImageOps, hostNetworkOps } from '../image/host.js';
import { orderByDepth, type MountOp, type SandboxSpec } from '../sandbox/ops.js';

/** Host variables a job gets; everything else (CI secrets live in the environment) stays out. */
export const PASSED_HOST_VARIABLES = ['PATH', 'HOME', 'TERM', 'LANG', 'CI'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface JobContext {
  readonly projectDir: string;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly attempt: number;
  readonly shard?: string | undefined;
  /** The run's shared user namespace (src/run/userns.ts); absent: the job's sandbox maps its own. */
  readonly userns?: string | undefined;
}

export interface JobDirs {
  readonly upper: string;
  readonly work: string;
  /** The job's cgroups, one per hierarchy; empty when the run has none (--no-limits, no delegation). */
  readonly cgroups: readonly string[];
}

export function jobEnvironment(job: ResolvedJob, context: JobContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_HOST_VARIABLES) {
    const value = context.hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOME ??= '/root';
  Object.assign(env, job.env);
  env.CUBICLE_JOB = job.name;
  env.CUBICLE_ATTEMPT = String(context.attempt);
  if (context.shard) env.CUBICLE_SHARD = context.shard;
  return env;
}

export function jobSandboxSpec(job: ResolvedJob, context: JobContext, dirs: JobDirs): SandboxSpec {
  const env = jobEnvironment(job, context);
  const checkout = context.projectDir;
  const mounts: MountOp[] = [
    { kind: 'proc', dest: '/proc' },
    { kind: 'dev', dest: '/dev' },
    { kind: 'tmpfs', dest: '/tmp', mode: 0o1777 },
    { kind: 'overlay', lowers: [checkout], upper: dirs.upper, work: dirs.work, dest: checkout },
  ];
  const home = env.HOME!;
  if (needsOwnHome(home, checkout)) mounts.push({ kind: 'tmpfs', dest: home, mode: 0o755 });
  if (job.network === 'host') mounts.push(...hostNetworkOps());
  return {
    ops: orderByDepth([...hostImageOps(), ...mounts]),
    command: job.command,
    env,
    cwd: checkout,
    hostname: job.name,
    shareNetwork: job.network === 'host',
    timeoutMs: job.limits.timeoutMs,
    cgroup: dirs.cgroups.length > 0 ? { dirs: dirs.cgroups, memoryBytes: job.limits.memoryBytes, cpus: job.limits.cpus, pids: job.limits.pids } : undefined,
    userns: context.userns,
  };
}

/** HOME gets an empty writable tmpfs unless it is / or already lies inside the checkout or a host dir. */
function needsOwnHome(home: string, checkout: string): boolean {
  if (!path.isAbsolute(home) || home === '/') return false;
  if (isInside(home, checkout)) return false;
  return !hostImageOps().some((op) => isInside(home, op.dest));
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
