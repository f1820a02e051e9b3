// `cubicle run`: the selected jobs (and what they need), in parallel, then the reports.
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig, ResolvedJob } from '../config/resolve.js';
import { combineReporters, type Reporter, type RunSummary } from '../report/reporter.js';
import { notRunResult, runJob } from './job.js';
import { planLimits } from './limits.js';
import { createRunDir, reapStaleRuns } from './rundir.js';
import { schedule } from './scheduler.js';
import { startRunUserns } from './userns.js';
import { resolveBase } from '../image/resolve.js';
import { reapStore } from '../store/layers.js';
import { ensureStore, storePaths } from '../store/paths.js';

export interface RunOptions {
  readonly selected: readonly string[];
  readonly parallel?: number | undefined;
  readonly noLimits: boolean;
  readonly artifactsDir?: string | undefined;
  readonly shard?: string | undefined;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly reporters: readonly Reporter[];
  /** Aborted on SIGINT/SIGTERM by the CLI. */
  readonly signal: AbortSignal;
  /** --no-cache: every setup step runs again and replaces its layer. */
  readonly noCache?: boolean;
}

export async function runJobs(config: ResolvedConfig, options: RunOptions): Promise<RunSummary> {
  const jobs = withNeeds(config.jobs, options.selected);
  const limits = await planLimits(jobs, options.noLimits);
  const reporter = combineReporters(options.reporters);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  await reapStaleRuns();
  const store = storePaths();
  ensureStore(store);
  await reapStore(store);
  const runDir = createRunDir();
  const userns = await startRunUserns();
  const limitsEnforced = limits.enforced;
  const artifactsDir = options.artifactsDir ?? path.join(config.projectDir, 'cubicle-artifacts');
  reporter.onRunStart(jobs);
  let results;
  try {
    results = await schedule(jobs, {
      parallel: Math.max(1, options.parallel ?? os.availableParallelism()),
      signal: options.signal,
      run: (job) =>
        runJob(job, {
          projectDir: config.projectDir,
          hostEnv: options.hostEnv,
          shard: options.shard,
          runDir,
          artifactsDir,
          limits,
          signal: options.signal,
          reporter,
          userns: userns?.path,
          store,
          noCache: options.noCache ?? false,
          resolveBase: (job, onStatus) => resolveBase(job.image, { store, signal: options.signal, onStatus, insecureRegistries: config.insecureRegistries }),
        }),
      notRun: (job, status, message) => notRunResult(job, status, message, limitsEnforced),
      onResult: (result) => reporter.onJobEnd(result),
    });
  } finally {
    await userns?.stop();
    await runDir.remove();
  }
  const summary: RunSummary = { results, startedAt, wallMs: performance.now() - started, limitsEnforced, artifactsDir };
  await reporter.onRunEnd(summary);
  return summary;
}

/** The named jobs and, transitively, the jobs they need; all jobs when none is named. */
function withNeeds(jobs: readonly ResolvedJob[], selected: readonly string[]): ResolvedJob[] {
  if (selected.length === 0) return [...jobs];
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    byName.get(name)?.needs.forEach(add);
  };
  selected.forEach(add);
  return jobs.filter((job) => wanted.has(job.name));
}
