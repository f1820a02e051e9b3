#!/usr/bin/env node
// `npm run bench`: cubicle's speed side by side with its peers, in the same hyperfine run,
// reported as ratios. Run it as the user that will run cubicle (rootless is the normal case).
//   1. helper start-to-exit for /bin/true: bare, cubicle-sandbox (all namespaces, overlay
//      root of 3 lower layers; its own maps, --uid-map single, and as not root joining a
//      --hold-userns holder as `cubicle run` does), bwrap --unshare-all, unshare -Urmpfn
//   2. the same sandbox with a cgroup and memory, cpus and pids limits (target: +2 ms at most)
//   3. `cubicle run` of one trivial job, end to end (target: under 250 ms); 3b, bench/config.mjs:
//      the same with a code config, evaluated in its sandbox, beside a YAML one; 3c,
//      bench/backpressure.mjs: a job printing 100 MB, with and without cubicle (target: +10% at most)
//   4. a job on warm setup layers against one without (target: within 20 ms)
//   5. 1,000 trivial jobs: throughput beside bwrap and the helper alone, and the runner's peak RSS
//   6. bench/systemd-scope.mjs, as root where the VM is prepared: on a GitHub runner (the systemd
//      bed), the systemd-run re-run's start-up cost against the delegated-cgroup path, as a ratio
//   7. bench/installed.mjs: from the installed package (packed, npm i of the tarballs), `npx cubicle
//      --version` and `cubicle run` of one trivial job, each as a ratio to `node -e 0`
//   8. bench/registry-cache.mjs: cache push/pull of a 500 MB store and a cold --cache-from run, against skopeo copy.
// At the end, the three start-up targets as ratios of medians, each pair from one hyperfine run:
// `cubicle --version` <= 1.3x `node -e 0`, `cubicle run` of one trivial job <= 1.8x `node -e 0`
// (part 3), N trivial jobs at --parallel 2 <= 1.3x the same sandboxes started by `xargs -P2 bwrap` (part 5).
// BENCH_ONLY=targets runs parts 3 and 5 alone; BENCH_RUNS, BENCH_JOBS (200) and BENCH_SCALE_RUNS (3) set the counts.
import { spawn } from 'node:child_process';
import { $, fs, os, path } from 'zx';

$.verbose = false;
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const helper = path.join(repo, 'native', 'cubicle-sandbox');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-'));
const resultsDir = path.join(repo, 'bench', 'results');
fs.mkdirSync(resultsDir, { recursive: true });
const runs = Number(process.env.BENCH_RUNS || 200);
const targetsOnly = process.env.BENCH_ONLY === 'targets';

async function have(tool) {
  return (await $`command -v ${tool}`.nothrow()).exitCode === 0;
}

/** Runs hyperfine on named shell-free commands; returns {name: {mean, stddev, median}} in ms. */
async function hyperfine(label, commands, { runCount = runs, warmup = 20, prepare = {} } = {}) {
  const file = path.join(resultsDir, `${label}.json`);
  const args = ['-N', '--warmup', String(warmup), '--runs', String(runCount), '--export-json', file];
  // --prepare is given once per command when any command needs one (hyperfine's rule).
  if (Object.keys(prepare).length) for (const name of Object.keys(commands)) args.push('--prepare', prepare[name] ?? 'true');
  for (const [name, command] of Object.entries(commands)) args.push('-n', name, command);
  const result = await $`hyperfine ${args}`.nothrow();
  if (result.exitCode !== 0) throw new Error(`hyperfine failed:\n${result.stderr}`);
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.fromEntries(
    report.results.map((entry) => [entry.command, { mean: entry.mean * 1000, stddev: entry.stddev * 1000, median: entry.median * 1000 }]),
  );
}

function table(title, results, reference) {
  console.log(`\n${title}`);
  const base = results[reference]?.median;
  for (const [name, { mean, stddev, median }] of Object.entries(results)) {
    const ratio = base ? `  ${(median / base).toFixed(2)}x ${reference} (medians)` : '';
    console.log(
      `  ${name.padEnd(48)} median ${median.toFixed(1).padStart(8)} ms, mean ${mean.toFixed(1).padStart(8)} ± ${stddev.toFixed(1).padStart(5)}${ratio}`,
    );
  }
}

/** One target: a ratio of medians from one hyperfine run, and whether it is met. */
const targets = [];
function target(what, results, name, reference, limit) {
  const ratio = results[name].median / results[reference].median;
  targets.push({ what, ratio, limit, line: `${ratio.toFixed(2)}x (${results[name].median.toFixed(1)} / ${results[reference].median.toFixed(1)} ms)` });
}

/** v1: the own cgroup in each hierarchy when writable; v2: the own cgroup when delegated, prepared as cubicle does. */
async function benchCgroupParents() {
  const lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  if (lines.length === 1 && lines[0].startsWith('0::')) {
    const own = path.join('/sys/fs/cgroup', lines[0].slice(3));
    const prepared = await $`${helper} --cgroup-prepare ${own} --move ${process.pid}`.nothrow();
    return prepared.exitCode === 0 ? [own] : [];
  }
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const mountOf = (controller) =>
    mounts.find((line) => / - cgroup /.test(line) && line.split(' - ')[1].split(' ')[2].split(',').includes(controller))?.split(' ')[4];
  const parents = [];
  for (const controller of ['memory', 'cpu', 'cpuacct', 'pids']) {
    const line = lines.find((candidate) => candidate.split(':')[1].split(',').includes(controller));
    const mount = mountOf(controller);
    if (!line || !mount) continue;
    const dir = path.join(mount, line.split(':')[2]);
    try {
      fs.accessSync(path.join(dir, 'cgroup.procs'), fs.constants.W_OK);
      if (!parents.includes(dir)) parents.push(dir);
    } catch {
      return [];
    }
  }
  return parents;
}

/** A --hold-userns holder, as `cubicle run` starts one; resolves to its pid and a stop(). */
function startUsernsHolder() {
  const child = spawn(helper, ['--hold-userns'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`--hold-userns exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      if (!output.includes('\n')) return;
      child.removeAllListeners('exit');
      resolve({ pid: Number(output.split('\n')[0]), stop: () => child.stdin.end() });
    });
  });
}

if (!(await have('hyperfine'))) {
  console.error('bench: hyperfine is missing: apt-get install hyperfine');
  process.exit(2);
}
console.log(`bench as ${os.userInfo().username} (uid ${process.getuid()}), ${os.cpus().length} cores, kernel ${os.release()}, node ${process.version}`);

let startup = null;
if (!targetsOnly) {
  // 1. The helper against its peers.
  for (const layer of ['l1', 'l2', 'l3']) {
    fs.mkdirSync(path.join(work, layer, `etc-${layer}`), { recursive: true });
    fs.writeFileSync(path.join(work, layer, `marker-${layer}`), layer);
  }
  // Every cubicle job gets a fresh upper and work dir; a reused work dir costs overlayfs ~2 ms of cleanup.
  const freshDirs = `chmod -R u+rwx ${path.join(work, 'upper')} ${path.join(work, 'work')} 2>/dev/null; rm -rf ${path.join(work, 'upper')} ${path.join(work, 'work')} && mkdir ${path.join(work, 'upper')} ${path.join(work, 'work')}`;
  fs.mkdirSync(path.join(work, 'upper'));
  fs.mkdirSync(path.join(work, 'work'));
  const lowers = ['l1', 'l2', 'l3'].map((layer) => path.join(work, layer)).join(':');
  const sandbox = [
    helper,
    '--overlay',
    lowers,
    path.join(work, 'upper'),
    path.join(work, 'work'),
    '/',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--',
    '/bin/true',
  ].join(' ');
  const peers = { 'bare /bin/true': '/bin/true', 'cubicle-sandbox (overlay of 3)': sandbox };
  const prepare = { 'cubicle-sandbox (overlay of 3)': `sh -c '${freshDirs}'` };
  // Same mapping as bwrap: only the invoking user, no newuidmap.
  peers['cubicle-sandbox --uid-map single'] = sandbox.replace(helper, `${helper} --uid-map single`);
  prepare['cubicle-sandbox --uid-map single'] = prepare['cubicle-sandbox (overlay of 3)'];
  // As root a sandbox maps itself with two writes; the holder only saves work for a user.
  const holder = process.getuid() === 0 ? null : await startUsernsHolder();
  if (holder) {
    peers['cubicle-sandbox --userns (as cubicle run)'] = sandbox.replace(helper, `${helper} --userns /proc/${holder.pid}/ns/user`);
    prepare['cubicle-sandbox --userns (as cubicle run)'] = prepare['cubicle-sandbox (overlay of 3)'];
  }
  if (await have('bwrap')) peers['bwrap --unshare-all'] = 'bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev /bin/true';
  if (await have('unshare')) peers['unshare -Urmpfn'] = 'unshare -Urmpfn /bin/true';
  startup = await hyperfine('sandbox-startup', peers, { prepare });
  holder?.stop();
  table('sandbox start-to-exit of /bin/true', startup, 'bwrap --unshare-all');

  // 2. The cgroup's cost: the same sandbox with a cgroup and all three limits, in one run.
  const cgroupParents = await benchCgroupParents();
  if (cgroupParents.length === 0) {
    console.log('\ncgroup cost: skipped: no writable cgroup beneath this process (run as root, or after `cubicle setup --user`)');
  } else {
    const name = `cubicle-bench-${process.pid}`;
    const cgroupArgs = cgroupParents.map((parent) => `--cgroup ${path.join(parent, name)}`).join(' ');
    const limited = sandbox.replace(helper, `${helper} ${cgroupArgs} --memory-max 512m --cpus 1 --pids-max 256`);
    const cgroupCost = await hyperfine(
      'cgroup-cost',
      { 'sandbox, no cgroup': sandbox, 'sandbox + cgroup + 3 limits': limited },
      {
        prepare: { 'sandbox, no cgroup': `sh -c '${freshDirs}'`, 'sandbox + cgroup + 3 limits': `sh -c '${freshDirs}'` },
      },
    );
    table(`cgroup cost (${cgroupParents.length > 1 ? 'v1' : 'v2'}; target: adds under 2 ms)`, cgroupCost, 'sandbox, no cgroup');
    const added = cgroupCost['sandbox + cgroup + 3 limits'].mean - cgroupCost['sandbox, no cgroup'].mean;
    console.log(`  the cgroup adds ${added.toFixed(2)} ms`);
  }
}

// 3. `cubicle --version` and `cubicle run` of one trivial job, end to end, beside `node -e 0`: one hyperfine run.
//    The env(1) in front of every command, node's too, so each pays the same exec.
const project = path.join(work, 'project');
fs.mkdirSync(project);
fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), 'jobs:\n  trivial:\n    run: "true"\n');
const cli = `${process.execPath} ${path.join(repo, 'bin', 'cubicle.js')}`;
const env = `env CUBICLE_CACHE_DIR=${path.join(work, 'cache')} HOME=${process.env.HOME} PATH=${process.env.PATH}`;
const endToEnd = await hyperfine(
  'run-trivial',
  {
    'node -e 0 (floor)': `${env} ${process.execPath} -e 0`,
    'cubicle --version': `${env} ${cli} --version`,
    'cubicle run (1 trivial job)': `${env} ${cli} run --config ${path.join(project, 'cubicle.config.yaml')} --junit ${path.join(work, 'junit.xml')}`,
  },
  { runCount: Math.min(runs, 50), warmup: 5 },
);
table('cubicle --version and run, end to end (targets: 1.3x and 1.8x node -e 0)', endToEnd, 'node -e 0 (floor)');
target('cubicle --version / node -e 0', endToEnd, 'cubicle --version', 'node -e 0 (floor)', 1.3);
target('cubicle run (1 trivial job) / node -e 0', endToEnd, 'cubicle run (1 trivial job)', 'node -e 0 (floor)', 1.8);
let layers = null;
if (!targetsOnly) {
  await $({ stdio: 'inherit' })`${process.execPath} ${path.join(repo, 'bench', 'config.mjs')}`; // 3b. a code config's sandbox
  await $({ stdio: 'inherit' })`${process.execPath} ${path.join(repo, 'bench', 'backpressure.mjs')}`; // 3c. 100 MB of output, backpressure's cost
  await $({ stdio: 'inherit' })`${process.execPath} ${path.join(repo, 'bench', 'installed.mjs')}`; // 7. from the installed package, beside node -e 0

  // 4. A job on warm setup layers vs the same job with none (target: within 20 ms): layers are
  //    mounted, never copied. The layers hold ~30 MB in 3000 files, so a copy would show.
  const layered = path.join(work, 'layered');
  fs.mkdirSync(layered);
  const setup = [
    '    setup:',
    '      - run: mkdir -p deps && for i in $(seq 1 3000); do head -c 10000 /dev/urandom > deps/f$i; done',
    '        network: none',
    '      - run: echo second > deps/marker',
    '        network: none',
  ].join('\n');
  fs.writeFileSync(path.join(layered, 'cubicle.config.yaml'), `jobs:\n  plain:\n    run: [/bin/true]\n  layered:\n${setup}\n    run: [/bin/true]\n`);
  const layeredRun = (job) => `${env} ${cli} run ${job} --config ${path.join(layered, 'cubicle.config.yaml')} --junit ${path.join(work, 'junit.xml')}`;
  await $`sh -c ${layeredRun('layered')}`.quiet();
  layers = await hyperfine(
    'run-warm-layers',
    {
      'cubicle run (no setup)': layeredRun('plain'),
      'cubicle run (2 warm setup layers, 30 MB)': layeredRun('layered'),
    },
    { runCount: Math.min(runs, 30), warmup: 3 },
  );
  table('a job on warm setup layers (target: within 20 ms of none)', layers, 'cubicle run (no setup)');
  console.log(`  the layers add ${(layers['cubicle run (2 warm setup layers, 30 MB)'].mean - layers['cubicle run (no setup)'].mean).toFixed(1)} ms`);
}

// 5. Scale: N trivial jobs (BENCH_JOBS, default 200) in one run, 2 at a time (issue 15: at most 1.3x the same
//    sandboxes started by `xargs -P2 bwrap`; throughput, and the runner's peak RSS under 150 MB), beside, in the same
//    hyperfine run: bwrap building the sandbox a cubicle job gets (its namespaces and mounts; bwrap 0.8 has no
//    overlay, so the checkout is a bind and every job's upper dir is cubicle's alone), the lighter
//    `bwrap --unshare-all --ro-bind / /`, and cubicle's own helper. What cubicle adds per job is its scheduling overhead.
const many = path.join(work, 'many');
fs.mkdirSync(many);
const jobCount = Number(process.env.BENCH_JOBS || 200);
fs.writeFileSync(path.join(many, 'cubicle.config.yaml'), `jobs:\n${Array.from({ length: jobCount }, (_, i) => `  j${i}: { run: [/bin/true] }`).join('\n')}\n`);
const slots = Number(process.env.BENCH_PARALLEL || 2);
const manyRun = `${env} ${cli} run --quiet --parallel ${slots} --config ${path.join(many, 'cubicle.config.yaml')} --junit ${path.join(work, 'many.xml')}`;
const cubicleName = `cubicle run (${jobCount} trivial jobs)`;
const scaleCommands = { [cubicleName]: manyRun };
// The helper as in part 1 but without the overlay root (concurrent sandboxes cannot share its upper dir).
const plainSandbox = [
  helper,
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  '--tmpfs',
  '/tmp',
  '--',
  '/bin/true',
].join(' ');
scaleCommands[`xargs -P${slots} cubicle-sandbox x${jobCount}`] = `sh -c 'seq ${jobCount} | xargs -P${slots} -I{} ${plainSandbox}'`;
// The mounts plan/sandbox-spec.ts gives a job on the host image (sandbox/host-root.ts), in the argv bwrap and the
// helper share: /usr, its links, /etc and /opt read-only, /proc, /dev, tmpfs /tmp and $HOME, the secret files masked.
const hostMasks = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers', '/etc/security/opasswd'].filter((file) =>
  fs.existsSync(file),
);
const hostJobMounts = [
  ...['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin'],
  ...['--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--ro-bind', '/etc', '/etc'],
  ...(fs.existsSync('/opt') ? ['--ro-bind', '/opt', '/opt'] : []),
  ...['--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp', '--perms', '755', '--tmpfs', os.homedir()],
  ...hostMasks.flatMap((file) => ['--ro-bind', '/dev/null', file]),
];
const sameSandboxName = `xargs -P${slots} bwrap, a job's sandbox x${jobCount}`;
if (await have('bwrap')) {
  const jobSandbox = ['bwrap', '--unshare-all', '--hostname', 'job', ...hostJobMounts, '--bind', many, many, '--chdir', many, '/bin/true'].join(' ');
  scaleCommands[sameSandboxName] = `sh -c 'seq ${jobCount} | xargs -P${slots} -I{} ${jobSandbox}'`;
  scaleCommands[`xargs -P${slots} bwrap --unshare-all --ro-bind / / x${jobCount}`] =
    `sh -c 'seq ${jobCount} | xargs -P${slots} -I{} bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev /bin/true'`;
}
// The helper building the sandbox a cubicle job gets (its argv, as cubicle run passes it for a job on the host image):
// a fresh upper and work dir each, its cgroups, the checkout as an overlay. A script per job (mkdir, chmod, rm: 4
// more execs than cubicle run makes) so the share of the sandbox itself in cubicle run's time shows.
const jobCgroups = await benchCgroupParents();
const helperJob = path.join(work, 'helper-job.sh');
fs.writeFileSync(
  helperJob,
  [
    '#!/bin/sh',
    `d=${path.join(work, 'helper-jobs')}/$1`,
    'mkdir -p "$d/upper" "$d/work"',
    [
      helper,
      '--hostname',
      'job',
      '--chdir',
      many,
      '--volatile-upper',
      ...jobCgroups.flatMap((parent) => ['--cgroup', `${parent}/cubicle-bench-job-$1`]),
      ...hostJobMounts,
      '--overlay',
      many,
      '"$d/upper"',
      '"$d/work"',
      many,
      '--',
      '/bin/true',
    ].join(' '),
    'status=$?',
    'chmod -R u+rwx "$d"; rm -rf "$d"',
    'exit $status',
    '',
  ].join('\n'),
  { mode: 0o755 },
);
const helperJobName = `xargs -P${slots} cubicle-sandbox, a job's sandbox${jobCgroups.length ? ' and cgroups' : ''} x${jobCount}`;
scaleCommands[helperJobName] = `sh -c 'seq ${jobCount} | xargs -P${slots} -I{} ${helperJob} {}'`;
const scale = await hyperfine('scale', scaleCommands, { runCount: Number(process.env.BENCH_SCALE_RUNS || 3), warmup: 1 });
table(`${jobCount} trivial jobs, ${slots} at a time (target: at most 1.3x ${sameSandboxName})`, scale, cubicleName);
if (scale[sameSandboxName]) target(`${jobCount} trivial jobs at --parallel ${slots} / ${sameSandboxName}`, scale, cubicleName, sameSandboxName, 1.3);
const cubicleMs = scale[cubicleName].median;
console.log(`  throughput: ${((jobCount / cubicleMs) * 1000).toFixed(0)} jobs/s (cubicle run)`);
for (const [name, { median }] of Object.entries(scale))
  if (name !== cubicleName) console.log(`              ${((jobCount / median) * 1000).toFixed(0)} jobs/s (${name})`);
const helperLoop = scale[`xargs -P${slots} cubicle-sandbox x${jobCount}`].median;
// Per job and slot: the wall time each of the slots spends on one job.
const perJob = (ms) => (ms * slots) / jobCount;
console.log(
  `  per job and slot: cubicle run ${perJob(cubicleMs).toFixed(1)} ms, the helper alone ${perJob(helperLoop).toFixed(1)} ms: scheduling, cgroups, upper dirs and reports add ${(perJob(cubicleMs) - perJob(helperLoop)).toFixed(1)} ms`,
);
console.log(`  per job and slot, the helper building a job's sandbox (with its script's 4 execs): ${perJob(scale[helperJobName].median).toFixed(1)} ms`);
// The runner's peak RSS: ru_maxrss of the largest waited-for descendant, which is the runner.
const rss =
  await $`python3 -c ${'import resource, subprocess, sys\nsubprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)'} sh -c ${manyRun}`;
const peakMiB = Number(rss.stdout.trim()) / 1024;
console.log(`  the runner's peak RSS over ${jobCount} jobs: ${peakMiB.toFixed(0)} MiB (target: under 150 MB)`);

console.log('\nstart-up targets (issue 15), ratios of medians, each pair from one hyperfine run:');
for (const { what, ratio, limit, line } of targets) console.log(`  ${ratio <= limit ? 'met    ' : 'NOT MET'} ${what.padEnd(72)} ${line}, target <= ${limit}x`);

if (!targetsOnly) {
  console.log('\n8. setup layers through a registry cache (issue 16), against skopeo');
  await $({ stdio: 'inherit' })`${process.execPath} ${path.join(repo, 'bench', 'registry-cache.mjs')}`.nothrow();
}

if (targetsOnly) {
  console.log('\nBENCH_ONLY=targets: parts 1, 2, 3b, 3c, 4, 6, 7 and 8 left out');
} else if (process.getuid() === 0 && fs.existsSync(path.join(repo, 'test', 'vm', '.cache', 'initramfs.cpio.gz'))) {
  console.log('\nthe systemd-run path on a GitHub runner (the systemd bed, a VM under TCG)');
  await $({ stdio: 'inherit' })`node ${path.join(repo, 'bench', 'systemd-scope.mjs')}`.nothrow();
} else {
  console.log('\nskipped: the systemd-run path (needs root and a prepared VM: sudo test/vm/prepare.sh)');
}

const summary = { user: os.userInfo().username, startup, endToEnd, layers, scale, targets, runnerPeakRssMiB: peakMiB, date: new Date().toISOString() };
fs.writeFileSync(path.join(resultsDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
await $`chmod -R u+rwx ${work}`.nothrow(); // overlay leaves work/work at mode 000
fs.rmSync(work, { recursive: true, force: true });
console.log(`\nraw hyperfine results: ${resultsDir}`);
