// `cubicle run`, executed: a plan's jobs (plan/run-plan.ts), in parallel, then the reports.
// Nothing here decides what runs; the plan did.
import fs from 'node:fs';
import os from 'node:os';
import type { RunPlan } from '../plan/run-plan.js';
import { startRunUserns } from '../host/shared-userns.js';
import type { Base } from '../image/base.js';
import { resolveBase } from '../image/resolve-base.js';
import { readJobDockerfile } from './dockerfile-build.js';
import { reapStore } from '../store/layers.js';
import { ensureStore } from '../store/paths.js';
import { createRunDir, reapStaleRuns, runsRoot } from '../store/runs.js';
import { readStoredTimings, recordTimings } from '../store/timings.js';
import { combineReporters, type Reporter, type RunSummary } from './events.js';
import { notRunResult, runJob } from './job.js';
import type { LayerSource } from './prepare.js';
import { needsSystemdScope, planLimits, type SystemdScopeNeeded } from './limits.js';
import { PASSING } from './result.js';
import { schedule } from './scheduler.js';

/** What executing a plan needs beyond it: who listens, and when to stop. */
export interface RunOptions {
  readonly reporters: readonly Reporter[];
  /** Aborted on SIGINT/SIGTERM by the CLI. */
  readonly signal: AbortSignal;
  /** --cache-from: where a setup layer missing from the store is looked for before it is built. */
  readonly layerSource?: LayerSource | undefined;
  /** Filled with each job's top setup layer (for --cache-to). */
  readonly usedLayers?: Set<string> | undefined;
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

export async function runJobs(plan: RunPlan, options: RunOptions): Promise<RunSummary | SystemdScopeNeeded> {
  const { store } = plan;
  ensureStore(store);
  const timings = plan.timings ?? readStoredTimings(store, plan.projectDir);
  const jobs = plan.jobs.map((planned) => planned.job);
  // A Dockerfile that cannot be built as Docker would is refused (exit 2) before any job runs.
  for (const job of jobs) if (job.build) await readJobDockerfile(job.build, plan.projectDir);
  if (plan.shardNote) process.stderr.write(plan.shardNote);
  if (plan.emptyShardNote) process.stderr.write(plan.emptyShardNote);
  const planned = new Map(plan.jobs.map((entry) => [entry.job.name, entry]));
  const limits = await planLimits(jobs, plan.noLimits);
  if (needsSystemdScope(limits)) return limits;
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
  // One sandbox maps itself with the same two calls a holder would make (plan.oneSandbox).
  const userns = plan.oneSandbox ? null : await startRunUserns();
  const limitsEnforced = limits.enforced;
  const { artifactsDir } = plan;
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
      parallel: plan.parallel,
      budget: { memoryBytes: plan.budget.memoryBytes ?? availableMemoryBytes(), cpus: plan.budget.cpus ?? os.availableParallelism() },
      expectedMs: (job) => timings.get(job.name),
      signal: cancel.signal,
      run: (job) =>
        runJob(planned.get(job.name)!, {
          projectDir: plan.projectDir,
          hostEnv: plan.hostEnv,
          shard: plan.shard?.text,
          shardByTest: plan.shard?.by === 'test',
          runDir,
          artifactsDir,
          limits,
          signal: cancel.signal,
          reporter,
          userns: userns?.path,
          store,
          noCache: plan.noCache,
          rebuiltKeys,
          layerSource: options.layerSource,
          usedLayers: options.usedLayers,
          cacheScope: plan.cacheScope,
          resolveBase: (job, onStatus) =>
            baseOnce(job.image, () =>
              resolveBase(job.image, { store, signal: cancel.signal, onStatus, insecureRegistries: plan.insecureRegistries, pull: plan.pull }),
            ),
          resolveImage: (ref, onStatus) =>
            baseOnce(ref, () => resolveBase(ref, { store, signal: cancel.signal, onStatus, insecureRegistries: plan.insecureRegistries, pull: plan.pull })),
        }),
      notRun: (job, status, message) => notRunResult(job, status, message, limitsEnforced),
      onResult: (result) => {
        reporter.onJobEnd(result);
        if (plan.failFast && !PASSING.has(result.status) && result.status !== 'cancelled' && !cancel.signal.aborted) {
          cancel.abort(new FailFast(`--fail-fast: job "${result.name}" ${result.status}`));
        }
      },
    });
  } finally {
    options.signal.removeEventListener('abort', forward);
    await userns?.stop();
    await runDir.remove();
  }
  // Jobs that ran to the end; skipped and cancelled ones keep their old time.
  const ran = results.filter((result) => result.status !== 'skipped' && result.status !== 'cancelled' && result.wallMs > 0);
  recordTimings(store, plan.projectDir, new Map(ran.map((result) => [result.name, result.wallMs])));
  const summary: RunSummary = { results, startedAt, wallMs: performance.now() - started, limitsEnforced, artifactsDir };
  await reporter.onRunEnd(summary);
  return summary;
}
