// Runs jobs up to `parallel` at a time, each after the jobs it `needs`. A job whose need did
// not pass is skipped; once the run is cancelled, jobs not yet started are cancelled.
import type { ResolvedJob } from '../config/resolve.js';
import { PASSING, type JobResult } from './result.js';

export interface ScheduleOptions {
  readonly parallel: number;
  readonly signal: AbortSignal;
  run(job: ResolvedJob): Promise<JobResult>;
  notRun(job: ResolvedJob, status: 'skipped' | 'cancelled', message: string): JobResult;
  onResult(result: JobResult): void;
}

export async function schedule(jobs: readonly ResolvedJob[], options: ScheduleOptions): Promise<JobResult[]> {
  const results = new Map<string, JobResult>();
  const waiting = [...jobs];
  const running = new Map<string, Promise<void>>();
  let failure: unknown;

  const finish = (result: JobResult) => {
    results.set(result.name, result);
    options.onResult(result);
  };

  while (waiting.length > 0 || running.size > 0) {
    for (let index = 0; index < waiting.length && failure === undefined; ) {
      const job = waiting[index]!;
      if (options.signal.aborted) {
        waiting.splice(index, 1);
        finish(options.notRun(job, 'cancelled', 'cancelled: the run was interrupted before the job started'));
        continue;
      }
      const needs = job.needs.map((name) => results.get(name));
      if (needs.some((result) => result === undefined) || running.size >= options.parallel) {
        index += 1;
        continue;
      }
      waiting.splice(index, 1);
      const unmet = job.needs.filter((name) => !PASSING.has(results.get(name)!.status));
      if (unmet.length > 0) {
        finish(options.notRun(job, 'skipped', `skipped: needs ${unmet.map((name) => `"${name}" (${results.get(name)!.status})`).join(', ')}`));
        continue;
      }
      running.set(
        job.name,
        options.run(job).then(finish, (error: unknown) => {
          failure ??= error;
        }).finally(() => running.delete(job.name)),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
    if (failure !== undefined && running.size === 0) break;
  }
  if (failure !== undefined) throw failure;
  return jobs.map((job) => results.get(job.name)).filter((result): result is JobResult => result !== undefined);
}
