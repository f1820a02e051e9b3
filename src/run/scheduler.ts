// Runs jobs up to `parallel` at a time, each after the jobs it `needs`, and only while the
// running jobs' memory limits fit the memory budget and their CPUs fit the CPU budget. Of the
// jobs ready to start, the longest expected goes first. A job whose need did not pass is
// skipped; once the run is cancelled (Ctrl-C, --fail-fast), jobs not yet started are cancelled.
import type { ResolvedJob } from '../config/resolve.js';
import { PASSING, type JobResult } from './result.js';

export interface Budget {
  readonly memoryBytes: number;
  readonly cpus: number;
}

export interface ScheduleOptions {
  readonly parallel: number;
  readonly signal: AbortSignal;
  /** Absent: only `parallel` bounds the run. */
  readonly budget?: Budget | undefined;
  /** Expected milliseconds of a job (its last run); unknown jobs go first. */
  readonly expectedMs?: ((job: ResolvedJob) => number | undefined) | undefined;
  run(job: ResolvedJob): Promise<JobResult>;
  notRun(job: ResolvedJob, status: 'skipped' | 'cancelled', message: string): JobResult;
  onResult(result: JobResult): void;
}

/** What a job takes from the budgets: its memory limit (0 without one), its CPUs (1 without). */
export function demandOf(job: ResolvedJob, budget: Budget): Budget {
  return { memoryBytes: job.limits.memoryBytes ?? 0, cpus: Math.min(job.limits.cpus ?? 1, budget.cpus) };
}

export async function schedule(jobs: readonly ResolvedJob[], options: ScheduleOptions): Promise<JobResult[]> {
  const results = new Map<string, JobResult>();
  const expected = (job: ResolvedJob) => options.expectedMs?.(job) ?? Number.POSITIVE_INFINITY;
  const waiting = [...jobs]
    .map((job, order) => ({ job, order }))
    .sort((a, b) => expected(b.job) - expected(a.job) || a.order - b.order)
    .map(({ job }) => job);
  const running = new Map<string, Promise<void>>();
  const used = { memoryBytes: 0, cpus: 0 };
  let failure: unknown;

  const finish = (result: JobResult) => {
    results.set(result.name, result);
    options.onResult(result);
  };
  // A job bigger than the whole budget runs alone rather than never.
  const fits = (job: ResolvedJob) => {
    if (!options.budget || running.size === 0) return true;
    const demand = demandOf(job, options.budget);
    return used.memoryBytes + demand.memoryBytes <= options.budget.memoryBytes && used.cpus + demand.cpus <= options.budget.cpus + 1e-9;
  };

  while (waiting.length > 0 || running.size > 0) {
    for (let index = 0; index < waiting.length && failure === undefined; ) {
      const job = waiting[index]!;
      if (options.signal.aborted) {
        waiting.splice(index, 1);
        const reason =
          options.signal.reason instanceof Error && options.signal.reason.name === 'FailFast' ? options.signal.reason.message : 'the run was interrupted';
        finish(options.notRun(job, 'cancelled', `cancelled: ${reason} before the job started`));
        continue;
      }
      const needs = job.needs.map((name) => results.get(name));
      if (needs.some((result) => result === undefined) || running.size >= options.parallel || !fits(job)) {
        index += 1;
        continue;
      }
      waiting.splice(index, 1);
      const unmet = job.needs.filter((name) => !PASSING.has(results.get(name)!.status));
      if (unmet.length > 0) {
        finish(options.notRun(job, 'skipped', `skipped: needs ${unmet.map((name) => `"${name}" (${results.get(name)!.status})`).join(', ')}`));
        continue;
      }
      const demand = options.budget ? demandOf(job, options.budget) : { memoryBytes: 0, cpus: 0 };
      used.memoryBytes += demand.memoryBytes;
      used.cpus += demand.cpus;
      running.set(
        job.name,
        options
          .run(job)
          .then(finish, (error: unknown) => {
            failure ??= error;
          })
          .finally(() => {
            running.delete(job.name);
            used.memoryBytes -= demand.memoryBytes;
            used.cpus -= demand.cpus;
          }),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
    if (failure !== undefined && running.size === 0) break;
  }
  if (failure !== undefined) throw failure;
  return jobs.map((job) => results.get(job.name)).filter((result): result is JobResult => result !== undefined);
}
