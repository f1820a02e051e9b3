// `cubicle run`: the selected jobs (and what they need), in parallel, then the reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig, ResolvedJob } from '../config/resolve.js';
import { combineReporters, type Reporter, type RunSummary } from '../report/reporter.js';
import { notRunResult, runJob } from './job.js';
import { planLimits } from './limits.js';
import { createRunDir, reapStaleRuns, runsRoot } from './rundir.js';
import { schedule } from './scheduler.js';
import { startRunUserns } from './userns.js';
import type { Base } from '../image/base.js';
import { resolveBase, type PullPolicy } from '../image/resolve.js';
import { PASSING } from './result.js';
import { emptyShardNote, jobsOfShard, parseShard, testFilesOfShard, type Shard, type TestFilesOfShard } from './shard.js';
import { findTestFiles } from '../plan/inputs.js';
import { fileTimes, readStoredTimings, recordTimings, type Timings, type TimingsFile } from './timings.js';
import { reapStore } from '../store/layers.js';
import { ensureStore, refuseStoreInCheckout, storePaths } from '../store/paths.js';

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
  /** --memory-budget / --cpu-budget; default: the machine's available memory and its cores. */
  readonly memoryBudgetBytes?: number | undefined;
  readonly cpuBudget?: number | undefined;
  /** --shard-by: `job` (default) deals jobs to shards; `test` runs every job, its tests split. */
  readonly shardBy?: 'job' | 'test';
  /** --pull: when a registry image is asked for again (default `missing`). */
  readonly pull?: PullPolicy | undefined;
  /** --fail-fast: the first job that does not pass cancels the rest. */
  readonly failFast?: boolean;
  /** --timings FILE, read: durations to balance shards and order jobs by (default: the last run's). */
  readonly timings?: Timings | undefined;
  /** --timings FILE's test cases per job, to balance `--shard-by test` file splits. */
  readonly testTimings?: TimingsFile['tests'] | undefined;
  /** --cache-scope (checked): whose `caches:` dirs the jobs get; default "local". */
  readonly cacheScope?: string | undefined;
  /** The store's root: --cache-dir, else $CUBICLE_CACHE_DIR or the XDG cache (src/cli/options.ts). */
  readonly cacheDir: string;
}

/** The reason a --fail-fast run was cancelled (AbortSignal.reason). */
class FailFast extends Error {
  override readonly name = 'FailFast';
}

/** MemAvailable of /proc/meminfo: what jobs can have without pushing the host into swap. */
export function availableMemoryBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux /proc: fall through
  }
  return os.freemem();
}

export async function runJobs(config: ResolvedConfig, options: RunOptions): Promise<RunSummary> {
  const store = storePaths(options.cacheDir);
  refuseStoreInCheckout(store, config.projectDir);
  ensureStore(store);
  const timings = options.timings ?? readStoredTimings(store, config.projectDir);
  const selected = withNeeds(config.jobs, options.selected);
  // Every shard must deal the same hands: only durations all machines share (--timings FILE)
  // may balance them, never this machine's own record; without a file, shards split by count.
  const shard = options.shard ? parseShard(options.shard) : undefined;
  const jobs = shard && options.shardBy !== 'test' ? jobsOfShard(selected, shard, options.timings ?? new Map()) : selected;
  if (shard && jobs.length === 0) process.stderr.write(emptyShardNote(shard, selected.length));
  const testFiles = shard && options.shardBy === 'test' ? await testFilesOfJobs(jobs, config.projectDir, shard, options.testTimings ?? new Map()) : new Map<string, TestFilesOfShard>();
  const limits = await planLimits(jobs, options.noLimits);
  const reporter = combineReporters(options.reporters);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  await reapStaleRuns(runsRoot(store.root));
  await reapStore(store);
  const cancel = new AbortController();
  const forward = () => cancel.abort(options.signal.reason);
  if (options.signal.aborted) forward();
  options.signal.addEventListener('abort', forward, { once: true });
  const runDir = createRunDir(runsRoot(store.root));
  const userns = await startRunUserns(jobs);
  const limitsEnforced = limits.enforced;
  const artifactsDir = options.artifactsDir ?? path.join(config.projectDir, 'cubicle-artifacts');
  // Each image is resolved once per run: jobs on it share the pull, and --pull always asks the registry once.
  const bases = new Map<string, Promise<Base>>();
  const baseOnce = (image: string, resolve: () => Promise<Base>) => {
    if (!bases.has(image)) bases.set(image, resolve());
    return bases.get(image)!;
  };
  reporter.onRunStart(jobs);
  const rebuiltKeys = new Set<string>();
  let results;
  try {
    results = await schedule(jobs, {
      parallel: Math.max(1, options.parallel ?? jobs.length),
      budget: { memoryBytes: options.memoryBudgetBytes ?? availableMemoryBytes(), cpus: options.cpuBudget ?? os.availableParallelism() },
      expectedMs: (job) => timings.get(job.name),
      signal: cancel.signal,
      run: (job) =>
        runJob(job, {
          projectDir: config.projectDir,
          hostEnv: options.hostEnv,
          shard: options.shard,
          shardByTest: options.shardBy === 'test',
          testFiles: testFiles.get(job.name),
          runDir,
          artifactsDir,
          limits,
          signal: cancel.signal,
          reporter,
          userns: userns?.path,
          store,
          noCache: options.noCache ?? false,
          rebuiltKeys,
          cacheScope: options.cacheScope ?? 'local',
          resolveBase: (job, onStatus) => baseOnce(job.image, () => resolveBase(job.image, { store, signal: cancel.signal, onStatus, insecureRegistries: config.insecureRegistries, pull: options.pull })),
        }),
      notRun: (job, status, message) => notRunResult(job, status, message, limitsEnforced),
      onResult: (result) => {
        reporter.onJobEnd(result);
        if (options.failFast && !PASSING.has(result.status) && result.status !== 'cancelled' && !cancel.signal.aborted) {
          cancel.abort(new FailFast(`--fail-fast: job "${result.name}" ${result.status}`));
        }
      },
    });
  } finally {
    options.signal.removeEventListener('abort', forward);
    await userns?.stop();
    await runDir.remove();
  }
  recordTimings(store, config.projectDir, results);
  const summary: RunSummary = { results, startedAt, wallMs: performance.now() - started, limitsEnforced, artifactsDir };
  await reporter.onRunEnd(summary);
  return summary;
}

/** For each job with `testFiles`: the files this shard runs, balanced by the --timings report's test cases. */
async function testFilesOfJobs(jobs: readonly ResolvedJob[], projectDir: string, shard: Shard, testTimings: NonNullable<RunOptions['testTimings']>): Promise<Map<string, TestFilesOfShard>> {
  const parts = new Map<string, TestFilesOfShard>();
  for (const job of jobs) {
    if (job.testFiles.length === 0) continue;
    const files = await findTestFiles(projectDir, job.testFiles, `jobs.${job.name}.testFiles`);
    parts.set(job.name, { mine: testFilesOfShard(files, shard, fileTimes(testTimings.get(job.name) ?? [])), total: files.length });
  }
  return parts;
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
