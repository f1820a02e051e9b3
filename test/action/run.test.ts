// dist/main.mjs and dist/post.mjs as a runner runs them, on test/fixtures/action-project:
// outputs, the step summary, annotations, the step's exit code, and what a job may see.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTION_ROOT, annotationCommands, cliPassesEnv, errorCommands, removeRunners, Runner, SECRETS } from './helpers.js';

afterAll(removeRunners);

describe('the action on a passing run', () => {
  const runner = new Runner();
  let main: Awaited<ReturnType<Runner['run']>>;

  it('runs the jobs and exits 0', async () => {
    main = await runner.run('main', { jobs: 'unit\nenv layered', cache: 'false', 'setup-host': 'false' });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.log).toContain('[unit');
    expect(errorCommands(main.log)).toEqual([]);
  });

  it('sets passed, failed, junit, results and cache-hit (GITHUB_OUTPUT heredocs)', () => {
    expect(main.outputs).toMatchObject({ passed: '3', failed: '0', 'cache-hit': 'false', junit: path.join(runner.workspace, 'cubicle-junit.xml') });
    expect(fs.readFileSync(main.outputs.junit!, 'utf8')).toContain('<testsuite name="unit"');
    const results = JSON.parse(fs.readFileSync(main.outputs.results!, 'utf8')) as { jobs: { name: string; status: string }[] };
    expect(results.jobs.map((job) => [job.name, job.status])).toEqual([
      ['unit', 'passed'],
      ['env', 'passed'],
      ['layered', 'passed'],
    ]);
  });

  it('writes the step summary: a row per job and a mermaid gantt of when each ran', () => {
    expect(main.summary).toContain('## cubicle: 3 jobs, 3 passed');
    expect(main.summary).toContain('| job | status | duration | peak memory / limit | CPU | cached layers |');
    expect(main.summary).toMatch(/^\| unit \| ✅ passed \| \d+(ms|\.\ds) \| [\d.]+ (B|KiB|MiB) \(no limit\) \| /m);
    expect(main.summary).toMatch(/```mermaid\ngantt\n[^`]*\n {2}unit \S+ :done, \d+, \d+\n/);
    for (const job of ['env', 'layered']) expect(main.summary).toMatch(new RegExp(`^  ${job} \\S+ :done, \\d+, \\d+$`, 'm'));
  });

  it("keeps the runner's secrets and the action's inputs out of every job", () => {
    const env = main.log
      .split('\n')
      .filter((line) => line.startsWith('[env'))
      .map((line) => line.replace(/^\[env\s*\] /, ''));
    expect(env).toContain('CUBICLE_JOB=env');
    const names = env.map((line) => line.split('=')[0]);
    expect(names.filter((name) => /^(GITHUB_|ACTIONS_|INPUT_|STATE_|RUNNER_)/.test(name!))).toEqual([]);
    for (const secret of Object.values(SECRETS)) {
      expect(main.log).not.toContain(secret);
      for (const { file, text } of runner.leftFiles()) expect(text, file).not.toContain(secret);
    }
    // the artifact the job wrote is there, and it is the job's env
    expect(fs.readFileSync(path.join(runner.workspace, 'cubicle-artifacts', 'env', 'env.txt'), 'utf8')).toContain('CUBICLE_JOB=env');
  });

  it('post with cache: false saves nothing and never fails', async () => {
    const post = await runner.run('post', { cache: 'false' });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain('cache is false: the layer cache is not saved');
  });
});

describe('the action on a failing job', () => {
  it("fails the step (exit 1) with an error annotation on the failed test's file and line", async () => {
    const runner = new Runner();
    const main = await runner.run('main', { jobs: 'failing unit', cache: 'false', 'setup-host': 'false' });
    expect(main.exitCode, main.log).toBe(1);
    expect(main.outputs).toMatchObject({ passed: '1', failed: '1' });
    const errors = errorCommands(main.log);
    const annotation = errors.find((error) => error.properties.file);
    expect(annotation?.properties).toEqual({ title: 'failing: test › multiplies', file: 'test/fail.test.mjs', line: '9' });
    expect(annotation?.message).toContain('6 !== 7');
    expect(errors.at(-1)?.message).toBe('1 of 2 cubicle jobs did not pass: failing (failed); see the summary and cubicle-junit.xml');
    expect(main.summary).toMatch(/^\| failing \| ❌ failed: exited with 1 \|/m);
    expect(main.summary).toMatch(/^ {2}failing \S+ :crit, \d+, \d+$/m);
  });
});

describe('a cancelled workflow', () => {
  it('signals the CLI, which cancels the running job; the step fails and still reports', async () => {
    const runner = new Runner();
    const started = Date.now();
    const main = await runner.run('main', { jobs: 'slow', cache: 'false', 'setup-host': 'false' }, { signalWhen: { text: 'started', signal: 'SIGTERM' } });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(main.exitCode, main.log).toBe(1);
    expect(errorCommands(main.log).at(-1)?.message).toMatch(/^cubicle run exited with 143: see its output above$/);
    expect(main.outputs.failed).toBe('1');
    expect(main.summary).toMatch(/^\| slow \| ⏹️ cancelled/m);
  });
});

describe("the action's inputs", () => {
  it('fails the step on invalid inputs, each named, before anything runs', async () => {
    const runner = new Runner();
    const main = await runner.run('main', { 'save-cache': 'sometimes', parallel: '0', env: 'A=1' });
    expect(main.exitCode).toBe(1);
    const [error] = errorCommands(main.log);
    expect(error?.message).toContain('3 inputs are invalid; nothing was run');
    expect(error?.message).toContain('save-cache: expected default-branch, always, never, got "sometimes"');
    expect(error?.message).toContain('parallel: expected a whole number');
    expect(error?.message).toContain('env: "A=1" is not a variable name');
    expect(main.outputs).toEqual({});
  });

  it('passes a config error on as exit 2, failing the step', async () => {
    const runner = new Runner();
    const main = await runner.run('main', { config: 'missing.yaml', cache: 'false', 'setup-host': 'false' });
    expect(main.exitCode).toBe(1);
    expect(errorCommands(main.log).at(-1)?.message).toBe('cubicle run exited with 2: a usage or configuration error; no job was run');
    expect(main.outputs).toMatchObject({ passed: '0', failed: '0', results: '' });
  });

  it('setup-host: uses the prebuilt static helpers in dist/native/, builds nothing, and asks cubicle doctor', async () => {
    const runner = new Runner();
    const main = await runner.run('main', { jobs: 'unit', cache: 'false', 'setup-host': 'true' });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.log).toContain(
      `using the prebuilt helper and layer tool in ${path.join(ACTION_ROOT, 'dist', 'native', `linux-${process.arch}`)} (static; no compiler needed)`,
    );
    expect(main.log).not.toContain('make -C native');
  });

  const passesEnv = cliPassesEnv();
  const envTitle = 'env: passes the named runner variables into jobs, and only those';
  (passesEnv ? it : it.skip)(
    passesEnv ? envTitle : `${envTitle} (skipped: this CLI build does not read CUBICLE_PASS_ENV yet, src/plan/sandbox-spec.ts)`,
    async () => {
      const runner = new Runner();
      runner.env = { DEPLOY_REGION: 'eu-west-1', NOT_PASSED: 'stays-out' };
      const main = await runner.run('main', { jobs: 'env', cache: 'false', 'setup-host': 'false', env: 'DEPLOY_REGION GITHUB_SHA_MISSING' });
      expect(main.exitCode, main.log).toBe(0);
      expect(main.log).toContain('DEPLOY_REGION=eu-west-1');
      expect(main.log).not.toContain('stays-out');
      expect(main.log).not.toContain(SECRETS.GITHUB_TOKEN);
    },
  );

  it("shard: runs this shard's part of the jobs, which get CUBICLE_SHARD", async () => {
    const runner = new Runner();
    // three unconnected jobs, no timings: one each, dealt in name order (env, layered, unit)
    const main = await runner.run('main', { jobs: 'unit env layered', cache: 'false', 'setup-host': 'false', shard: '1/3' });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.outputs).toMatchObject({ passed: '1', failed: '0' });
    expect(main.log).toContain('CUBICLE_SHARD=1/3');
    expect(main.summary).toContain('## cubicle: 1 job, 1 passed');
  });

  it('working-directory: runs the project in a subdirectory; its flaky test is a warning and counted in the summary', async () => {
    const runner = new Runner();
    const main = await runner.run('main', { 'working-directory': 'packages/flaky', cache: 'false', 'setup-host': 'false', 'no-limits': 'true' });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.outputs).toMatchObject({ passed: '1', failed: '0', junit: path.join(runner.workspace, 'packages', 'flaky', 'cubicle-junit.xml') });
    expect(annotationCommands(main.log, 'warning')).toContainEqual({
      properties: { title: 'flaky: flaky: test › sometimes', file: 'packages/flaky/test/flaky.test.mjs', line: '3' },
      message: 'passed after 1 failed run; the first failed with:\nexpected 1 to be 2\ntest/flaky.test.mjs:4',
    });
    expect(main.summary).toContain('**2 tests:** ✅ 1 passed, ⚠️ 1 flaky');
    expect(main.summary).toMatch(/^\| flaky \| ⚠️ flaky after 2 attempts \|/m);
  });
});
