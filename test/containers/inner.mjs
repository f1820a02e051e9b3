// Runs inside the test container (test/containers/podman.mjs starts it): what a user would try
// first there, `cubicle doctor` and a small project with memory and pids limits, then the same
// with --no-limits; as root and, when given, as an ordinary user. Prints one JSON line, RESULT {...}.
// Usage: node inner.mjs CLI [USER...]   (CUBICLE_SETUP_USERS=1: `cubicle setup --user USER` as root first)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [cli, ...users] = process.argv.slice(2);

/** 256 MiB touched under memory: 64m; 40 sleepers under pids: 16; a job that fits both. */
const CONFIG = `defaults:
  timeout: 60s
jobs:
  hog:
    run: node -e "const b = Buffer.alloc(256 * 1024 * 1024, 1); console.log('survived', b.length)"
    memory: 64m
  forks:
    run: sh -c 'for i in $(seq 40); do sleep 3 & done; wait; echo all forked'
    pids: 16
  fits:
    run: echo fits
    memory: 64m
    pids: 16
`;

function account(name) {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name} in the container's /etc/passwd`);
  const [, , uid, gid, , home] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), home };
}

function cubicle(who, cwd, args) {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: who.home, LANG: 'C.UTF-8', ...(who.cache ? { CUBICLE_CACHE_DIR: who.cache } : {}) };
  const as = process.getuid() === who.uid ? {} : { uid: who.uid, gid: who.gid };
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, env, ...as, encoding: 'utf8', timeout: 120_000 });
  // doctor's JSON whole (it lists every tool: over 4,000 characters); a run's output, its tail.
  const stdout = args[0] === 'doctor' ? result.stdout : result.stdout.slice(-4000);
  return { exitCode: result.status, signal: result.signal, stdout, stderr: result.stderr.slice(-4000) };
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function jobs(report) {
  if (!report) return null;
  const keys = ['status', 'exitCode', 'peakMemoryBytes', 'pidsLimitHits', 'limits', 'message'];
  return Object.fromEntries(report.jobs.map((job) => [job.name, Object.fromEntries(keys.map((key) => [key, job[key]]))]));
}

const result = {};
// The container's own user first (root, or the host user under rootless --userns=keep-id).
for (const name of [os.userInfo().username, ...users]) {
  const who = account(name);
  const project = fs.mkdtempSync(path.join(os.tmpdir(), `project-${name}-`));
  fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), CONFIG);
  if (process.getuid() === 0) fs.chownSync(project, who.uid, who.gid);
  // A cache volume (CUBICLE_CACHE_DIR), one directory per user, as each user's ~/.cache would be.
  if (process.env.CUBICLE_CACHE_DIR) {
    who.cache = path.join(process.env.CUBICLE_CACHE_DIR, name);
    fs.mkdirSync(who.cache, { recursive: true });
    if (process.getuid() === 0) fs.chownSync(who.cache, who.uid, who.gid);
  }
  // As a user's admin would, once: root delegates cgroups to the user (CUBICLE_SETUP_USERS=1).
  if (process.env.CUBICLE_SETUP_USERS === '1' && who.uid !== 0) {
    const setup = cubicle(account('root'), '/', ['setup', '--user', name]);
    if (setup.exitCode !== 0) throw new Error(`cubicle setup --user ${name} failed (${setup.exitCode}): ${setup.stderr}`);
  }
  const doctor = cubicle(who, project, ['doctor', '--json']);
  const limited = cubicle(who, project, ['run', '--parallel', '1', '--json', 'limited.json']);
  const unlimited = cubicle(who, project, ['run', '--no-limits', '--json', 'unlimited.json', 'fits']);
  result[name] = {
    doctor: { exitCode: doctor.exitCode, report: safeParse(doctor.stdout), stderr: doctor.stderr },
    limited: { ...limited, jobs: jobs(readJson(path.join(project, 'limited.json'))) },
    unlimited: { ...unlimited, jobs: jobs(readJson(path.join(project, 'unlimited.json'))) },
  };
}
console.log(`RESULT ${JSON.stringify(result)}`);

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
