// Reporters share one lifecycle; each is one file (terminal, junit, json) behind this interface.
import type { ResolvedJob } from '../config/resolve.js';
import type { JobResult } from '../run/result.js';
import type { OutputStream } from '../sandbox/spawn.js';

export interface RunSummary {
  readonly results: readonly JobResult[];
  readonly startedAt: string;
  readonly wallMs: number;
  readonly limitsEnforced: boolean;
  /** Where jobs' `junit:` and `artifacts:` files were copied (`<dir>/<job>/<file>`); the JUnit report reads the former. */
  readonly artifactsDir?: string | undefined;
}

export interface Reporter {
  onRunStart?(jobs: readonly ResolvedJob[]): void;
  onJobStart?(job: ResolvedJob, attempt: number): void;
  onJobLine?(job: ResolvedJob, stream: OutputStream, line: string): void;
  onJobEnd?(result: JobResult): void;
  onRunEnd?(summary: RunSummary): Promise<void> | void;
}

/** Calls every reporter's hook in turn. */
export function combineReporters(reporters: readonly Reporter[]): Required<Reporter> {
  return {
    onRunStart: (jobs) => reporters.forEach((r) => r.onRunStart?.(jobs)),
    onJobStart: (job, attempt) => reporters.forEach((r) => r.onJobStart?.(job, attempt)),
    onJobLine: (job, stream, line) => reporters.forEach((r) => r.onJobLine?.(job, stream, line)),
    onJobEnd: (result) => reporters.forEach((r) => r.onJobEnd?.(result)),
    onRunEnd: async (summary) => {
      for (const reporter of reporters) await reporter.onRunEnd?.(summary);
    },
  };
}
