// Reporters share one lifecycle; each is one file (terminal, junit, json) behind this interface.
import type { ResolvedJob } from '../config/resolve.js';
import type { JobResult } from './result.js';
import type { OutputStream } from '../sandbox/spawn.js';

export interface RunSummary {
  readonly results: readonly JobResult[];
  readonly startedAt: string;
  readonly wallMs: number;
  readonly limitsEnforced: boolean;
  /** Where jobs' `junit:` and `artifacts:` files were copied (`<dir>/<job>/<file>`); the JUnit report reads the former. */
  readonly artifactsDir?: string | undefined;
}

/** A starting sandbox, for live views: its memory use now (undefined without a cgroup, or before it exists). */
export interface JobSandboxInfo {
  memoryBytes(): number | undefined;
}

export interface Reporter {
  onRunStart?(jobs: readonly ResolvedJob[]): void;
  onJobStart?(job: ResolvedJob, attempt: number): void;
  onJobLine?(job: ResolvedJob, stream: OutputStream, line: string): void;
  /**
   * While what the reporter wrote is waiting on a slow reader: a promise that settles when it
   * drained. Job output is not read meanwhile, so the job waits on its pipe, not we in memory.
   */
  backpressure?(): Promise<void> | undefined;
  onJobSandbox?(job: ResolvedJob, attempt: number, sandbox: JobSandboxInfo): void;
  onJobEnd?(result: JobResult): void;
  onRunEnd?(summary: RunSummary): Promise<void> | void;
}

/** Calls every reporter's hook in turn. */
export function combineReporters(reporters: readonly Reporter[]): Required<Reporter> {
  return {
    onRunStart: (jobs) => reporters.forEach((r) => r.onRunStart?.(jobs)),
    onJobStart: (job, attempt) => reporters.forEach((r) => r.onJobStart?.(job, attempt)),
    onJobLine: (job, stream, line) => reporters.forEach((r) => r.onJobLine?.(job, stream, line)),
    backpressure: () => {
      const waits = reporters.map((r) => r.backpressure?.()).filter((wait) => wait !== undefined);
      return waits.length ? Promise.all(waits).then(() => undefined) : undefined;
    },
    onJobSandbox: (job, attempt, sandbox) => reporters.forEach((r) => r.onJobSandbox?.(job, attempt, sandbox)),
    onJobEnd: (result) => reporters.forEach((r) => r.onJobEnd?.(result)),
    onRunEnd: async (summary) => {
      for (const reporter of reporters) await reporter.onRunEnd?.(summary);
    },
  };
}
