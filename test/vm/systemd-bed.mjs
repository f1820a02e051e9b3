#!/usr/bin/env node
// A GitHub-hosted runner, emulated: run INSIDE the VM booted with `run.sh --systemd`
// (test/vm/systemd-bed.sh boots it), where Debian's systemd is PID 1 on cgroup v2 and this
// script runs as `runner` in system.slice/runner.service, which is not delegated to it, with
// the user lingering and passwordless sudo, as the runner's step scripts do.
// What a job on such a runner meets: doctor, limits through `systemd-run --user --scope`
// with and without XDG_RUNTIME_DIR, wrapping cubicle in a scope yourself, cancelling (SIGTERM
// to cubicle, SIGKILL to it, SIGTERM to the Action), the Action's dist/ under Node 24, and
// `cubicle setup` / `--undo` with lingering off. Prints TAP and `N passed, N failed, N skipped`.
// Usage (in the VM): node systemd-bed.mjs REPO   (CUBICLE_BED_NODE24: Node 24 for the Action)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const repo = process.argv[2] ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cli = path.join(repo, 'bin', 'cubicle.js');
const uid = process.getuid();
const user = os.userInfo().username;
const runtimeDir = `/run/user/${uid}`;
const counts = { passed: 0, failed: 0, skipped: 0 };
let testNumber = 0;
const started = Date.now();

function ok(condition, name, detail = '') {
  testNumber += 1;
  if (condition) counts.passed += 1;
  else counts.failed += 1;
  const note = !condition && detail ? `\n# ${String(detail).trim().replaceAll('\n', '\n# ')}` : '';
  console.log(`${condition ? 'ok' : 'not ok'} ${testNumber} - ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)${note}`);
}

function skip(name, reason) {
  testNumber += 1;
  counts.skipped += 1;
  console.log(`ok ${testNumber} - ${name} # SKIP ${reason}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(predicate, ms) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (predicate()) return true;
  return predicate();
}

const run = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', timeout: 240_000, ...options });
const output = (result) => `${result.stdout ?? ''}${result.stderr ?? ''}`;

// Where the runner lives and what it may touch: nothing of system.slice/runner.service is ours.
const own = fs.readFileSync('/proc/self/cgroup', 'utf8').trim();
console.log(
  `# systemd bed: ${user} (uid ${uid}) in ${own}, kernel ${os.release()}, node ${process.version}, ` +
    `first command ${fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]} s after the kernel started`,
);
ok(own === '0::/system.slice/runner.service', "the suite runs as a child of system.slice/runner.service (as a GitHub runner's steps)", own);
ok(!('XDG_RUNTIME_DIR' in process.env), 'a service has no XDG_RUNTIME_DIR', process.env.XDG_RUNTIME_DIR);
const managerUp = await waitFor(() => fs.existsSync(path.join(runtimeDir, 'systemd', 'private')), 60_000);
ok(managerUp, `the lingering user's systemd manager is up (${runtimeDir}/systemd/private)`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'systemd-bed-'));
fs.chmodSync(work, 0o755);
const cacheDir = path.join(work, 'cache');
const baseEnv = { ...process.env, CUBICLE_CACHE_DIR: cacheDir, NO_COLOR: '1' };
const withRuntimeDir = { ...baseEnv, XDG_RUNTIME_DIR: runtimeDir };
let projects = 0;

function project(config, files = {}) {
  projects += 1;
  const dir = path.join(work, `project-${projects}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'cubicle.config.yaml'), config);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

function results(dir) {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
    return { jobs: parsed.jobs, job: (name) => parsed.jobs.find((job) => job.name === name) ?? {} };
  } catch {
    return { jobs: [], job: () => ({}) };
  }
}

/** Job cgroups anywhere on the machine, and processes whose command line holds `marker`. */
function leftCgroups() {
  return run('find', ['/sys/fs/cgroup', '-type', 'd', '-name', 'cubicle-*']).stdout.trim();
}
function leftProcesses(marker) {
  return run('pgrep', ['-af', marker]).stdout.trim();
}

/** CUBICLE_BED_ONLY=cancel,action (a comma-separated list) runs only those sections. */
const only = (process.env.CUBICLE_BED_ONLY ?? '').split(',').filter(Boolean);
const section = (name) => only.length === 0 || only.includes(name);

const spinners = fs.readFileSync(path.join(repo, 'test', 'limits', 'spinners.py'), 'utf8');
const hog = (mib) => `/usr/bin/python3 -c "import time; block = b'x' * (${mib} * 1024 * 1024); time.sleep(0.2)"`;

/** memory (oom), cpus (share), pids (a fork bomb) and timeout (a detached grandchild), in one run. */
function limitsProject(marker) {
  return project(
    `jobs:
  hog: { memory: 64m, timeout: 120s, run: ${JSON.stringify(hog(128))} }
  half: { cpus: 0.5, artifacts: [share.txt], run: '/usr/bin/python3 spinners.py 1 3 > share.txt' }
  bomb: { pids: 64, timeout: 60s, run: 'sh ./${marker}-bomb.sh' }
  late: { timeout: 2s, run: 'setsid sh ./${marker}-late.sh & sleep 100' }
`,
    { 'spinners.py': spinners, [`${marker}-bomb.sh`]: 'bomb() { bomb & bomb & wait; }\nbomb\n', [`${marker}-late.sh`]: 'sleep 100\n' },
  );
}

function checkLimits(label, env) {
  const marker = `limits${projects + 1}`;
  const dir = limitsProject(marker);
  const result = run(process.execPath, [cli, 'run', '--json', 'results.json', '--parallel', '2'], { cwd: dir, env });
  const { job } = results(dir);
  const detail = `exit ${result.status}\n${output(result).slice(-2500)}`;
  ok(
    result.status === 1 && job('hog').status === 'oom',
    `${label}: memory 64m ends a 128 MiB hog as oom (exit 1: a job failed)`,
    `${JSON.stringify(job('hog'))}\n${detail}`,
  );
  let share = NaN;
  try {
    share = Number(fs.readFileSync(path.join(dir, 'cubicle-artifacts', 'half', 'share.txt'), 'utf8'));
  } catch {
    // no artifact: the assertion says so
  }
  // A ceiling: the VM's vCPUs share a 2-core host, which can only lower the share.
  ok(
    job('half').status === 'passed' && share <= 0.55 && job('half').cpuThrottledMs > 0,
    `${label}: cpus 0.5 holds a spinner to at most 55% of a CPU (used ${(share * 100).toFixed(1)}%), throttled`,
    JSON.stringify(job('half')),
  );
  ok(job('bomb').pidsLimitHits > 0, `${label}: pids 64 contains a fork bomb (pids.events max ${job('bomb').pidsLimitHits})`, JSON.stringify(job('bomb')));
  ok(
    job('late').status === 'timeout' && job('late').wallMs < 30_000,
    `${label}: timeout 2s ends sleep 100 and a detached grandchild (after ${job('late').wallMs} ms)`,
    JSON.stringify(job('late')),
  );
  const left = [leftProcesses(marker), leftCgroups()].filter(Boolean).join('\n');
  ok(left === '', `${label}: no job process and no job cgroup is left anywhere`, left);
}

// ---------------------------------------------------------------- doctor (bug 3)
if (section('doctor')) {
  const doctor = run(process.execPath, [cli, 'doctor', '--json'], { env: baseEnv, cwd: work });
  let cgroups = {};
  try {
    cgroups = JSON.parse(doctor.stdout).checks.find((check) => check.id === 'cgroups') ?? {};
  } catch {
    // not JSON: the assertion shows the output
  }
  ok(
    cgroups.state === 'ok' && /systemd-run/.test(cgroups.detail ?? ''),
    'doctor: limits work through systemd-run --user --scope, and doctor says so (not missing)',
    `${JSON.stringify(cgroups)}\n${output(doctor).slice(-1500)}`,
  );
}

// ---------------------------------------------------------------- limits, with and without XDG_RUNTIME_DIR (bug 1)
if (section('limits')) {
  checkLimits('with XDG_RUNTIME_DIR', withRuntimeDir);
  checkLimits('without XDG_RUNTIME_DIR (a service, sudo -u, cron)', baseEnv);
  // A runtime dir whose manager is gone (a stale socket file): systemd-run itself fails.
  const stale = path.join(work, 'stale-runtime');
  fs.mkdirSync(path.join(stale, 'systemd'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(stale, 'systemd', 'private'), '');
  const dir = project(`jobs:\n  small: { memory: 64m, run: 'echo ran > ran.txt' }\n`);
  const failed = run(process.execPath, [cli, 'run'], { cwd: dir, env: { ...baseEnv, XDG_RUNTIME_DIR: stale } });
  ok(
    failed.status === 3 &&
      /systemd-run --user --scope` could not start/.test(failed.stderr) &&
      /no job was run/.test(failed.stderr) &&
      !fs.existsSync(path.join(dir, 'ran.txt')),
    'systemd-run failing (a stale runtime dir) is exit 3 naming it and the fix, not exit 1 as if a job had failed; no job ran',
    `exit ${failed.status}\n${output(failed).slice(-1500)}`,
  );
}

// ---------------------------------------------------------------- wrapping cubicle yourself (bug 4)
if (section('wrap')) {
  // As a user installed it: node_modules/.bin/cubicle, started through npx.
  const dir = project(`jobs:\n  small: { memory: 64m, run: ${JSON.stringify(hog(128))} }\n`);
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(repo, path.join(dir, 'node_modules', 'cubicle'));
  fs.symlinkSync('../cubicle/bin/cubicle.js', path.join(dir, 'node_modules', '.bin', 'cubicle'));
  const wrapped = (scopeArgs) =>
    run('systemd-run', ['--user', '--scope', '--quiet', ...scopeArgs, '--', 'npx', '--no-install', 'cubicle', 'run', '--json', 'results.json'], {
      cwd: dir,
      env: withRuntimeDir,
    });
  const delegated = wrapped(['-p', 'Delegate=yes']);
  ok(
    delegated.status === 1 && results(dir).job('small').status === 'oom',
    '`systemd-run --user --scope -p Delegate=yes npx cubicle run` runs the limited job (npx, sh and node share the scope)',
    `exit ${delegated.status}\n${output(delegated).slice(-2000)}`,
  );
  fs.rmSync(path.join(dir, 'results.json'), { force: true });
  const undelegated = wrapped([]);
  ok(
    undelegated.status === 1 && results(dir).job('small').status === 'oom',
    'a scope that is not delegated (no -p Delegate=yes): cubicle falls back to its own delegated scope',
    `exit ${undelegated.status}\n${output(undelegated).slice(-2000)}`,
  );
  ok(leftCgroups() === '', 'no job cgroup is left after the wrapped runs', leftCgroups());
}

// ---------------------------------------------------------------- cancelling a re-run (bug 2)
/** Starts `cubicle run` on a long job, waits until the job runs, then does `stop` to it. */
async function cancelRun(label, stop, env) {
  const marker = `cancel${projects + 1}`;
  const dir = project(`jobs:\n  long: { memory: 256m, run: 'sh ./${marker}.sh' }\n`, { [`${marker}.sh`]: 'echo started; sleep 300\n' });
  const child = spawn(process.execPath, [cli, 'run', '--json', 'results.json', '--junit', 'junit.xml'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const running = await waitFor(() => leftProcesses(`${marker}.sh`).includes('sleep') || /started/.test(log), 120_000);
  const before = Date.now();
  stop(child);
  const code = await Promise.race([exited, sleep(30_000).then(() => 'still running after 30 s')]);
  const gone = await waitFor(() => leftProcesses(marker) === '' && leftCgroups() === '', 15_000);
  const after = Date.now() - before;
  ok(
    running && gone && after < 15_000,
    `${label}: every job process and cgroup is gone ${after} ms after (cancel grace 5 s)`,
    `${leftProcesses(marker)}\n${leftCgroups()}\n${log.slice(-1500)}`,
  );
  return { code, dir, log };
}
// XDG_RUNTIME_DIR set: what is tested is the cancel, whatever bug 1 does.
if (section('cancel')) {
  const { code, dir, log } = await cancelRun('SIGTERM to cubicle', (child) => child.kill('SIGTERM'), withRuntimeDir);
  const junit = fs.existsSync(path.join(dir, 'junit.xml')) ? fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8') : '';
  ok(
    code === 143 && results(dir).job('long').status === 'cancelled' && /cancelled/.test(junit),
    'SIGTERM to cubicle: exit 143, the job is cancelled in --json and the JUnit',
    `exit ${code}\n${junit.slice(0, 800)}\n${log.slice(-800)}`,
  );
  await cancelRun('SIGKILL to cubicle (nothing passed on)', (child) => child.kill('SIGKILL'), withRuntimeDir);
}

// ---------------------------------------------------------------- the Action's dist/ under Node 24
const node24 = process.env.CUBICLE_BED_NODE24;
/** action.yml's input defaults, which the runner hands the action as INPUT_* variables. */
const inputDefaults = (() => {
  const yaml = createRequire(path.join(repo, 'package.json'))('js-yaml');
  const action = yaml.load(fs.readFileSync(path.join(repo, 'action.yml'), 'utf8'));
  return Object.fromEntries(Object.entries(action.inputs).flatMap(([name, input]) => (input.default === undefined ? [] : [[name, String(input.default)]])));
})();
/** One step of a workflow job: dist/ENTRY.mjs with a runner's environment. */
function actionStep(workspace, entry, inputs, state = {}) {
  const files = path.join(workspace, '..', 'files');
  fs.mkdirSync(files, { recursive: true });
  const file = (name) => path.join(files, `${entry}-${name}`);
  for (const name of ['output', 'state', 'summary', 'env', 'path']) fs.writeFileSync(file(name), '');
  fs.writeFileSync(path.join(files, 'event.json'), JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'main' } }));
  const env = {
    PATH: process.env.PATH,
    HOME: os.homedir(),
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'cubicle',
    GITHUB_ACTION_PATH: repo,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: path.join(files, 'event.json'),
    GITHUB_OUTPUT: file('output'),
    GITHUB_STATE: file('state'),
    GITHUB_STEP_SUMMARY: file('summary'),
    GITHUB_ENV: file('env'),
    GITHUB_PATH: file('path'),
    RUNNER_TEMP: path.join(workspace, '..', 'temp'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    CUBICLE_CACHE_DIR: cacheDir,
    // No cache service here (GitHub's is not reachable): the layer cache is off.
    ...Object.fromEntries(
      Object.entries({ ...inputDefaults, cache: 'false', ...inputs }).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
    ),
    ...Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value])),
  };
  fs.mkdirSync(env.RUNNER_TEMP, { recursive: true });
  return { env, file, spawn: () => spawn(node24, [path.join(repo, 'dist', `${entry}.mjs`)], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] }) };
}
async function finished(child, onLog = () => {}) {
  let log = '';
  const append = (chunk) => {
    log += chunk;
    onLog(log, child);
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  const code = await new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal)));
  return { code, log };
}
function stateOf(text) {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('=') && !line.includes('<<'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

if (!section('action')) {
  // not asked for
} else if (!node24 || !fs.existsSync(node24)) {
  skip('the Action under Node 24', `no Node 24 in the VM (CUBICLE_BED_NODE24=${node24 ?? ''})`);
} else {
  const workspace = path.join(work, 'action', 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(
    path.join(workspace, 'cubicle.config.yaml'),
    `jobs:\n  limited: { memory: 64m, pids: 64, run: 'echo limited-ok' }\n  hog: { memory: 64m, run: ${JSON.stringify(hog(128))} }\n`,
  );
  const main = actionStep(workspace, 'main', {});
  const { code, log } = await finished(main.spawn());
  const summary = fs.readFileSync(main.file('summary'), 'utf8');
  ok(
    code === 1 && /limited-ok/.test(log) && /\| hog \|[^\n]*oom/.test(summary),
    'the Action (dist/main.mjs, Node 24) runs limited jobs on the runner: the hog is oom in the summary',
    `exit ${code}\n${summary.slice(0, 1200)}\n${log.slice(-2500)}`,
  );
  ok(
    /limited-ok/.test(log) && !/sudo|cubicle setup/.test(log) && !/^::warning::/m.test(log),
    'the Action runs no `sudo cubicle setup` and warns of nothing where limits work',
    log.match(/^.*(sudo|::warning::).*$/gm)?.join('\n') ?? '',
  );
  const post = actionStep(workspace, 'post', {}, stateOf(fs.readFileSync(main.file('state'), 'utf8')));
  const after = await finished(post.spawn());
  ok(after.code === 0, "the Action's post step (dist/post.mjs) ends cleanly", after.log.slice(-1500));

  // A cancelled workflow: the runner signals the step's process.
  const cancelled = path.join(work, 'action2', 'workspace');
  fs.mkdirSync(cancelled, { recursive: true });
  fs.writeFileSync(path.join(cancelled, 'cubicle.config.yaml'), `jobs:\n  slow: { memory: 128m, run: 'echo slow-started; sleep 300 # actioncancel' }\n`);
  const step = actionStep(cancelled, 'main', {});
  let signalled = 0;
  const ended = await finished(step.spawn(), (text, child) => {
    if (!signalled && text.includes('slow-started')) {
      signalled = Date.now();
      child.kill('SIGTERM');
    }
  });
  const gone = await waitFor(() => leftProcesses('actioncancel') === '' && leftCgroups() === '', 15_000);
  const junit = path.join(cancelled, 'cubicle-junit.xml');
  const stepSummary = fs.readFileSync(step.file('summary'), 'utf8');
  ok(
    signalled > 0 && gone,
    `SIGTERM to the Action mid-run: no job process or cgroup is left anywhere (${Date.now() - signalled} ms)`,
    `${leftProcesses('actioncancel')}\n${leftCgroups()}\n${ended.log.slice(-1500)}`,
  );
  ok(
    /cancelled/.test(stepSummary) && fs.existsSync(junit) && /cancelled/.test(fs.readFileSync(junit, 'utf8')),
    'SIGTERM to the Action: its summary and JUnit say the job was cancelled',
    `exit ${ended.code}\n${stepSummary.slice(0, 1000)}\n${ended.log.slice(-1500)}`,
  );
}

// ---------------------------------------------------------------- no lingering; cubicle setup; --undo
if (section('setup')) {
  const dir = project(`jobs:\n  small: { memory: 64m, run: 'echo small-ok' }\n`);
  const limited = () => run(process.execPath, [cli, 'run'], { cwd: dir, env: baseEnv });
  const sudo = (...args) => run('sudo', ['-n', ...args], { env: baseEnv, cwd: work });
  const off = sudo('loginctl', 'disable-linger', user);
  const stopped = await waitFor(() => !fs.existsSync(path.join(runtimeDir, 'systemd', 'private')), 60_000);
  ok(off.status === 0 && stopped, 'lingering off: the user manager stops (a self-hosted runner without it)', output(off));
  const refused = limited();
  ok(
    refused.status === 3 && /cubicle setup --user/.test(refused.stderr),
    'without a user manager, a limited job is refused (exit 3) naming `cubicle setup`',
    `exit ${refused.status}\n${output(refused).slice(-1500)}`,
  );
  const setup = sudo(process.execPath, cli, 'setup', '--user', user);
  const up = await waitFor(() => fs.existsSync(path.join(runtimeDir, 'systemd', 'private')), 60_000);
  ok(
    setup.status === 0 && up && fs.existsSync(`/var/lib/systemd/linger/${user}`),
    '`sudo cubicle setup --user runner` turns lingering on and the manager starts',
    output(setup),
  );
  const works = limited();
  ok(works.status === 0 && /small-ok/.test(works.stdout), 'after setup, the limited job runs', `exit ${works.status}\n${output(works).slice(-1500)}`);
  const undo = sudo(process.execPath, cli, 'setup', '--undo', '--user', user);
  const down = await waitFor(() => !fs.existsSync(path.join(runtimeDir, 'systemd', 'private')), 60_000);
  ok(
    undo.status === 0 && down && !fs.existsSync(`/var/lib/systemd/linger/${user}`),
    '`cubicle setup --undo` turns lingering off again (setup had turned it on)',
    output(undo),
  );
  const again = limited();
  ok(again.status === 3, 'after --undo, the limited job is refused again (exit 3)', `exit ${again.status}\n${output(again).slice(-1000)}`);
}

fs.rmSync(work, { recursive: true, force: true });
console.log(`# bed time ${((Date.now() - started) / 1000).toFixed(1)} s after boot`);
console.log(`1..${testNumber}`);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed > 0 ? 1 : 0);
