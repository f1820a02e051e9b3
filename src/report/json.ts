// `--json FILE` (`-`: stdout): the per-job results of ../shared/DESIGN.md, for scripts and dashboards.
import type { JobResult } from '../run/result.js';
import type { Reporter, RunSummary } from '../run/events.js';
import { writeReport } from './destination.js';

export class JsonReporter implements Reporter {
  constructor(
    private readonly file: string,
    /** The checkout: a report inside it is written without following its symlinks. */
    private readonly checkout?: string,
  ) {}

  async onRunEnd(summary: RunSummary): Promise<void> {
    await writeReport(this.file, `${JSON.stringify(toJson(summary), null, 2)}\n`, this.checkout);
  }
}

export function toJson(summary: RunSummary) {
  return {
    version: 1,
    startedAt: summary.startedAt,
    wallMs: Math.round(summary.wallMs),
    limitsEnforced: summary.limitsEnforced,
    jobs: summary.results.map(jobRecord),
  };
}

function jobRecord(result: JobResult) {
  return {
    name: result.name,
    status: result.status,
    exitCode: result.exitCode,
    signal: result.signal,
    wallMs: round(result.wallMs),
    cpuUserMs: round(result.cpuUserMs),
    cpuSystemMs: round(result.cpuSystemMs),
    peakMemoryBytes: result.peakMemoryBytes,
    cpuThrottledMs: result.cpuThrottledMs === null ? null : round(result.cpuThrottledMs),
    pidsLimitHits: result.pidsLimitHits,
    limits: { ...result.limits, enforced: result.limitsEnforced },
    image: result.image,
    cacheHits: result.cacheHits,
    startedAt: result.startedAt,
    seccomp: result.seccomp ?? null,
    disk: result.disk ?? null,
    attempts: result.attempts,
    message: result.message,
    junitFiles: result.junitFiles,
    artifacts: result.artifacts,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
