#!/usr/bin/env node
// The systemd-run path's start-up cost, in the systemd bed (a GitHub runner, emulated: the VM
// with systemd as PID 1, this script as `runner` in runner.service, which is not delegated).
// `cubicle run` of one trivial limited job started from runner.service (cubicle re-runs itself
// under `systemd-run --user --scope -p Delegate=yes`) against the same run started inside a
// cgroup already delegated to it (the delegated-cgroup path: no re-run). Medians of rounds
// taken in turn; the ratio is what the re-run costs on GitHub's runners.
// On the host: node bench/systemd-scope.mjs  (boots the VM; test/vm/prepare.sh first)
// In the VM (what the host runs there): node bench/systemd-scope.mjs --guest [--inner N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const self = path.join(repo, 'bench', 'systemd-scope.mjs');
const cli = path.join(repo, 'bin', 'cubicle.js');
const mode = process.argv[2];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** N runs of `cubicle run` in PROJECT, each timed, in ms. */
function timeRuns(project, count, env) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [cli, 'run'], { cwd: project, env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`cubicle run exited with ${result.status}:\n${result.stdout}${result.stderr}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

if (mode === '--guest' && process.argv[3] === '--inner') {
  // Inside the delegated scope: print the times for the outer one.
  console.log(JSON.stringify(timeRuns(process.cwd(), Number(process.argv[4]), process.env)));
} else if (mode === '--guest') {
  const uid = process.getuid();
  const env = { ...process.env, XDG_RUNTIME_DIR: `/run/user/${uid}`, NO_COLOR: '1' };
  for (let i = 0; i < 300 && !fs.existsSync(`/run/user/${uid}/systemd/private`); i++) spawnSync('sleep', ['0.2']);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scope-bench-'));
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), 'jobs:\n  trivial: { memory: 64m, pids: 64, run: "true" }\n');
  env.CUBICLE_CACHE_DIR = path.join(work, 'cache');
  const rounds = 3;
  const perRound = 5;
  const rerun = [];
  const delegated = [];
  timeRuns(project, 1, env); // warm: the first node start reads everything over 9p
  for (let round = 0; round < rounds; round++) {
    rerun.push(...timeRuns(project, perRound, env));
    const inner = spawnSync(
      'systemd-run',
      ['--user', '--scope', '--quiet', '-p', 'Delegate=yes', '--', process.execPath, self, '--guest', '--inner', String(perRound)],
      { cwd: project, env, encoding: 'utf8' },
    );
    if (inner.status !== 0) throw new Error(`the delegated scope's runs failed:\n${inner.stdout}${inner.stderr}`);
    delegated.push(...JSON.parse(inner.stdout.trim().split('\n').at(-1)));
  }
  const [a, b] = [median(rerun), median(delegated)];
  console.log(`systemd-run path (from runner.service): median ${a.toFixed(0)} ms of ${rerun.length} (${rerun.map((t) => t.toFixed(0)).join(' ')})`);
  console.log(`delegated cgroup (no re-run):          median ${b.toFixed(0)} ms of ${delegated.length} (${delegated.map((t) => t.toFixed(0)).join(' ')})`);
  console.log(`ratio ${(a / b).toFixed(2)}x, +${(a - b).toFixed(0)} ms (TCG: the VM runs ~10-30x slower than native)`);
} else {
  const result = spawnSync(
    'bash',
    [path.join(repo, 'test', 'vm', 'run.sh'), '--systemd', '--timeout', '900', '--share', repo, '--', process.execPath, self, '--guest'],
    { cwd: repo, stdio: 'inherit' },
  );
  process.exit(result.status ?? 1);
}
