import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import { UsageError } from '../core/errors.js';
import { planOneJob, planRun, type RunRequest } from './run-plan.js';

let work: string;
let project: string;
let cacheDir: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-plan-'));
  project = path.join(work, 'project');
  cacheDir = path.join(work, 'cache');
  fs.mkdirSync(path.join(project, 'tests'), { recursive: true });
  for (const name of ['a', 'b', 'c', 'd']) fs.writeFileSync(path.join(project, 'tests', `${name}.test.js`), '');
});

afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function config(jobs: Record<string, unknown>): ResolvedConfig {
  return resolveConfig({ raw: { jobs }, source: path.join(project, 'cubicle.config.yaml'), projectDir: project });
}

const JOBS = {
  build: { setup: [{ run: 'npm ci', inputs: ['package.json'] }, { run: 'npm run build' }], run: 'true' },
  unit: { needs: ['build'], run: 'npx vitest run "$@"', testFiles: ['tests/**/*.test.js'] },
  lint: { run: 'npm run lint', services: { db: { run: 'sleep 60', setup: [{ run: 'echo ready' }] } } },
};

function request(extra: Partial<RunRequest> = {}): RunRequest {
  return { selected: [], cacheDir, hostEnv: { PATH: '/usr/bin', HOME: '/home/u' }, ...extra };
}

/** Every path beneath `dir` with its mtime: what planning must leave as it found it. */
function snapshot(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).map((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    return `${path.relative(dir, file)} ${fs.lstatSync(file).mtimeMs}`;
  });
}

describe('planRun', () => {
  it('is a value: frozen all the way down, with the flags decided and the steps numbered', async () => {
    const plan = await planRun(config(JOBS), request({ parallel: 3, failFast: true }));
    expect(plan.jobs.map((planned) => planned.job.name)).toEqual(['build', 'unit', 'lint']);
    expect(plan.jobs[0]!.steps.map((step) => [step.number, step.total, step.what])).toEqual([
      [1, 2, 'setup step 1 (`npm ci`)'],
      [2, 2, 'setup step 2 (`npm run build`)'],
    ]);
    expect(plan.jobs[2]!.services.db!.steps.map((step) => step.what)).toEqual(['setup step 1 (`echo ready`)']);
    expect({ parallel: plan.parallel, failFast: plan.failFast, noCache: plan.noCache, pull: plan.pull, cacheScope: plan.cacheScope }).toEqual({
      parallel: 3,
      failFast: true,
      noCache: false,
      pull: 'missing',
      cacheScope: 'local',
    });
    expect(plan.store.layers).toBe(path.join(cacheDir, 'layers'));
    expect(plan.artifactsDir).toBe(path.join(project, 'cubicle-artifacts'));
    for (const value of [plan, plan.jobs, plan.jobs[0], plan.jobs[0]!.job, plan.jobs[0]!.steps[1], plan.jobs[0]!.job.setup, plan.store, plan.hostEnv]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => (plan.jobs as unknown[]).push(1)).toThrow(TypeError);
  });

  it('writes nothing and starts nothing: no store made, the checkout untouched', async () => {
    const before = snapshot(work);
    await planRun(config(JOBS), request({ shard: '2/2', shardBy: 'test' }));
    expect(fs.existsSync(cacheDir)).toBe(false);
    expect(snapshot(work)).toEqual(before);
  });

  it('takes the named jobs with what they need, in config order', async () => {
    const plan = await planRun(config(JOBS), request({ selected: ['unit'] }));
    expect(plan.jobs.map((planned) => planned.job.name)).toEqual(['build', 'unit']);
  });

  it("deals this shard's part: whole jobs with their needs, or each job's test files", async () => {
    const byJob = await Promise.all(['1/2', '2/2'].map((shard) => planRun(config(JOBS), request({ shard }))));
    const names = byJob.map((plan) => plan.jobs.map((planned) => planned.job.name));
    expect(names.flat().sort()).toEqual(['build', 'lint', 'unit']);
    expect(names.find((part) => part.includes('unit'))).toContain('build');
    const byTest = await Promise.all(['1/2', '2/2'].map((shard) => planRun(config(JOBS), request({ shard, shardBy: 'test' }))));
    const parts = byTest.map((plan) => plan.jobs.find((planned) => planned.job.name === 'unit')!.testFiles!);
    expect(parts.map((part) => part.total)).toEqual([4, 4]);
    expect(parts.flatMap((part) => part.mine).sort()).toEqual(['tests/a.test.js', 'tests/b.test.js', 'tests/c.test.js', 'tests/d.test.js']);
    expect(byTest[0]!.jobs.find((planned) => planned.job.name === 'lint')!.testFiles).toBeUndefined();
  });

  it('says so when a shard gets no job', async () => {
    const plan = await planRun(config({ only: { run: 'true' } }), request({ shard: '2/2' }));
    expect(plan.jobs).toEqual([]);
    expect(plan.emptyShardNote).toContain('--shard 2/2: no job falls to this shard');
  });

  it("keeps a copy of the host's environment, not the live one", async () => {
    const hostEnv: Record<string, string | undefined> = { PATH: '/usr/bin' };
    const plan = await planRun(config(JOBS), request({ hostEnv }));
    hostEnv.PATH = '/elsewhere';
    expect(plan.hostEnv.PATH).toBe('/usr/bin');
    expect(Object.isFrozen(hostEnv)).toBe(false);
  });

  it('refuses, before anything runs, a bad --cache-scope, a bad --shard and a store inside the checkout', async () => {
    await expect(planRun(config(JOBS), request({ cacheScope: '../main' }))).rejects.toThrow(UsageError);
    await expect(planRun(config(JOBS), request({ shard: '3/2' }))).rejects.toThrow(/--shard: expected i\/n/);
    await expect(planRun(config(JOBS), request({ cacheDir: path.join(project, '.cache') }))).rejects.toThrow(/is inside the checkout/);
  });
});

describe('planOneJob', () => {
  it('plans the one job `shell` and `exec` run, with its steps and services', async () => {
    const plan = await planOneJob(config(JOBS), 'lint', { cacheDir, hostEnv: {} });
    expect(plan.only.job.name).toBe('lint');
    expect(Object.keys(plan.only.services)).toEqual(['db']);
  });
});
