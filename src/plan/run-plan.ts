// The plan of a run, as a value: from the checked config and the flags, which jobs run in which
// order with what they need, this shard's part of them (or of their test files), each setup step
// in order, where the store and the reports are, and every choice the flags made. Planning
// writes nothing and starts nothing; it reads only a job's test files under `--shard-by test`.
// run/ executes a plan and takes no other input, and `run`, `shell` and `exec` all start from one.
// What a step's key and a sandbox's spec still need is only known while the run goes: the base
// image's content (a pull), the inputs' bytes, the run's dirs and cgroups.
import path from 'node:path';
import type { ResolvedConfig, ResolvedJob, SetupStep } from '../config/resolve.js';
import { deepFreeze } from '../core/freeze.js';
import { safeMessage } from '../core/message.js';
import type { PullPolicy } from '../image/resolve-base.js';
import { refuseStoreInCheckout, storePaths, type StorePaths } from '../store/paths.js';
import { checkCacheScope, defaultCacheScope } from './cache-scope.js';
import { findTestFiles } from './test-files.js';
import { autoShardNote, emptyShardNote, jobsOfShard, resolveShard, testFilesOfShard, type Shard, type TestFilesOfShard } from './shard.js';
import { fileTimes, type TimingsFile } from './timings-file.js';

/** What the command line asked of a run; checked here, not before. */
export interface RunRequest {
  /** Jobs named on the command line; none: all. Their `needs` come with them. */
  readonly selected: readonly string[];
  /** The store's root (--cache-dir, else the environment's; chosen at the CLI edge). */
  readonly cacheDir: string;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly parallel?: number | undefined;
  readonly noLimits?: boolean | undefined;
  readonly noCache?: boolean | undefined;
  readonly failFast?: boolean | undefined;
  readonly pull?: PullPolicy | undefined;
  /** --cache-scope as given; default: the environment's (plan/cache-scope.ts). */
  readonly cacheScope?: string | undefined;
  readonly artifactsDir?: string | undefined;
  /** --shard i/n or auto as given (auto reads the CI's variables in hostEnv), and --shard-by. */
  readonly shard?: string | undefined;
  readonly shardBy?: 'job' | 'test' | undefined;
  /** --timings FILE, read at the edge: durations that balance shards and order jobs. */
  readonly timings?: TimingsFile | undefined;
  readonly memoryBudgetBytes?: number | undefined;
  readonly cpuBudget?: number | undefined;
}

/** One setup step of a job, in order. */
export interface PlannedStep {
  /** 1-based, of `total`. */
  readonly number: number;
  readonly total: number;
  readonly step: SetupStep;
  /** In messages: "setup step 1 (`npm ci`)". */
  readonly what: string;
}

export interface PlannedJob {
  readonly job: ResolvedJob;
  readonly steps: readonly PlannedStep[];
  /** Each of the job's services (by name), planned as a job of its own: its image, its setup steps. */
  readonly services: Readonly<Record<string, PlannedJob>>;
  /** --shard-by test on a job with `testFiles`: this shard's part, appended to its command. */
  readonly testFiles?: TestFilesOfShard | undefined;
}

export interface RunPlan {
  readonly projectDir: string;
  readonly store: StorePaths;
  /** Where jobs' `junit:` and `artifacts:` files are copied: `<dir>/<job>/<file>`. */
  readonly artifactsDir: string;
  /** In config order; a job comes after the jobs it needs. */
  readonly jobs: readonly PlannedJob[];
  /** `text`: i/n, also under --shard auto; `from`: the CI variables auto read it from. */
  readonly shard?: { readonly text: string; readonly by: 'job' | 'test'; readonly from?: string | undefined } & Shard;
  /** Said on stderr under --shard auto: which shard this machine took, and from which variables. */
  readonly shardNote?: string | undefined;
  /** Said on stderr when this shard got no job (a matrix wider than the config). */
  readonly emptyShardNote?: string | undefined;
  /** --timings FILE's job durations; absent: the store's record of the last run orders jobs. */
  readonly timings?: ReadonlyMap<string, number> | undefined;
  readonly parallel: number;
  /**
   * The run starts one sandbox in all: one job on the host image, no setup step, service or retry.
   * A shared user namespace would then cost a holder process (~10 ms) for nothing (run/execute.ts).
   */
  readonly oneSandbox: boolean;
  readonly budget: { readonly memoryBytes?: number | undefined; readonly cpus?: number | undefined };
  readonly noLimits: boolean;
  readonly noCache: boolean;
  readonly failFast: boolean;
  readonly pull: PullPolicy;
  readonly cacheScope: string;
  readonly insecureRegistries: readonly string[];
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
}

export async function planRun(config: ResolvedConfig, request: RunRequest): Promise<RunPlan> {
  const cacheScope = checkCacheScope(request.cacheScope ?? defaultCacheScope(request.hostEnv));
  const store = storePaths(request.cacheDir);
  refuseStoreInCheckout(store, config.projectDir);
  const selected = withNeeds(config.jobs, request.selected);
  const by = request.shardBy ?? 'job';
  const resolved = request.shard ? resolveShard(request.shard, request.hostEnv) : undefined;
  const shard = resolved ? { ...resolved, text: `${resolved.index}/${resolved.count}`, by } : undefined;
  // Every shard must deal the same hands: only durations all machines share (--timings FILE)
  // may balance them, never this machine's own record; without a file, shards split by count.
  const jobs = shard && by === 'job' ? jobsOfShard(selected, shard, request.timings?.jobs ?? new Map()) : selected;
  const testFiles = shard && by === 'test' ? await testFilesOfJobs(jobs, config.projectDir, shard, request.timings) : new Map<string, TestFilesOfShard>();
  return deepFreeze({
    projectDir: config.projectDir,
    store,
    artifactsDir: request.artifactsDir ?? path.join(config.projectDir, 'cubicle-artifacts'),
    jobs: jobs.map((job) => ({ ...planJob(job), testFiles: testFiles.get(job.name) })),
    shard,
    shardNote: shard?.from ? autoShardNote(shard) : undefined,
    emptyShardNote: shard && jobs.length === 0 ? emptyShardNote(shard, selected.length) : undefined,
    timings: request.timings?.jobs,
    parallel: Math.max(1, request.parallel ?? jobs.length),
    oneSandbox: startsOneSandbox(jobs),
    budget: { memoryBytes: request.memoryBudgetBytes, cpus: request.cpuBudget },
    noLimits: request.noLimits ?? false,
    noCache: request.noCache ?? false,
    failFast: request.failFast ?? false,
    pull: request.pull ?? 'missing',
    cacheScope,
    insecureRegistries: config.insecureRegistries,
    // A copy: the plan must not change with the process's environment (or freeze it).
    hostEnv: { ...request.hostEnv },
  });
}

/** The plan of one job, for `shell` and `exec`: its steps and services as a run gives them, one attempt. */
export interface OneJobPlan extends RunPlan {
  readonly only: PlannedJob;
}

export async function planOneJob(
  config: ResolvedConfig,
  job: string,
  request: Omit<RunRequest, 'selected' | 'shard' | 'shardBy' | 'timings'>,
): Promise<OneJobPlan> {
  const plan = await planRun(config, { ...request, selected: [job] });
  const only = plan.jobs.find((planned) => planned.job.name === job);
  if (!only) throw new Error(`planOneJob: no job ${JSON.stringify(job)} in the checked config`);
  return { ...plan, only };
}

function planJob(job: ResolvedJob): PlannedJob {
  const steps = job.setup.map((step, index) => ({
    number: index + 1,
    total: job.setup.length,
    step,
    what: `setup step ${index + 1} (\`${safeMessage(step.run)}\`)`,
  }));
  return { job, steps, services: Object.fromEntries(job.services.map((service) => [service.name, planJob(service.job)])) };
}

function startsOneSandbox(jobs: readonly ResolvedJob[]): boolean {
  const [job, ...others] = jobs;
  return job !== undefined && others.length === 0 && job.image === 'host' && job.setup.length === 0 && job.services.length === 0 && job.retries === 0;
}

/** For each job with `testFiles`: the files this shard runs, balanced by the --timings report's test cases. */
async function testFilesOfJobs(
  jobs: readonly ResolvedJob[],
  projectDir: string,
  shard: Shard,
  timings: TimingsFile | undefined,
): Promise<Map<string, TestFilesOfShard>> {
  const parts = new Map<string, TestFilesOfShard>();
  for (const job of jobs) {
    if (job.testFiles.length === 0) continue;
    const files = await findTestFiles(projectDir, job.testFiles, `jobs.${job.name}.testFiles`);
    parts.set(job.name, { mine: testFilesOfShard(files, shard, fileTimes(timings?.tests.get(job.name) ?? [])), total: files.length });
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
