import { describe, expect, it } from 'vitest';
import { resolvedJob } from '../../test/helpers/jobs.js';
import type { ResolvedJob } from '../config/resolve.js';
import { notRunResult } from './job.js';
import type { JobResult, JobStatus } from './result.js';
import { schedule } from './scheduler.js';

const job = resolvedJob;

function finished(input: ResolvedJob, status: JobStatus): JobResult {
  return { ...notRunResult(input, 'skipped', '', true), status, message: null };
}

describe('schedule', () => {
  it('never runs more than `parallel` jobs at once and runs every job', async () => {
    let running = 0;
    let peak = 0;
    const jobs = Array.from({ length: 9 }, (_, i) => job(`j${i}`));
    const results = await schedule(jobs, {
      parallel: 3,
      signal: new AbortController().signal,
      run: async (input) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return finished(input, 'passed');
      },
      notRun: (input, status, message) => notRunResult(input, status, message, true),
      onResult: () => {},
    });
    expect(peak).toBe(3);
    expect(results.map((result) => result.name)).toEqual(jobs.map((input) => input.name));
  });

  it('runs a job after its needs, and skips it when a need failed', async () => {
    const order: string[] = [];
    const results = await schedule([job('test', ['build']), job('build'), job('deploy', ['test', 'lint']), job('lint')], {
      parallel: 4,
      signal: new AbortController().signal,
      run: async (input) => {
        order.push(input.name);
        return finished(input, input.name === 'lint' ? 'failed' : 'passed');
      },
      notRun: (input, status, message) => notRunResult(input, status, message, true),
      onResult: () => {},
    });
    expect(order.indexOf('build')).toBeLessThan(order.indexOf('test'));
    const deploy = results.find((result) => result.name === 'deploy')!;
    expect(deploy.status).toBe('skipped');
    expect(deploy.message).toBe('skipped: needs "lint" (failed)');
  });

  it('cancels jobs not yet started once the run is aborted', async () => {
    const controller = new AbortController();
    const results = await schedule([job('a'), job('b'), job('c')], {
      parallel: 1,
      signal: controller.signal,
      run: async (input) => {
        controller.abort();
        return finished(input, 'cancelled');
      },
      notRun: (input, status, message) => notRunResult(input, status, message, true),
      onResult: () => {},
    });
    expect(results.map((result) => result.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(results[1]!.attempts).toBe(0);
  });
});
