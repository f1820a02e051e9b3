#!/usr/bin/env node
// The limits suite on cgroup v2, run INSIDE the VM (test/vm/limits-v2.sh boots it) by
// `cubicle run` on fixture projects, as whoever the VM runs it as. Prints TAP and a
// final `N passed, N failed, N skipped`.
//
// Each `cubicle run` starts in a fresh child cgroup of its own, as under
// `systemd-run --scope -p Delegate=yes`: the harness first moves itself into a leaf and
// enables controllers for its siblings (the no-internal-process rule), which is test-bed
// plumbing, like the VM's own cgroup setup.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = process.argv[2] ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cli = path.join(repo, 'bin', 'cubicle.js');
const MiB = 1024 * 1024;
const counts = { passed: 0, failed: 0, skipped: 0 };
let testNumber = 0;

function ok(condition, name, detail = '') {
  testNumber += 1;
  if (condition) counts.passed += 1;
  else counts.failed += 1;
  console.log(`${condition ? 'ok' : 'not ok'} ${testNumber} - ${name}${!condition && detail ? `\n# ${detail.replaceAll('\n', '\n# ')}` : ''}`);
}

const own = fs.readFileSync('/proc/self/cgroup', 'utf8').trim();
if (!own.startsWith('0::') || own.includes('\n')) {
  console.log(`not ok 1 - pure cgroup v2 (got ${own})\n0 passed, 1 failed, 0 skipped`);
  process.exit(1);
}
const scope = path.join('/sys/fs/cgroup', own.slice(3));
const harness = path.join(scope, 'harness');
fs.mkdirSync(harness, { recursive: true });
fs.writeFileSync(path.join(harness, 'cgroup.procs'), String(process.pid));
for (const controller of ['memory', 'cpu', 'pids']) fs.writeFileSync(path.join(scope, 'cgroup.subtree_control'), `+${controller}`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-v2-'));
fs.chmodSync(work, 0o755);
let runs = 0;

/** `cubicle ARGS` in a fresh cgroup of its own; returns exit code, output and the JSON results. */
function cubicle(config, args = [], files = {}) {
  runs += 1;
  const project = path.join(work, `project-${runs}`);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), config);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(project, name), content);
  const cgroup = path.join(scope, `run-${runs}`);
  fs.mkdirSync(cgroup);
  const env = { ...process.env, CUBICLE_CACHE_DIR: path.join(work, 'cache'), NO_COLOR: '1' };
  const result = spawnSync(
    '/bin/sh',
    ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`, 'sh', process.execPath, cli, 'run', '--json', 'results.json', ...args],
    {
      cwd: project,
      env,
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  let results = { jobs: [] };
  try {
    results = JSON.parse(fs.readFileSync(path.join(project, 'results.json'), 'utf8'));
  } catch {
    // no results: the assertions below say so
  }
  const leftovers = fs
    .readdirSync(cgroup, { recursive: true })
    .map(String)
    .filter((entry) => entry.startsWith('cubicle-'));
  return {
    project,
    code: result.status,
    output: `${result.stdout}${result.stderr}`,
    job: (name) => results.jobs.find((job) => job.name === name) ?? {},
    results,
    leftovers,
    cgroup,
  };
}

const hog = (mib) => `/usr/bin/python3 -c "import time; block = b'x' * (${mib} * 1024 * 1024); time.sleep(0.2)"`;
const spinners = fs.readFileSync(path.join(repo, 'test', 'limits', 'spinners.py'), 'utf8');
const who = process.getuid() === 0 ? 'root' : os.userInfo().username;
console.log(`# cgroup v2 limits as ${who}, kernel ${os.release()}, scope ${scope}`);

{
  const hogs = Array.from({ length: 20 }, (_, i) => `  hog${i + 1}: { run: ${JSON.stringify(hog(128))} }`).join('\n');
  const run = cubicle(`defaults:\n  memory: 64m\n  timeout: 120s\njobs:\n${hogs}\n  fits: { run: ${JSON.stringify(hog(32))} }\n`, ['--parallel', '2']);
  const hogJobs = Array.from({ length: 20 }, (_, i) => run.job(`hog${i + 1}`));
  ok(
    hogJobs.every((job) => job.status === 'oom'),
    'memory: 64m ends a hog as oom in 20 of 20 runs',
    hogJobs.map((job) => `${job.status}: ${job.message}`).join('\n') + run.output.slice(-2000),
  );
  const peaks = hogJobs.map((job) => job.peakMemoryBytes);
  ok(
    peaks.every((peak) => Math.abs(peak - 64 * MiB) <= 0.1 * 64 * MiB),
    'the reported peak is within 10% of 64 MiB (memory.peak)',
    `peaks: ${peaks.join(', ')}`,
  );
  ok(run.job('fits').status === 'passed', 'a job using 32 MiB under memory: 64m passes', JSON.stringify(run.job('fits')));
  ok(run.leftovers.length === 0, 'no job cgroup is left after the run', run.leftovers.join(', '));
}

{
  // The CPU share over the spinning window (test/limits/spinners.py), not over the job's wall
  // time: under TCG the interpreters' start-up is slow and I/O-bound, and a busy host makes it
  // slower still, which once measured 131.7% for a limit that held.
  // A limit is a ceiling: contention on the host (the VM's 2 vCPUs are threads on a 2-core
  // machine) can only lower a share, and once gave 110.5% for cpus 1.5. A share under its
  // floor is measured again, up to 3 times, each attempt printed; one over its ceiling fails
  // at once, and a limit set too low fails all three.
  const measure = () => {
    const run = cubicle(
      `jobs:\n  half: { cpus: 0.5, artifacts: [share.txt], run: '/usr/bin/python3 spinners.py 1 3 > share.txt' }\n  oneandhalf: { cpus: 1.5, artifacts: [share.txt], run: '/usr/bin/python3 spinners.py 2 3 > share.txt' }\n`,
      ['--parallel', '1'],
      { 'spinners.py': spinners },
    );
    const share = (name) => {
      try {
        return Number(fs.readFileSync(path.join(run.project, 'cubicle-artifacts', name, 'share.txt'), 'utf8'));
      } catch {
        return NaN;
      }
    };
    return { run, share };
  };
  let { run, share } = measure();
  for (let attempt = 2; attempt <= 3; attempt++) {
    const [half, both] = [share('half'), share('oneandhalf')];
    const underFloor = half < 0.45 || both < 1.35;
    if (!underFloor || half > 0.55 || both > 1.6) break;
    console.log(
      `# CPU attempt ${attempt - 1}: cpus 0.5 used ${(half * 100).toFixed(1)}%, cpus 1.5 used ${(both * 100).toFixed(1)}%: under a floor, the VM got less CPU than the limits allow; measuring again`,
    );
    ({ run, share } = measure());
  }
  const half = run.job('half');
  ok(
    share('half') >= 0.45 && share('half') <= 0.55,
    `cpus: 0.5 holds a spinner to 50% ± 5% of a CPU (used ${(share('half') * 100).toFixed(1)}%)`,
    JSON.stringify(half) + run.output.slice(-1000),
  );
  ok(half.cpuThrottledMs > 0, 'the throttled time is reported (cpu.stat)', JSON.stringify(half));
  const both = run.job('oneandhalf');
  ok(
    share('oneandhalf') >= 1.35 && share('oneandhalf') <= 1.6,
    `cpus: 1.5 holds two spinners to ~150% (used ${(share('oneandhalf') * 100).toFixed(1)}%)`,
    JSON.stringify(both),
  );
  const reported = [half, both].map((job, index) => (job.cpuUserMs + job.cpuSystemMs) / job.wallMs / [0.5, 1.5][index]);
  ok(
    reported.every((fraction) => fraction <= 1.07),
    "the CPU cubicle reports never exceeds the limit over a job's wall time",
    reported.join(', '),
  );
}

{
  const marker = `bomb-${process.pid}`;
  const run = cubicle(`jobs:\n  bomb: { pids: 64, timeout: 30s, run: 'sh ./${marker}.sh' }\n`, [], {
    [`${marker}.sh`]: 'bomb() { bomb & bomb & wait; }\nbomb\n',
  });
  const bomb = run.job('bomb');
  ok(
    ['passed', 'failed', 'timeout'].includes(bomb.status) && bomb.pidsLimitHits > 0,
    'pids: 64 contains a fork bomb and reports the limit hits (pids.events)',
    JSON.stringify(bomb) + run.output.slice(-1000),
  );
  const left = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
  ok(left === '', 'no process of the fork bomb is left', left);
}

{
  const marker = `late-${process.pid}`;
  const run = cubicle(`jobs:\n  late: { timeout: 2s, memory: 256m, run: 'setsid sh ./${marker}.sh & sleep 100' }\n`, [], { [`${marker}.sh`]: 'sleep 100\n' });
  const late = run.job('late');
  ok(
    late.status === 'timeout' && late.wallMs >= 1900 && late.wallMs < 30_000,
    `timeout: 2s ends sleep 100 and a detached grandchild (after ${late.wallMs} ms)`,
    JSON.stringify(late),
  );
  const left = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
  ok(left === '', 'zero processes are left', left);
}

{
  // Started by a shell that stays in the same cgroup (as `npx cubicle run` in a scope of its
  // own): the shell moves into the leaf with cubicle, and the limits hold.
  const wrapped = path.join(work, 'wrapped');
  fs.mkdirSync(wrapped);
  fs.writeFileSync(path.join(wrapped, 'cubicle.config.yaml'), `jobs:\n  hog: { memory: 64m, run: ${JSON.stringify(hog(128))} }\n`);
  const cgroup = path.join(scope, 'wrapped');
  fs.mkdirSync(cgroup);
  const env = { ...process.env, CUBICLE_CACHE_DIR: path.join(work, 'cache'), NO_COLOR: '1' };
  const viaShell = spawnSync(
    '/bin/sh',
    ['-c', `echo $$ > ${cgroup}/cgroup.procs && "$@"; exit $?`, 'sh', process.execPath, cli, 'run', '--json', 'results.json'],
    { cwd: wrapped, env, encoding: 'utf8' },
  );
  const hogStatus = JSON.parse(fs.existsSync(path.join(wrapped, 'results.json')) ? fs.readFileSync(path.join(wrapped, 'results.json'), 'utf8') : '{"jobs":[]}')
    .jobs[0]?.status;
  ok(
    viaShell.status === 1 && hogStatus === 'oom',
    'started by a shell in the same cgroup, cubicle moves both into a leaf and the memory limit holds',
    viaShell.stdout + viaShell.stderr,
  );

  // Not in a cgroup of its own (another process of the harness is in the same one): nothing
  // is moved, controllers cannot be enabled.
  const project = path.join(work, 'shared-cgroup');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), 'jobs:\n  unit: { memory: 64m, run: "true" }\n');
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  const refused = spawnSync(process.execPath, [cli, 'run'], { cwd: project, env, encoding: 'utf8' });
  other.kill('SIGKILL');
  ok(
    refused.status === 3 && refused.stderr.includes('--no-limits') && refused.stderr.includes(`${other.pid} (sleep)`),
    'a limited job in a cgroup shared with another process is refused with exit 3, naming the process, and the fix',
    refused.stderr,
  );
  ok(
    fs.readFileSync('/proc/self/cgroup', 'utf8').trim().endsWith('/harness'),
    'the harness, which started that cubicle, was not moved',
    fs.readFileSync('/proc/self/cgroup', 'utf8'),
  );
  const unlimited = spawnSync(process.execPath, [cli, 'run', '--no-limits'], { cwd: project, env, encoding: 'utf8' });
  ok(
    unlimited.status === 0 && unlimited.stdout.includes('limits off'),
    'with --no-limits it runs, and says limits were off',
    unlimited.stdout + unlimited.stderr,
  );
}

fs.rmSync(work, { recursive: true, force: true });
console.log(`1..${testNumber}`);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed > 0 ? 1 : 0);
