import type { Limits } from '../config/resolve.js';
import type { AttemptTests } from '../junit/index.js';
import type { SandboxStatus } from '../sandbox/spawn.js';

export type JobStatus = 'passed' | 'failed' | 'oom' | 'timeout' | 'signaled' | 'error' | 'skipped' | 'cancelled' | 'flaky';

/** One job's outcome: the `--json` record of ../shared/DESIGN.md, plus what the reports need. */
export interface JobResult {
  readonly name: string;
  readonly status: JobStatus;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly peakMemoryBytes: number;
  /** Time the job wanted the CPU but its `cpus` quota made it wait. */
  readonly cpuThrottledMs: number | null;
  /** How often a fork failed at the `pids` limit. */
  readonly pidsLimitHits: number | null;
  readonly limits: Limits;
  readonly limitsEnforced: boolean;
  readonly image: { readonly ref: string; readonly digest: string | null };
  /** The syscall filter the job ran under. */
  readonly seccomp?: 'default' | 'unconfined';
  /** With a `disk:` limit: how much of it the job's writes used. */
  readonly disk?: { readonly limitBytes: number; readonly usedBytes: number; readonly full: boolean } | null;
  readonly cacheHits: number;
  readonly attempts: number;
  readonly startedAt: string;
  /** Why it did not pass, in words ("exited with 1", "killed by SIGSEGV (segmentation fault)"). */
  readonly message: string | null;
  readonly outputTail: string;
  /** Files copied out of the job's upper layer, relative to the artifacts dir. */
  readonly junitFiles: readonly string[];
  readonly artifacts: readonly string[];
  /** Failures of earlier attempts of a retried job: how each ended, and its failed tests (from its JUnit) where it had `junit:`. */
  readonly previousFailures: readonly EarlierFailure[];
}

export interface EarlierFailure {
  readonly message: string;
  readonly outputTail: string;
  readonly status?: JobStatus;
  readonly tests?: AttemptTests;
}

export const PASSING: ReadonlySet<JobStatus> = new Set(['passed', 'flaky']);

/** How an attempt ended, from the helper's status. */
export function statusOf(status: SandboxStatus, cancelled: boolean): JobStatus {
  if (cancelled) return 'cancelled';
  if (status.error && status.error.stage !== 'exec') return 'error';
  if (status.oomKilled) return 'oom';
  if (status.timedOut) return 'timeout';
  if (status.signal) return 'signaled';
  // A job that filled its disk limit failed even if it swallowed the ENOSPC.
  if (status.disk?.full) return 'failed';
  return status.exitCode === 0 ? 'passed' : 'failed';
}
