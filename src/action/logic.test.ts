// The action's decisions, without a runner: inputs, the CLI's environment, when to save the
// cache, the summary and where annotations go (host preparation: test/action/host-preparation.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../test/helpers/paths.js';
import { findLocation, failedTestAnnotations, flakyTestAnnotations } from './annotations.js';
import { cacheKeys } from './cache-key.js';
import { decidePush, decideSave, newLayerIds, readDefaultBranch, type SaveFacts } from './cache-decision.js';
import { runProcess } from './cli.js';
import { cliEnvironment } from './environment.js';
import { ActionInputError, checkCacheRef, readInputs, runArguments } from './inputs.js';
import { registryArguments } from './registry-cache.js';
import type { RunResults } from './results.js';
import { gantt, renderSummary } from './summary.js';
import { tallyTests } from './tests.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-action-logic-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
describe('save-cache', () => {
  const facts: SaveFacts = { mode: 'default-branch', ref: 'refs/heads/main', defaultBranch: 'main', exactHit: false, newLayers: 2 };

  it('saves new layers on the default branch', () => {
    expect(decideSave(facts)).toEqual({ save: true, reason: '2 new layers on the default branch' });
  });

  it.each([
    [{ newLayers: 0 }, 'this run built no new layers'],
    [{ ref: 'refs/heads/feature' }, 'this run is for refs/heads/feature, not the default branch (refs/heads/main)'],
    [{ ref: 'refs/pull/7/merge' }, 'this run is for refs/pull/7/merge'],
    [{ ref: 'refs/tags/v1' }, 'this run is for refs/tags/v1'],
    [{ defaultBranch: undefined }, "the event does not name the repository's default branch"],
    [{ exactHit: true }, 'the cache key was restored exactly'],
    [{ mode: 'never' as const }, 'save-cache is never'],
    [{ mode: 'always' as const, newLayers: 0 }, 'this run built no new layers'],
    [{ mode: 'always' as const, exactHit: true }, 'the cache key was restored exactly'],
  ])('does not save with %o', (change, reason) => {
    const decision = decideSave({ ...facts, ...change });
    expect(decision.save).toBe(false);
    expect(decision.reason).toContain(reason);
  });

  it('always: saves new layers on any ref', () => {
    expect(decideSave({ ...facts, mode: 'always', ref: 'refs/pull/7/merge', defaultBranch: undefined })).toEqual({
      save: true,
      reason: '2 new layers; save-cache is always',
    });
  });

  it('reads the default branch from the event payload, and nothing from a missing or odd one', () => {
    const event = path.join(scratch, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ repository: { default_branch: 'trunk' } }));
    expect(readDefaultBranch(event)).toBe('trunk');
    fs.writeFileSync(event, JSON.stringify({ schedule: '0 0 * * *' }));
    expect(readDefaultBranch(event)).toBeUndefined();
    fs.writeFileSync(event, '{not json');
    expect(readDefaultBranch(event)).toBeUndefined();
    expect(readDefaultBranch(path.join(scratch, 'missing.json'))).toBeUndefined();
    expect(readDefaultBranch(undefined)).toBeUndefined();
  });

  it('counts only layers that were not there before', () => {
    expect(newLayerIds(['a', 'b'], ['a', 'b', 'c', 'd'])).toEqual(['c', 'd']);
    expect(newLayerIds(['a', 'b'], ['b'])).toEqual([]);
  });
});

describe('the cache key', () => {
  const project = path.join(scratch, 'key-project');
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'action-project'), project, { recursive: true });
  const keysOf = (shard?: string) => cacheKeys({ prefix: 'cubicle', cwd: project, config: undefined, runnerOs: 'Linux', arch: 'X64', shard });

  it("hashes the config and the setup steps' inputs; restores by prefix", async () => {
    const keys = await keysOf();
    expect(keys.key).toMatch(/^cubicle-Linux-X64-[0-9a-f]{32}$/);
    expect(keys.restoreKeys).toEqual(['cubicle-Linux-X64-']);
    expect(keys.hashed).toEqual(['cubicle.config.yaml', 'deps.lock']);
    expect((await keysOf()).key).toBe(keys.key);
    fs.appendFileSync(path.join(project, 'deps.lock'), 'more\n');
    expect((await keysOf()).key).not.toBe(keys.key);
    fs.writeFileSync(path.join(project, 'test', 'pass.test.mjs'), '// not an input: the key stays\n');
    const changed = await keysOf();
    fs.appendFileSync(path.join(project, 'cubicle.config.yaml'), '# a comment\n');
    expect((await keysOf()).key).not.toBe(changed.key);
  });

  it('gives each shard a cache of its own', async () => {
    const keys = await keysOf('2/3');
    expect(keys.key).toMatch(/^cubicle-Linux-X64-shard2of3-[0-9a-f]{32}$/);
    expect(keys.restoreKeys).toEqual(['cubicle-Linux-X64-shard2of3-']);
  });

  it('throws when there is no config to read', async () => {
    await expect(cacheKeys({ prefix: 'c', cwd: scratch, config: 'missing.yaml', runnerOs: 'Linux', arch: 'X64' })).rejects.toThrow('no such file');
  });
});

describe("the CLI's environment", () => {
  const runner = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SHA: 'abc',
    GITHUB_WORKSPACE: '/w',
    GITHUB_TOKEN: 'secret-token',
    ACTIONS_RUNTIME_TOKEN: 'another-secret',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    ACTIONS_CACHE_URL: 'https://cache',
    INPUT_ENV: 'DEPLOY_REGION',
    STATE_cache: 'on',
    GITHUB_OUTPUT: '/o',
    GITHUB_ENV: '/e',
    GITHUB_PATH: '/p',
    GITHUB_STATE: '/s',
    GITHUB_STEP_SUMMARY: '/sum',
    DEPLOY_REGION: 'eu',
    CUBICLE_PASS_ENV: 'SMUGGLED',
    SMUGGLED: 'x',
  };

  it('withholds tokens, inputs, state and file commands; keeps the rest', () => {
    const env = cliEnvironment(runner, []);
    expect(Object.keys(env).sort()).toEqual(['CI', 'DEPLOY_REGION', 'GITHUB_ACTIONS', 'GITHUB_SHA', 'GITHUB_WORKSPACE', 'HOME', 'PATH', 'SMUGGLED']);
  });

  it("names the `env` input's variables in CUBICLE_PASS_ENV, those the runner has", () => {
    const env = cliEnvironment(runner, ['DEPLOY_REGION', 'NOT_SET']);
    expect(env.CUBICLE_PASS_ENV).toBe('DEPLOY_REGION');
    expect(env.DEPLOY_REGION).toBe('eu');
  });

  it('passes a withheld variable only when the workflow names it', () => {
    const env = cliEnvironment(runner, ['GITHUB_TOKEN']);
    expect(env).toMatchObject({ GITHUB_TOKEN: 'secret-token', CUBICLE_PASS_ENV: 'GITHUB_TOKEN' });
    expect(env.ACTIONS_RUNTIME_TOKEN).toBeUndefined();
  });
});

describe('inputs', () => {
  const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

  it('has the defaults of action.yml, and turns lists and flags into `cubicle run` arguments', () => {
    const inputs = readInputs(reader({ jobs: 'unit\nlint  e2e', memory: '2g', parallel: '3', shard: '2/3', config: 'ci/cubicle.yaml', env: 'A, B' }));
    expect(inputs).toMatchObject({
      jobs: ['unit', 'lint', 'e2e'],
      junit: 'cubicle-junit.xml',
      cache: 'workflow',
      registry: undefined,
      cacheKeyPrefix: 'cubicle',
      cacheSize: '2g',
      saveCache: 'default-branch',
      setupHost: true,
      env: ['A', 'B'],
    });
    expect(runArguments(inputs, { junit: '/w/j.xml', json: '/t/r.json' })).toEqual([
      'run',
      'unit',
      'lint',
      'e2e',
      '--junit',
      '/w/j.xml',
      '--json',
      '/t/r.json',
      '--config',
      'ci/cubicle.yaml',
      '--parallel',
      '3',
      '--shard',
      '2/3',
      '--memory',
      '2g',
    ]);
    // The run's trust scope for `caches:` (plan/cache-scope.ts): a pull request's never the default branch's.
    expect(runArguments(inputs, { junit: '/w/j.xml', json: '/t/r.json' }, 'pr-3').slice(0, 8)).toEqual([
      'run',
      'unit',
      'lint',
      'e2e',
      '--junit',
      '/w/j.xml',
      '--json',
      '/t/r.json',
    ]);
    expect(runArguments(inputs, { junit: '/w/j.xml', json: '/t/r.json' }, 'pr-3')).toEqual(expect.arrayContaining(['--cache-scope', 'pr-3']));
  });

  it('reads booleans as YAML 1.2 does, and lists every problem at once', () => {
    expect(readInputs(reader({ cache: 'False', 'setup-host': 'TRUE' }))).toMatchObject({ cache: 'off', setupHost: true });
    let error: ActionInputError | undefined;
    try {
      readInputs(reader({ cache: 'yes', shard: '4/3', 'cache-size': 'big', 'cache-key-prefix': 'a b', parallel: '1.5' }));
    } catch (caught) {
      error = caught as ActionInputError;
    }
    expect(error).toBeInstanceOf(ActionInputError);
    expect(error!.problems).toEqual([
      'parallel: expected a whole number of jobs of at least 1, got "1.5"',
      'shard: expected INDEX/COUNT with 1 <= INDEX <= COUNT, such as 2/3, got "4/3"',
      'cache-size: expected a size like 2g or 500m, got "big"',
      'cache-key-prefix: a cache key may not contain commas or spaces, got "a b"',
      'cache: expected true (the workflow cache), false or registry, got "yes"',
    ]);
  });

  it('refuses shard: auto, which GitHub cannot fill, and names the matrix way', () => {
    expect(() => readInputs(reader({ shard: 'auto' }))).toThrow(
      "shard: auto reads the shard that GitLab, Buildkite or CircleCI give a parallel job, and GitHub Actions gives none; pass the matrix's own: " +
        'shard: ${{ matrix.shard }}/3 with matrix: { shard: [1, 2, 3] }',
    );
  });
});

describe('cache: registry', () => {
  const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';
  const runner = { GITHUB_REPOSITORY: 'Octo-Org/My.Repo', GITHUB_ACTOR: 'octocat' };
  const read = (values: Record<string, string>, env: Record<string, string> = runner) => readInputs(reader({ cache: 'registry', ...values }), REPO, env);
  const problemsOf = (values: Record<string, string>, env: Record<string, string> = runner): readonly string[] => {
    try {
      read(values, env);
    } catch (error) {
      if (error instanceof ActionInputError) return error.problems;
      throw error;
    }
    return [];
  };

  it('defaults cache-ref to ghcr.io/<owner>/<repo>/cubicle-cache, lower-cased, and the user to the actor', () => {
    expect(read({ 'registry-token': 'ghs_x' })).toMatchObject({
      cache: 'registry',
      registry: { ref: 'ghcr.io/octo-org/my.repo/cubicle-cache', username: 'octocat', token: 'ghs_x' },
    });
    expect(read({ 'cache-ref': '127.0.0.1:5000/team/app/cubicle-cache:v2', 'registry-username': 'ci', 'registry-token': 't' }).registry).toEqual({
      ref: '127.0.0.1:5000/team/app/cubicle-cache:v2',
      username: 'ci',
      token: 't',
    });
    // no token: the docker/podman auth files, and no user name sent
    expect(read({}).registry).toEqual({ ref: 'ghcr.io/octo-org/my.repo/cubicle-cache', username: undefined, token: undefined });
    // the registry inputs are read only for cache: registry
    expect(readInputs(reader({ 'cache-ref': 'NOT A REF' }), REPO, runner).registry).toBeUndefined();
  });

  it('refuses a cache-ref registries refuse, and a token without a user, all at once', () => {
    expect(problemsOf({ 'cache-ref': 'ghcr.io/Octo/Repo', 'registry-token': 't' }, {})).toEqual([
      'cache-ref: the repository "Octo/Repo" must be lower-case letters and digits, separated by / . _ or - (registries refuse others), in "ghcr.io/Octo/Repo"',
      'registry-username: registry-token needs a user name to log in with, and GITHUB_ACTOR is not set; give registry-username',
    ]);
    expect(problemsOf({}, {})).toEqual([
      'cache-ref: cache is registry, and GITHUB_REPOSITORY is not set to name the default; give cache-ref, such as ghcr.io/owner/repo/cubicle-cache',
    ]);
    expect(checkCacheRef('https://ghcr.io/o/r')).toMatch(/^cache-ref: give the registry without a scheme/);
    expect(checkCacheRef('ghcr.io/o/r@sha256:abc')).toMatch(/^cache-ref: a cache is pushed to a tag, not a digest/);
    expect(checkCacheRef('cubicle-cache')).toMatch(/with the registry's host first/);
    expect(checkCacheRef('ghcr.io/o/r:bad tag')).toMatch(/"bad tag" is not a tag/);
    expect(checkCacheRef('ghcr.io/o/r/')).toMatch(/must be lower-case letters/);
    for (const ref of ['ghcr.io/o/r/cubicle-cache', 'localhost:5000/a_b/c-d.e:latest', 'registry.gitlab.com/g/p/cache:main'])
      expect(checkCacheRef(ref), ref).toBeUndefined();
  });

  it('never puts the token in the arguments: --password-stdin, with the user name', () => {
    const registry = { ref: 'ghcr.io/o/r/cubicle-cache', username: 'octocat', token: 'ghs_secret' };
    expect(registryArguments('pull', registry)).toEqual(['cache', 'pull', 'ghcr.io/o/r/cubicle-cache', '--username', 'octocat', '--password-stdin']);
    expect(registryArguments('push', registry).join(' ')).not.toContain('ghs_secret');
    expect(registryArguments('push', { ...registry, username: undefined, token: undefined })).toEqual(['cache', 'push', 'ghcr.io/o/r/cubicle-cache']);
  });

  it("hands the CLI its input on stdin, and keeps the token's value out of its environment under any name", async () => {
    const env = cliEnvironment(
      { PATH: process.env.PATH ?? '/usr/bin:/bin', 'INPUT_REGISTRY-TOKEN': 'ghs_secret', GH_TOKEN: 'ghs_secret', NPM_RC: 'x ghs_secret y', KEPT: 'k' },
      [],
      ['ghs_secret', undefined, ''],
    );
    expect(Object.keys(env).sort()).toEqual(['KEPT', 'PATH']);
    const script = 'let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => console.log(JSON.stringify({ s, env: process.env })))';
    const child = await runProcess(process.execPath, ['-e', script], { env, capture: true, input: 'ghs_secret' });
    expect(child.exitCode).toBe(0);
    const seen = JSON.parse(child.stdout) as { s: string; env: Record<string, string> };
    expect(seen.s).toBe('ghs_secret');
    expect(JSON.stringify(seen.env)).not.toContain('ghs_secret');
    // a command that never reads its stdin is no error
    expect((await runProcess(process.execPath, ['-e', 'process.exit(3)'], { env, input: 'ghs_secret' })).exitCode).toBe(3);
  });

  it("pushes on save-cache's rule for the branch, whatever the layers", () => {
    const facts = { mode: 'default-branch' as const, ref: 'refs/heads/main', defaultBranch: 'main' };
    expect(decidePush(facts)).toEqual({ save: true, reason: "this run's layers and timings on the default branch" });
    expect(decidePush({ ...facts, ref: 'refs/pull/7/merge' })).toEqual({
      save: false,
      reason: "this run's layers and timings, but this run is for refs/pull/7/merge, not the default branch (refs/heads/main); save-cache is default-branch",
    });
    expect(decidePush({ ...facts, defaultBranch: undefined }).save).toBe(false);
    expect(decidePush({ ...facts, mode: 'never' })).toEqual({ save: false, reason: 'save-cache is never' });
    expect(decidePush({ ...facts, mode: 'always', ref: 'refs/pull/7/merge' })).toEqual({
      save: true,
      reason: "this run's layers and timings; save-cache is always",
    });
  });
});

describe('inputs of `cubicle run` flags', () => {
  const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';
  const workspace = path.join(scratch, 'inputs-workspace');
  fs.mkdirSync(path.join(workspace, 'packages', 'api'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'README.md'), '');
  const files = { junit: '/w/j.xml', json: '/t/r.json' };

  it("passes pids, fail-fast, pull, shard-by, timings and no-limits on as the CLI's flags", () => {
    const inputs = readInputs(
      reader({
        pids: '512',
        'fail-fast': 'true',
        pull: 'never',
        'shard-by': 'test',
        shard: '1/2',
        timings: 'last-junit.xml',
        'no-limits': 'true',
        'working-directory': 'packages/api',
      }),
      workspace,
    );
    expect(inputs).toMatchObject({
      pids: 512,
      failFast: true,
      pull: 'never',
      shardBy: 'test',
      timings: 'last-junit.xml',
      noLimits: true,
      workingDirectory: 'packages/api',
    });
    const args = runArguments(inputs, files);
    expect(args.join(' ')).toContain('--shard 1/2 --shard-by test --timings last-junit.xml --fail-fast --pull never --no-limits');
    expect(args.slice(-2)).toEqual(['--pids', '512']);
  });

  it("has action.yml's defaults, which add no flag", () => {
    const inputs = readInputs(reader({}), workspace);
    expect(inputs).toMatchObject({
      pids: undefined,
      failFast: false,
      pull: 'missing',
      shardBy: 'job',
      timings: undefined,
      noLimits: false,
      workingDirectory: '.',
    });
    expect(runArguments(inputs, files)).toEqual(['run', '--junit', '/w/j.xml', '--json', '/t/r.json']);
    const action = fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8');
    for (const name of ['pids', 'fail-fast', 'pull', 'shard-by', 'timings', 'no-limits', 'working-directory']) expect(action).toContain(`\n  ${name}:\n`);
  });

  it('names each bad value, and a working-directory that is missing, a file or outside the workspace', () => {
    const problems = (values: Record<string, string>) => {
      try {
        readInputs(reader(values), workspace);
      } catch (error) {
        return (error as ActionInputError).problems;
      }
      return [];
    };
    expect(problems({ pids: '0', pull: 'sometimes', 'shard-by': 'file', 'fail-fast': 'yes', 'no-limits': '1', 'working-directory': 'packages/web' })).toEqual([
      'pids: expected a whole number of processes of at least 1, such as 512, got "0"',
      'pull: expected missing, always, never, got "sometimes"',
      'shard-by: expected job, test, got "file"',
      `working-directory: "packages/web" does not exist in the workspace (${path.join(workspace, 'packages', 'web')}); check out the repository first, or fix the path`,
      'fail-fast: expected true or false, got "yes"',
      'no-limits: expected true or false, got "1"',
    ]);
    expect(problems({ pids: '1.5' })).toEqual(['pids: expected a whole number of processes of at least 1, such as 512, got "1.5"']);
    expect(problems({ 'working-directory': 'README.md' })).toEqual([
      `working-directory: "README.md" is a file, not a directory (${path.join(workspace, 'README.md')})`,
    ]);
    expect(problems({ 'working-directory': '../elsewhere' })).toEqual([
      `working-directory: "../elsewhere" is outside the workspace (${workspace}); give a directory of the checkout`,
    ]);
  });
});

describe('the step summary', () => {
  const job = { exitCode: 0, cpuUserMs: 1500, cpuSystemMs: 500, cacheHits: 0, attempts: 1, message: null };
  const results: RunResults = {
    startedAt: '2026-01-01T10:00:00.000Z',
    wallMs: 5000,
    jobs: [
      {
        ...job,
        name: 'unit',
        status: 'passed',
        wallMs: 4000,
        peakMemoryBytes: 256 * 1024 ** 2,
        limits: { memoryBytes: 1024 ** 3, cpus: 2 },
        startedAt: '2026-01-01T10:00:01.000Z',
        cacheHits: 2,
      },
      {
        ...job,
        name: 'e2e: chrome',
        status: 'oom',
        exitCode: null,
        wallMs: 1000,
        peakMemoryBytes: 512 * 1024 ** 2,
        limits: { memoryBytes: 512 * 1024 ** 2 },
        message: 'killed: out of memory | 512 MiB',
      },
      { ...job, name: 'flaky', status: 'flaky', wallMs: 2000, peakMemoryBytes: 1024, limits: {}, attempts: 2 },
      { ...job, name: 'docs', status: 'skipped', wallMs: 0, peakMemoryBytes: 0, limits: {}, message: 'skipped: needs e2e' },
    ],
  };

  it('has a row per job: status, duration, peak memory against the limit, CPU', () => {
    const summary = renderSummary(results, { junit: 'cubicle-junit.xml' });
    expect(summary).toContain('## cubicle: 4 jobs, 2 passed, 1 failed, 1 skipped in 5.0s');
    expect(summary).toContain('| unit | ✅ passed | 4.0s | 256 MiB / 1 GiB (25%) | 2.0s (0.5 of 2 cpus) | 2 |');
    expect(summary).toContain('| e2e: chrome | ❌ oom: killed: out of memory \\| 512 MiB | 1.0s | 512 MiB / 512 MiB (100%) | 2.0s (2.0 cores) | 0 |');
    expect(summary).toContain('| flaky | ⚠️ flaky after 2 attempts | 2.0s | 1 KiB (no limit) |');
    // The CLI's message for a skipped job starts with "skipped: " (run/scheduler.ts): the status is said once.
    expect(summary).toContain('| docs | ⏭️ skipped: needs e2e |  |  |  | 0 |');
    expect(summary).not.toContain('skipped: skipped');
    expect(summary).toContain('JUnit report: `cubicle-junit.xml`');
  });

  it("charts when each job ran: its own start, or the run's; skipped jobs left out", () => {
    const start = Date.parse(results.startedAt);
    expect(gantt(results).split('\n')).toEqual([
      '```mermaid',
      'gantt',
      '  title When each job ran',
      '  dateFormat x',
      '  axisFormat %M:%S',
      '  section jobs',
      `  unit 4.0s :done, ${start + 1000}, ${start + 5000}`,
      `  e2e_ chrome 1.0s :crit, ${start}, ${start + 1000}`,
      `  flaky 2.0s :done, ${start}, ${start + 2000}`,
      '```',
    ]);
  });
});

describe('test cases in the step summary', () => {
  const results: RunResults = {
    startedAt: '2026-01-01T10:00:00.000Z',
    wallMs: 5000,
    jobs: [
      {
        name: 'unit',
        status: 'failed',
        exitCode: 1,
        wallMs: 4000,
        cpuUserMs: 1,
        cpuSystemMs: 1,
        peakMemoryBytes: 1024,
        limits: {},
        cacheHits: 0,
        attempts: 1,
        message: 'exited with 1',
      },
    ],
  };
  const write = (name: string, xml: string) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, xml);
    return file;
  };

  it('counts passed, flaky, failed and skipped across jobs, and lists the failed tests with the first line of why', () => {
    const report = write(
      'tally.xml',
      `<testsuites name="cubicle">
  <testsuite name="unit">
    <testcase classname="tests.test_api" name="test_ok"/>
    <testcase classname="tests.test_api" name="test_ok_too"/>
    <testcase classname="tests.test_api" name="test_flaky"><flakyFailure message="assert 1 == 2" type="AssertionError"><stackTrace>x</stackTrace></flakyFailure></testcase>
    <testcase classname="tests.test_api" name="test_broken"><failure message="assert [1] == [2]&#10;  At index 0 diff: 1 != 2" type="AssertionError">trace</failure><rerunFailure message="assert [1] == [2]" type="AssertionError"/></testcase>
    <testcase classname="tests.test_api" name="test_later"><skipped message="later"/></testcase>
  </testsuite>
  <testsuite name="lint | e2e">
    <testcase classname="cubicle.lint" name="lint"><error type="oom">killed: memory limit 512 MiB reached
more</error></testcase>
  </testsuite>
</testsuites>`,
    );
    const tests = tallyTests(report);
    expect(tests).toMatchObject({ passed: 2, flaky: 1, failed: 2, skipped: 1 });
    const summary = renderSummary(results, { junit: 'cubicle-junit.xml', tests });
    expect(summary).toContain('**6 tests:** ✅ 2 passed, ⚠️ 1 flaky, ❌ 2 failed, ⏭️ 1 skipped');
    expect(summary.indexOf('**6 tests:**')).toBeLessThan(summary.indexOf('| job | status |'));
    expect(summary).toContain('### Failed tests\n\n| job | class | test | message |\n| --- | --- | --- | --- |');
    expect(summary).toContain('| unit | tests.test\\_api | test\\_broken | assert \\[1\\] == \\[2\\] |');
    expect(summary).toContain('| lint \\| e2e | cubicle.lint | lint | killed: memory limit 512 MiB reached |');
    expect(summary).not.toContain('At index 0');
  });

  it('lists at most 50 failed tests, then says how many more; none: no list', () => {
    const cases = Array.from({ length: 60 }, (_, index) => `<testcase classname="c" name="t${index}"><failure message="m${index}"/></testcase>`).join('');
    const tests = tallyTests(write('many.xml', `<testsuites name="cubicle"><testsuite name="unit">${cases}</testsuite></testsuites>`));
    const summary = renderSummary(results, { junit: 'cubicle-junit.xml', tests });
    expect(summary).toContain('| unit | c | t49 | m49 |');
    expect(summary).not.toContain('| t50 |');
    expect(summary).toContain('| and 10 more (in the JUnit report) | | | |');
    const passing = tallyTests(
      write('passing.xml', '<testsuites name="cubicle"><testsuite name="unit"><testcase classname="c" name="t"/></testsuite></testsuites>'),
    );
    const clean = renderSummary(results, { junit: 'cubicle-junit.xml', tests: passing });
    expect(clean).toContain('**1 test:** ✅ 1 passed');
    expect(clean).not.toContain('Failed tests');
  });
});

describe('annotations', () => {
  const workspace = path.join(scratch, 'repo');
  const projectDir = path.join(workspace, 'app');
  fs.mkdirSync(path.join(projectDir, 'tests'), { recursive: true });
  fs.mkdirSync(path.join(projectDir, 'node_modules', 'lib'), { recursive: true });
  for (const file of ['tests/test_math.py', 'src.test.mjs', 'node_modules/lib/index.js']) fs.writeFileSync(path.join(projectDir, file), '');
  const where = { workspace, projectDir };

  it('finds the first frame in the checkout: file URLs, absolute and relative paths, not node_modules', () => {
    expect(findLocation(`at x (${projectDir}/node_modules/lib/index.js:3:1)\n  at y (file://${projectDir}/src.test.mjs:12:5)`, where)).toEqual({
      file: 'app/src.test.mjs',
      startLine: 12,
    });
    expect(findLocation('tests/test_math.py:7: AssertionError', where)).toEqual({ file: 'app/tests/test_math.py', startLine: 7 });
    expect(findLocation('at z (/usr/lib/node/x.js:1:1)\nat node:internal/test:3:4', where)).toBeUndefined();
    expect(findLocation('missing.py:3: nope', where)).toBeUndefined();
  });

  it('annotates failed and errored test cases of a JUnit report, on their file and line', () => {
    const report = path.join(scratch, 'junit.xml');
    fs.writeFileSync(
      report,
      `<?xml version="1.0"?>
<testsuites>
  <testsuite name="py">
    <testcase classname="tests.test_math" name="test_add" file="tests/test_math.py" line="7"><failure message="assert 3 == 4">tests/test_math.py:8: AssertionError</failure></testcase>
    <testcase classname="tests.test_math" name="test_ok"/>
    <testcase classname="tests.test_math" name="test_skip"><skipped/></testcase>
  </testsuite>
  <testsuite name="js">
    <testcase classname="js" name="renders"><error message="TypeError: x is undefined">at f (file://${projectDir}/src.test.mjs:21:3)</error></testcase>
    <testcase classname="js" name="no trace"><failure message="exited with 1"/></testcase>
  </testsuite>
</testsuites>`,
    );
    expect(failedTestAnnotations(report, where)).toEqual([
      { title: 'py: tests.test_math › test_add', message: 'assert 3 == 4\ntests/test_math.py:8: AssertionError', file: 'app/tests/test_math.py', startLine: 7 },
      { title: 'js: renders', message: `TypeError: x is undefined\nat f (file://${projectDir}/src.test.mjs:21:3)`, file: 'app/src.test.mjs', startLine: 21 },
      { title: 'js: no trace', message: 'exited with 1' },
    ]);
  });

  it('warns of each flaky test, on its file and line, or where its first failed run points', () => {
    const report = path.join(scratch, 'flaky.xml');
    fs.writeFileSync(
      report,
      `<?xml version="1.0"?>
<testsuites name="cubicle">
  <testsuite name="py">
    <testcase classname="tests.test_math" name="test_add" file="tests/test_math.py" line="7">
      <flakyFailure message="assert 3 == 4" type="AssertionError"><stackTrace>tests/test_math.py:8: AssertionError</stackTrace></flakyFailure>
      <flakyError message="timeout" type="Timeout"/>
    </testcase>
    <testcase classname="tests.test_math" name="test_ok"/>
    <testcase classname="tests.test_math" name="test_broken"><failure message="no"/><rerunFailure message="no" type="failure"/></testcase>
  </testsuite>
  <testsuite name="js">
    <testcase classname="js" name="renders"><flakyFailure message="TypeError: x is undefined" type="TypeError"><stackTrace>at f (file://${projectDir}/src.test.mjs:21:3)</stackTrace></flakyFailure></testcase>
    <testcase classname="cubicle.js" name="js"><flakyFailure message="attempt 1: killed: memory limit 512 MiB reached (it wrote no JUnit report)" type="failure"/></testcase>
  </testsuite>
</testsuites>`,
    );
    expect(flakyTestAnnotations(report, where)).toEqual([
      {
        title: 'flaky: py: tests.test_math › test_add',
        message: 'passed after 2 failed runs; the first failed with:\nassert 3 == 4\ntests/test_math.py:8: AssertionError',
        file: 'app/tests/test_math.py',
        startLine: 7,
      },
      {
        title: 'flaky: js: renders',
        message: `passed after 1 failed run; the first failed with:\nTypeError: x is undefined\nat f (file://${projectDir}/src.test.mjs:21:3)`,
        file: 'app/src.test.mjs',
        startLine: 21,
      },
      {
        title: 'flaky: js: cubicle.js › js',
        message: 'passed after 1 failed run; the first failed with:\nattempt 1: killed: memory limit 512 MiB reached (it wrote no JUnit report)',
      },
    ]);
  });
});
