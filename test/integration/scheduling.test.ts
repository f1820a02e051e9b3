// The scheduler on the real CLI: memory and CPU budgets never exceeded (sampled from the jobs'
// own start and end times), retries and flaky reports, --fail-fast, --shard partitions, and a
// SIGTERM in the middle of 20 running jobs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJunit } from '../../src/junit/index.js';
import { leftoverCgroups } from '../faults/helpers.js';
import { IS_ROOT } from '../helpers/host.js';
import { processesWith, waitFor } from '../helpers/processes.js';
import { jobOf, makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

interface Interval {
  name: string;
  start: number;
  end: number;
}

/** Jobs append "name start end" (ms) to a shared cache dir (scope `local`); the intervals give the overlap. */
function readIntervals(project: { cacheDir: string }): Interval[] {
  const root = path.join(project.cacheDir, 'caches', 'local');
  const [projectDir] = fs.readdirSync(root);
  const [cache] = fs.readdirSync(path.join(root, projectDir!));
  return fs
    .readFileSync(path.join(root, projectDir!, cache!, 'log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name, start, end] = line.split(' ');
      return { name: name!, start: Number(start), end: Number(end) };
    });
}

describe('the resource-aware scheduler', () => {
  it('runs 200 jobs with mixed limits within the memory and CPU budgets, and completes all', async () => {
    const sizes = ['256m', '512m', '1g'];
    const cpus = [0.5, 1, 2];
    const mib: Record<string, number> = { '256m': 256, '512m': 512, '1g': 1024 };
    const jobs: string[] = [];
    const demand = new Map<string, { memory: number; cpus: number }>();
    for (let i = 0; i < 200; i++) {
      const memory = sizes[i % 3]!;
      const cpu = cpus[Math.floor(i / 3) % 3]!;
      demand.set(`j${i}`, { memory: mib[memory]!, cpus: cpu });
      jobs.push(
        `  j${i}:\n    memory: ${memory}\n    cpus: ${cpu}\n    caches: [/shared]\n    run: s=$(date +%s%3N); sleep 0.0${i % 5}; echo "$CUBICLE_JOB $s $(date +%s%3N)" >> /shared/log`,
      );
    }
    const project = makeProject(`jobs:\n${jobs.join('\n')}\n`);
    // --no-limits: the budgets are the scheduler's, whether or not this host can enforce cgroups.
    const result = await project.cubicle(['run', '--no-limits', '--memory-budget', '2g', '--cpu-budget', '2', '--json', 'results.json'], {
      timeoutMs: 240_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(project.results().jobs.filter((job) => job.status === 'passed')).toHaveLength(200);
    const intervals = readIntervals(project);
    expect(intervals).toHaveLength(200);
    let samples = 0;
    for (const moment of intervals.flatMap((interval) => [interval.start, (interval.start + interval.end) / 2])) {
      const running = intervals.filter((interval) => interval.start <= moment && moment < interval.end);
      const memory = running.reduce((sum, interval) => sum + demand.get(interval.name)!.memory, 0);
      const cpu = running.reduce((sum, interval) => sum + demand.get(interval.name)!.cpus, 0);
      expect(memory, `at ${moment}: ${running.map((interval) => interval.name).join(' ')}`).toBeLessThanOrEqual(2048);
      expect(cpu, `at ${moment}: ${running.map((interval) => interval.name).join(' ')}`).toBeLessThanOrEqual(2);
      samples += 1;
    }
    expect(samples).toBe(400);
  }, 300_000);

  it('reports a fail-then-pass under retries as flaky, in JSON and as Surefire flakyFailure in JUnit', async () => {
    const project = makeProject(`
jobs:
  wobbly:
    retries: 1
    run: if [ "$CUBICLE_ATTEMPT" = 1 ]; then echo first try fails; exit 1; fi; echo passes on $CUBICLE_ATTEMPT
`);
    const result = await project.cubicle(['run', '--json', 'results.json', '--junit', 'junit.xml']);
    expect(result.exitCode, result.stdout).toBe(0);
    const job = jobOf(project, 'wobbly') as unknown as { status: string; attempts: number };
    expect(job.status).toBe('flaky');
    expect(job.attempts).toBe(2);
    const junit = project.read('junit.xml');
    expect(junit).toMatch(/<testcase [^>]*name="wobbly"[^>]*>\s*<flakyFailure message="attempt 1: exited with 1"/);
    expect(junit).toContain('first try fails');
  }, 60_000);

  it('--fail-fast cancels what has not finished once a job fails', async () => {
    const project = makeProject(`
jobs:
  breaks:
    run: exit 3
  slow:
    run: sleep 30
  later:
    needs: [slow]
    run: echo never
`);
    const started = Date.now();
    const result = await project.cubicle(['run', '--fail-fast', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(jobOf(project, 'breaks').status).toBe('failed');
    expect(jobOf(project, 'slow').status).toBe('cancelled');
    expect(jobOf(project, 'slow').message).toContain('--fail-fast: job "breaks" failed');
    expect(['cancelled', 'skipped']).toContain(jobOf(project, 'later').status);
  }, 60_000);
});

describe('--shard i/n', () => {
  const config = `jobs:\n${Array.from({ length: 10 }, (_, i) => `  s${i}:\n    run: echo s${i}`).join('\n')}\n  needs-s0:\n    needs: [s0]\n    run: echo after\n`;

  it('gives every job to exactly one of the shards, jobs joined by needs together', async () => {
    const project = makeProject(config);
    const seen: string[][] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const result = await project.cubicle(['run', '--shard', shard, '--json', 'results.json']);
      expect(result.exitCode, result.stderr).toBe(0);
      seen.push(project.results().jobs.map((job) => job.name));
    }
    const all = seen.flat().sort();
    expect(all).toEqual([...Array.from({ length: 10 }, (_, i) => `s${i}`), 'needs-s0'].sort());
    expect(seen.find((names) => names.includes('s0'))).toContain('needs-s0');
    expect(seen.every((names) => names.length >= 3)).toBe(true);
  }, 120_000);

  it('balances shards within 20% by the durations of a previous report (--timings)', async () => {
    const sleeps = [1.2, 1.0, 0.8, 0.7, 0.5, 0.4, 0.3, 0.3, 0.2, 0.1];
    const project = makeProject(`jobs:\n${sleeps.map((seconds, i) => `  u${i}:\n    run: sleep ${seconds}`).join('\n')}\n`);
    const whole = await project.cubicle(['run', '--junit', 'timings.xml']);
    expect(whole.exitCode, whole.stderr).toBe(0);
    const totals: number[] = [];
    const seen: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const result = await project.cubicle(['run', '--shard', shard, '--timings', 'timings.xml', '--json', 'results.json']);
      expect(result.exitCode, result.stderr).toBe(0);
      const jobs = project.results().jobs;
      seen.push(...jobs.map((job) => job.name));
      totals.push(jobs.reduce((sum, job) => sum + job.wallMs, 0));
    }
    expect(seen.sort()).toEqual(sleeps.map((_, i) => `u${i}`).sort());
    expect(Math.max(...totals) / Math.min(...totals), `shard totals ${totals.join(', ')} ms`).toBeLessThan(1.2);
  }, 120_000);

  it('--shard-by test runs every job on every shard and hands the shard to its test framework', async () => {
    const project = makeProject('jobs:\n  a:\n    run: echo "a $CUBICLE_TEST_SHARD"\n  b:\n    run: echo "b $CUBICLE_TEST_SHARD"\n');
    const result = await project.cubicle(['run', '--shard', '2/3', '--shard-by', 'test']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('a 2/3');
    expect(result.stdout).toContain('b 2/3');
    const plain = await project.cubicle(['run', '--shard', '1/2']);
    expect(plain.stdout).not.toMatch(/[ab] 1\/2/);
  }, 60_000);

  it('refuses a malformed shard', async () => {
    const project = makeProject(config);
    const result = await project.cubicle(['run', '--shard', '4/3']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--shard: expected i/n with 1 <= i <= n');
  });

  it('says so when a shard gets no job (exit 0), and points at --shard-by test', async () => {
    const project = makeProject('jobs:\n  only:\n    run: echo ran-only\n');
    const empty = await project.cubicle(['run', '--shard', '2/2']);
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(empty.stdout).not.toContain('ran-only');
    expect(empty.stderr).toContain(
      '--shard 2/2: no job falls to this shard: jobs are dealt whole to the 2 shards (jobs joined by needs together) and this run has 1 job, so nothing ran.',
    );
    expect(empty.stderr).toContain('run with --shard-by test');
    const full = await project.cubicle(['run', '--shard', '1/2']);
    expect(full.stdout).toContain('ran-only');
    expect(full.stderr).not.toContain('no job falls');
  });
});

describe('a cancelled run', () => {
  it('SIGTERM in the middle of 20 running jobs: within 5 s no sandbox, cgroup or upper dir is left, and the JUnit file parses', async () => {
    const marker = `term-${process.pid}-${Date.now()}`;
    const jobs = Array.from({ length: 20 }, (_, i) => `  j${i}: { run: 'echo up > up.txt; sh ./${marker}.sh' }`).join('\n');
    const project = makeProject(`jobs:\n${jobs}\n`, { [`${marker}.sh`]: 'sleep 300\n' });
    const runner = project.spawn(['run', '--parallel', '20', '--memory-budget', '64g', '--cpu-budget', '64', '--json', 'results.json']);
    // Every job's sandbox is up: its script runs (20 `sh ./MARKER.sh`, each with a sleep).
    const running = () => processesWith(`./${marker}.sh`).filter((pid) => commandLine(pid) === `sh ./${marker}.sh`).length;
    const runs = path.join(project.cacheDir, 'runs');
    let runId = '';
    try {
      expect(await waitFor(() => running() >= 20, 60_000), `${running()} of 20 jobs running`).toBe(true);
      runId = fs.readdirSync(runs)[0]!;
      expect(fs.readdirSync(path.join(runs, runId)).length).toBeGreaterThanOrEqual(20); // each job's upper and work dirs
    } catch (error) {
      runner.kill('SIGKILL');
      await runner;
      throw error;
    }
    // As root the run always has cgroups; an ordinary user has them after `cubicle setup --user`.
    if (IS_ROOT) expect(leftoverCgroups(runId).length).toBeGreaterThanOrEqual(20);
    else if (leftoverCgroups(runId).length === 0) console.log('no job cgroups to check: no delegated cgroup for this user');

    const sent = performance.now();
    runner.kill('SIGTERM');
    const exited = await runner;
    const gone = await waitFor(() => processesWith(marker).length === 0 && fs.readdirSync(runs).length === 0 && leftoverCgroups(runId).length === 0, 5_000);
    const ms = performance.now() - sent;
    expect(
      gone,
      `after ${Math.round(ms)} ms: processes ${processesWith(marker).join(',')}, run dirs ${fs.readdirSync(runs).join(',')}, cgroups ${leftoverCgroups(runId).join(',')}`,
    ).toBe(true);
    console.log(`SIGTERM to 20 running jobs: all gone after ${Math.round(ms)} ms`);
    expect(exited.exitCode).toBe(143);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(project.cacheDir);

    const suites = parseJunit(project.read('cubicle-junit.xml'), 'cubicle-junit.xml');
    expect(suites).toHaveLength(20);
    expect(project.results().jobs.map((job) => job.status)).toEqual(Array.from({ length: 20 }, () => 'cancelled'));
    expect(jobOf(project, 'j0').message).toContain('cancelled: the run was interrupted');
  }, 120_000);
});

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}
