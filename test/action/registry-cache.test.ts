// cache: registry against Debian's docker-registry on 127.0.0.1 behind htpasswd, whose password is
// the runner's GITHUB_TOKEN stand-in (action.yml's registry-token default): the default branch
// pushes, a fresh machine pulls (the setup step cached, shards balanced by the pushed timings),
// a pull request never pushes, a registry that is down is a warning, and the token never reaches
// the CLI's environment (as each `cubicle` started: helpers.ts records it) or arguments, nor a job.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, HAVE_REGISTRY, startRegistry, type TestRegistry } from '../image/registry.js';
import { type ActionRun, annotationCommands, removeRunners, Runner, SECRETS } from './helpers.js';

const TOKEN = SECRETS.GITHUB_TOKEN;
const USER = 'cubicle-ci';
if (!HAVE_REGISTRY) console.warn('skipped: the Action with cache: registry needs docker-registry (apt-get install docker-registry apache2-utils)');

let registry: TestRegistry;
beforeAll(async () => {
  if (HAVE_REGISTRY) registry = await startRegistry({ htpasswd: { user: USER, password: TOKEN } });
});
afterAll(async () => {
  await registry?.stop();
  removeRunners();
});

/** A runner whose workflow runs as USER; registry-token is left to action.yml's default, `${{ github.token }}`. */
function registryRunner(): Runner {
  const runner = new Runner();
  runner.env = { GITHUB_ACTOR: USER, GITHUB_REPOSITORY: 'Cubicle-Org/App' };
  return runner;
}

const inputsFor = (ref: string) => ({ cache: 'registry', 'cache-ref': ref, jobs: 'env layered', 'setup-host': 'false' });

function resultsOf(run: ActionRun) {
  return JSON.parse(fs.readFileSync(run.outputs.results!, 'utf8')) as { jobs: { name: string; status: string; cacheHits: number }[] };
}

/** The `cubicle <command>` processes the step ran (node dist/cubicle.cjs cache pull ...). */
function cliProcesses(run: ActionRun, ...command: string[]) {
  return run.cli.filter((cli) => command.every((word, index) => cli.args[index] === word));
}

/** The token is masked first thing, then appears nowhere: the log, the files left, a CLI's environment or arguments. */
function expectTokenKept(run: ActionRun, runner: Runner): void {
  expect(run.log.startsWith(`::add-mask::${TOKEN}\n`), run.log.slice(0, 200)).toBe(true);
  expect(run.log.replace(`::add-mask::${TOKEN}\n`, '')).not.toContain(TOKEN);
  for (const { file, text } of runner.leftFiles()) expect(text, file).not.toContain(TOKEN);
  expect(run.cli.length).toBeGreaterThan(0);
  for (const cli of run.cli) {
    expect(JSON.stringify(cli.env), `the environment of cubicle ${cli.args.join(' ')}`).not.toContain(TOKEN);
    expect(cli.args.join(' ')).not.toContain(TOKEN);
    expect(Object.keys(cli.env).filter((name) => /^(INPUT_|STATE_|ACTIONS_)|^GITHUB_TOKEN$/.test(name))).toEqual([]);
  }
}

describe.skipIf(!HAVE_REGISTRY)('cache: registry', () => {
  let ref: string;
  const machineA = registryRunner();
  beforeAll(() => {
    ref = `${registry.host}/team/app/cubicle-cache`;
  });

  it('default branch: runs with the store it has, then post pushes the layers and the timings (a manifest PUT)', async () => {
    const main = await machineA.run('main', inputsFor(ref), { recordCli: true });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.log).toContain(`cubicle cache pull ${ref} (as ${USER})`);
    expect(resultsOf(main).jobs.map((job) => [job.name, job.status, job.cacheHits])).toEqual([
      ['env', 'passed', 0],
      ['layered', 'passed', 0],
    ]);
    const pull = cliProcesses(main, 'cache', 'pull');
    expect(pull, 'the cubicle cache pull process').toHaveLength(1);
    expect(pull[0]!.args).toEqual([
      'cache',
      'pull',
      ref,
      '--username',
      USER,
      '--password-stdin',
      '--timings-to',
      expect.stringMatching(/registry-timings\.xml$/),
    ]);
    expect(pull[0]!.env.CUBICLE_CACHE_DIR).toBe(machineA.cacheDir);
    expect(cliProcesses(main, 'run').length, 'cubicle run processes').toBeGreaterThan(0);
    expectTokenKept(main, machineA);
    // what the env job saw: no token, no input, nothing of the runner's
    const jobEnv = fs.readFileSync(path.join(machineA.workspace, 'cubicle-artifacts', 'env', 'env.txt'), 'utf8');
    expect(jobEnv).toContain('CUBICLE_JOB=env');
    expect(jobEnv).not.toContain(TOKEN);

    registry.clearLog();
    const post = await machineA.run('post', inputsFor(ref), { recordCli: true });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain("pushing to the registry cache: this run's layers and timings on the default branch");
    expect(post.log).toContain(`cubicle cache push ${ref} (as ${USER}; timings from ${path.join(machineA.workspace, 'cubicle-junit.xml')})`);
    expect(annotationCommands(post.log, 'warning')).toEqual([]);
    const manifests = registry.requests().filter((request) => request.method === 'PUT' && request.uri.startsWith('/v2/team/app/cubicle-cache/manifests/'));
    expect(manifests.map((request) => request.status)).toContain(201);
    expect(cliProcesses(post, 'cache', 'push')).toHaveLength(1);
    expectTokenKept(post, machineA);
  });

  it('a fresh machine pulls: the setup step is cached, and cubicle run balances by the timings pushed', async () => {
    // the same checkout path, as on GitHub's runners (a layer's key holds the project's path), and an empty store
    const machineB = machineA;
    machineB.cacheDir = fs.mkdtempSync(path.join(machineB.root, 'cache-'));
    registry.clearLog();
    const main = await machineB.run('main', inputsFor(ref), { recordCli: true });
    expect(main.exitCode, main.log).toBe(0);
    expect(annotationCommands(main.log, 'warning')).toEqual([]);
    expect(registry.requests().filter((request) => request.method === 'GET' && request.uri.includes('/blobs/')).length).toBeGreaterThan(0);
    expect(resultsOf(main).jobs.find((job) => job.name === 'layered')).toMatchObject({ status: 'passed', cacheHits: 1 });
    expect(main.log).toMatch(/^pulled 1 layers from .*cubicle-cache:latest; 0 already here; timings written to .*registry-timings\.xml$/m);
    expect(main.log).toContain(`shards are balanced by the timings ${ref} keeps`);
    const run = cliProcesses(main, 'run');
    expect(run.length, 'cubicle run processes').toBeGreaterThan(0);
    for (const cli of run) expect(cli.args.join(' ')).toContain(` --timings ${path.join(machineB.temp, 'cubicle', 'cubicle', 'registry-timings.xml')}`);
    expectTokenKept(main, machineB);
  });

  it('a pull request pulls but never pushes, even with a new layer', async () => {
    const machineC = registryRunner();
    machineC.ref = 'refs/pull/7/merge';
    fs.appendFileSync(path.join(machineC.workspace, 'deps.lock'), 'pr-pad 1.0.0\n');
    const main = await machineC.run('main', inputsFor(ref));
    expect(main.exitCode, main.log).toBe(0);
    expect(resultsOf(main).jobs.find((job) => job.name === 'layered')).toMatchObject({ status: 'passed', cacheHits: 0 });
    registry.clearLog();
    const post = await machineC.run('post', inputsFor(ref), { recordCli: true });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain(
      "registry cache not pushed: this run's layers and timings, but this run is for refs/pull/7/merge, " +
        'not the default branch (refs/heads/main); save-cache is default-branch',
    );
    expect(post.cli).toEqual([]);
    expect(registry.requests()).toEqual([]);
  });

  it('a registry that is down, or refuses the credentials: warnings, the jobs run, the step passes', async () => {
    const down = `127.0.0.1:${await freePort()}/team/app/cubicle-cache`;
    for (const [ref, inputs] of [
      [down, {}],
      [`${registry.host}/team/app/cubicle-cache`, { 'registry-token': 'not-the-password' }],
    ] as const) {
      const machine = registryRunner();
      const main = await machine.run('main', { ...inputsFor(ref), ...inputs });
      expect(main.exitCode, main.log).toBe(0);
      expect(main.outputs).toMatchObject({ passed: '2', failed: '0' });
      expect(annotationCommands(main.log, 'warning').map((warning) => warning.message)).toContainEqual(
        expect.stringMatching(new RegExp(`^cubicle cache pull ${ref} exited with 1 \\(its output is above\\); layers are built, not pulled$`)),
      );
      const post = await machine.run('post', { ...inputsFor(ref), ...inputs });
      expect(post.exitCode, post.log).toBe(0);
      expect(annotationCommands(post.log, 'warning').map((warning) => warning.message)).toContainEqual(
        expect.stringMatching(new RegExp(`^cubicle cache push ${ref} exited with 1 \\(its output is above\\); the registry cache is not updated$`)),
      );
    }
  });
});
