// The `cubicle run --json` file (src/report/json.ts) as the action reads it.
import fs from 'node:fs';

export interface JobRecord {
  readonly name: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly peakMemoryBytes: number;
  readonly limits: { readonly memoryBytes?: number; readonly cpus?: number; readonly timeoutMs?: number; readonly enforced?: boolean };
  readonly cacheHits: number;
  readonly attempts: number;
  readonly message: string | null;
  /** When the job's (last) attempt started; older CLIs wrote only the run's. */
  readonly startedAt?: string;
}

export interface RunResults {
  readonly startedAt: string;
  readonly wallMs: number;
  readonly jobs: readonly JobRecord[];
}

const PASSING = new Set(['passed', 'flaky']);
const NOT_RUN = new Set(['skipped']);

export function readResults(file: string): RunResults | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RunResults;
  } catch {
    return undefined;
  }
}

/** Jobs that passed (flaky ones too), and jobs that did not and were not skipped. */
export function countJobs(results: RunResults | undefined): { passed: number; failed: number } {
  const jobs = results?.jobs ?? [];
  return {
    passed: jobs.filter((job) => PASSING.has(job.status)).length,
    failed: jobs.filter((job) => !PASSING.has(job.status) && !NOT_RUN.has(job.status)).length,
  };
}

export function isPassing(status: string): boolean {
  return PASSING.has(status);
}
