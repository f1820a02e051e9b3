// The JUnit report of a run: one <testsuite> per job (./junit-job.ts), totals on <testsuites>,
// written atomically. Built by cubicle's own writer, not junit-report-builder: that library
// cannot write <skipped message>, file/line, <flakyFailure>/<rerunFailure> or suite output.
import os from 'node:os';
import type { ResolvedJob } from '../config/resolve.js';
import { jobSuite } from './junit-job.js';
import { DEFAULT_OUTPUT_CAP_BYTES, serializeJunit } from '../junit/index.js';
import type { Reporter, RunSummary } from '../run/events.js';
import { writeReport } from './destination.js';

export interface JunitOptions {
  /** Bytes of each job's own output kept (its tail); default 64 KiB. */
  readonly outputCapBytes?: number | undefined;
  /** Where jobs' `junit:` files were copied; default: the run's (RunSummary.artifactsDir). */
  readonly artifactsDir?: string | undefined;
  /** Each job's `junit:` globs, by job name; a reporter learns them in onRunStart. */
  readonly junitGlobs?: ReadonlyMap<string, readonly string[]> | undefined;
  /** The checkout: a report inside it is written without following its symlinks. */
  readonly checkout?: string | undefined;
}

export class JunitReporter implements Reporter {
  private readonly junitGlobs = new Map<string, readonly string[]>();

  constructor(
    private readonly file: string,
    private readonly options: JunitOptions = {},
  ) {}

  onRunStart(jobs: readonly ResolvedJob[]): void {
    for (const job of jobs) this.junitGlobs.set(job.name, job.junit);
  }

  async onRunEnd(summary: RunSummary): Promise<void> {
    const report = buildJunit(summary, { ...this.options, junitGlobs: this.options.junitGlobs ?? this.junitGlobs });
    await writeReport(this.file, report, this.options.checkout);
  }
}

export function buildJunit(summary: RunSummary, options: JunitOptions = {}): string {
  const hostname = os.hostname();
  const suites = summary.results.map((result) =>
    jobSuite(result, {
      artifactsDir: options.artifactsDir ?? summary.artifactsDir,
      junitGlobs: options.junitGlobs?.get(result.name),
      outputCapBytes: options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES,
      hostname,
    }),
  );
  return serializeJunit({ name: 'cubicle', suites });
}
