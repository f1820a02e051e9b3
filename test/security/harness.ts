// The adversarial suite's harness: one attempt = one cubicle job on a fresh fixture project,
// run by the real CLI, whose output must show that every harmful step was refused, and whose
// host side (files, processes, mounts, cgroups, the helper binary, the hostname) must be as
// it was before. The attempts themselves are tables of data in the *.test.ts files here.
// CUBICLE_SECURITY_DEBUG=1 prints each attempt's output.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI, REPO } from '../helpers/paths.js';
import { processesWith, waitFor } from '../helpers/processes.js';
import { makeProject, outputOf, type CliResult, type JsonJob, type Project } from '../helpers/project.js';

export const WHO = IS_ROOT ? 'as root' : 'rootless';
export const JOB = 'attempt';
/** In the runner's environment for every attempt: it must never reach a job, a log or a report. */
export const RUNNER_SECRET = `runner-secret-${createHash('sha256').update(`${process.pid}-${Date.now()}`).digest('hex').slice(0, 16)}`;
/** In the host file every attempt's project has beside it (outside the checkout). */
export const HOST_SECRET = `host-file-secret-${process.pid}`;

/**
 * Prepended to each attempt's C source. REFUSED(what, call, errno) runs a harmful call and
 * prints `held WHAT: ERRNO` when it failed (with that errno, unless 0), `BROKEN WHAT: ...`
 * when it did the harm. FINISH() prints `done` (so an attempt that crashed midway is caught).
 */
export const C_PRELUDE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
static int broken;
static void refused_(const char *what, long ret, int err, int want) {
  if (ret >= 0) { printf("BROKEN %s: succeeded (%ld)\n", what, ret); broken = 1; }
  else if (want != 0 && err != want) { printf("BROKEN %s: failed with %s, expected %s\n", what, strerrorname_np(err), strerrorname_np(want)); broken = 1; }
  else printf("held %s: %s\n", what, strerrorname_np(err));
  fflush(stdout);
}
#define REFUSED(what, call, want) do { errno = 0; long ret_ = (long)(call); int err_ = errno; refused_((what), ret_, err_, (want)); } while (0)
#define BREACH(...) do { printf("BROKEN " __VA_ARGS__); printf("\n"); fflush(stdout); broken = 1; } while (0)
#define HELD(...) do { printf("held " __VA_ARGS__); printf("\n"); fflush(stdout); } while (0)
#define FINISH() do { printf("done\n"); fflush(stdout); return broken; } while (0)
static const char *env_or(const char *name, const char *fallback) { const char *value = getenv(name); return value ? value : fallback; }
static int read_text(const char *file, char *buffer, size_t size) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t got = read(fd, buffer, size - 1);
  int saved = errno;
  close(fd);
  if (got < 0) { errno = saved; return -1; }
  buffer[got] = 0;
  return (int)got;
}
`;

/** Sourced by each shell attempt: `refused WHAT CMD...` prints held/BROKEN like REFUSED. */
export const SH_PRELUDE = `refused() { what=$1; shift; if "$@" >/dev/null 2>&1; then echo "BROKEN $what: succeeded"; else echo "held $what"; fi; }
breach() { echo "BROKEN $*"; }
held() { echo "held $*"; }
`;

export interface Scene {
  readonly marker: string;
  readonly project: Project;
  /** A host dir beside the project (outside the checkout), with secret.txt and junit.xml. */
  readonly outside: string;
  /** Extra variables for the job's `env:` (the attempt's `prepare` adds to them). */
  readonly env: Record<string, string>;
  /** Run after the attempt, also when it failed (kill the host processes a prepare started). */
  readonly cleanups: (() => void | Promise<void>)[];
}

/** The CLI's result, and its pid: job cgroups are named after it (cubicle-PID-...). */
export interface RunnerResult extends CliResult {
  readonly pid?: number | undefined;
}

export interface Outcome {
  readonly result: RunnerResult;
  /** The job's output lines (see outputOf). */
  readonly lines: string[];
  readonly job: JsonJob & Record<string, unknown>;
  /** Lowest free space seen on the store's filesystem while the job ran (bytes). */
  readonly minFreeBytes: number;
  readonly freeBytesBefore: number;
}

export interface Attempt {
  /** What the job tries: the test's name. */
  readonly name: string;
  /** C source (after C_PRELUDE), compiled on the host with gcc into the checkout as $ATTEMPT (./attempt-MARKER). */
  readonly c?: string;
  /** The job's `run:` script (sh), after SH_PRELUDE; default: run $ATTEMPT. */
  readonly sh?: string;
  /** More keys of the job (timeout, disk, caches, junit, ...); a function sees the scene. */
  readonly job?: Record<string, unknown> | ((scene: Scene) => Record<string, unknown>);
  /** Jobs run beside the attempt's (name -> job config), e.g. a sibling whose writes it looks for. */
  readonly otherJobs?: (scene: Scene) => Record<string, Record<string, unknown>>;
  /** Files of the checkout. */
  readonly files?: Record<string, string>;
  /** Host-side preparation before the run: servers, sleepers, symlinks in the checkout. */
  readonly prepare?: (scene: Scene) => void | Promise<void>;
  /** Extra CLI arguments (after `run --json results.json`). */
  readonly args?: readonly string[];
  /** Statuses the job may end with; default: passed (every refusal held). */
  readonly statuses?: readonly string[];
  /**
   * What the job's output must show besides no BROKEN line: `held` (default) at least one
   * refusal and `done`; `done` only that it finished (the host checks decide); false nothing.
   */
  readonly reports?: 'held' | 'done' | false;
  /** Runs the CLI itself (a runner with an extra fd, a runner that gets SIGTERM); default: runCli. */
  readonly runner?: (scene: Scene, args: string[], env: Record<string, string>) => Promise<RunnerResult>;
  /** More checks of the job's outcome. */
  readonly verify?: (outcome: Outcome, scene: Scene) => void;
  /** More checks of the host after the run. */
  readonly host?: (scene: Scene, outcome: Outcome) => void | Promise<void>;
  /** A control: these steps (BROKEN WHAT prefixes) must be reported as done, e.g. with the filter off. */
  readonly expectBroken?: readonly string[];
  /** vitest timeout for this attempt. */
  readonly timeoutMs?: number;
}

let counter = 0;

/** Runs one attempt end to end: prepare, snapshot the host, run, check the job, check the host. */
export async function runAttempt(attempt: Attempt): Promise<Outcome> {
  const marker = `cubsec-${process.pid}-${++counter}-${Date.now() % 100000}`;
  const project = makeProject('jobs: {}\n', { 'refuse.sh': SH_PRELUDE, ...attempt.files });
  const outside = path.join(path.dirname(project.dir), 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), `${HOST_SECRET}\n`);
  fs.writeFileSync(path.join(outside, 'junit.xml'), `<testsuite name="${HOST_SECRET}" tests="1"><testcase name="${HOST_SECRET}"/></testsuite>\n`);
  fs.chmodSync(outside, 0o755);
  // The binary is named after the attempt, so that a process it leaves behind is found by name.
  const binary = `attempt-${marker}`;
  let failed = false;
  const scene: Scene = {
    marker,
    project,
    outside,
    env: { MARKER: marker, OUTSIDE: outside, RUNNER_HOME: os.homedir(), CACHE_DIR: project.cacheDir, ATTEMPT: `./${binary}` },
    cleanups: [],
  };
  try {
    if (attempt.c) compileC(project.file('attempt.c'), project.file(binary), attempt.c);
    await attempt.prepare?.(scene);
    const extra = typeof attempt.job === 'function' ? attempt.job(scene) : (attempt.job ?? {});
    // The marker in the script's first line puts it in the cmdline of the job's shell too.
    const jobConfig = {
      run: attempt.sh === undefined ? [`./${binary}`] : `# ${marker}\n. ./refuse.sh\n${attempt.sh}`,
      ...extra,
      env: { ...scene.env, ...(extra.env as Record<string, string> | undefined) },
    };
    // YAML is a superset of JSON: no quoting to get wrong.
    fs.writeFileSync(project.file('cubicle.config.yaml'), `${JSON.stringify({ jobs: { [JOB]: jobConfig, ...attempt.otherJobs?.(scene) } }, null, 2)}\n`);
    const before = snapshotHost(scene);
    const args = ['run', '--json', 'results.json', ...(attempt.args ?? [])];
    const env = { SECRET_TOKEN: RUNNER_SECRET, GITHUB_TOKEN: RUNNER_SECRET };
    const watcher = watchFreeSpace(path.dirname(project.dir)); // the store (CUBICLE_CACHE_DIR) is beside it
    const result = await (attempt.runner ? attempt.runner(scene, args, env) : runCli(project, args, env));
    const { min, start } = watcher.stop();
    const lines = outputOf(result.stdout, JOB);
    if (process.env.CUBICLE_SECURITY_DEBUG) console.log(`${attempt.name}\n  ${lines.join('\n  ')}`);
    const context = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    expect(fs.existsSync(project.file('results.json')), `no results.json: ${context}`).toBe(true);
    const job = project.results().jobs.find((candidate) => candidate.name === JOB) as Outcome['job'];
    const outcome: Outcome = { result, lines, job, minFreeBytes: min, freeBytesBefore: start };
    if (attempt.expectBroken) {
      for (const what of attempt.expectBroken)
        expect(
          lines.some((line) => line.startsWith(`BROKEN ${what}`)),
          `no "BROKEN ${what}" line:\n${context}`,
        ).toBe(true);
    } else {
      expect(
        lines.filter((line) => line.startsWith('BROKEN')),
        `harm done:\n${lines.join('\n')}`,
      ).toEqual([]);
    }
    const reports = attempt.reports ?? 'held';
    if (reports === 'held') expect(lines.filter((line) => line.startsWith('held')).length, context).toBeGreaterThan(0);
    if (reports !== false) expect(lines, `the attempt did not finish:\n${context}`).toContain('done');
    expect(attempt.statuses ?? ['passed'], `status ${job.status}: ${job.message}\n${context}`).toContain(job.status);
    attempt.verify?.(outcome, scene);
    await checkHost(scene, before, outcome);
    await attempt.host?.(scene, outcome);
    return outcome;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Cleanups run whatever happened; one that throws fails the test only if nothing else did.
    let cleanupError: unknown;
    for (const cleanup of scene.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        cleanupError ??= error;
      }
    }
    // biome-ignore lint/correctness/noUnsafeFinally: only when the body did not throw, so no error is replaced
    if (cleanupError !== undefined && !failed) throw cleanupError;
  }
}

/** `cubicle ARGS` in the project, as project.cubicle() does, keeping the runner's pid. */
export async function runCli(project: Project, args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<RunnerResult> {
  const child = project.spawn(args, { env });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const result = await child;
    return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr), pid: child.pid };
  } finally {
    clearTimeout(timer);
  }
}

export function compileC(source: string, binary: string, body: string, flags: readonly string[] = []): void {
  fs.writeFileSync(source, `${C_PRELUDE}\n${body}\n`);
  execFileSync('gcc', ['-O1', '-w', '-o', binary, source, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
}

interface HostSnapshot {
  readonly checkout: Map<string, string>;
  readonly outside: Map<string, string>;
  readonly mountinfo: string[];
  readonly helper: { readonly ino: number; readonly sha256: string };
  readonly hostname: string;
  readonly passwd: string;
}

const HELPER = process.env.CUBICLE_SANDBOX || path.join(REPO, 'native', 'cubicle-sandbox');
const OUTPUTS = new Set(['results.json', 'cubicle-junit.xml', 'cubicle-artifacts']);

function snapshotHost(scene: Scene): HostSnapshot {
  return {
    checkout: snapshotTree(scene.project.dir, (relative) => OUTPUTS.has(relative.split('/')[0]!)),
    outside: snapshotTree(scene.outside),
    mountinfo: mountPoints(),
    helper: helperIdentity(),
    hostname: os.hostname(),
    passwd: fs.readFileSync('/etc/passwd', 'utf8'),
  };
}

/** What every attempt must leave as it was. */
async function checkHost(scene: Scene, before: HostSnapshot, outcome: Outcome): Promise<void> {
  const { marker, project } = scene;
  expect(await waitFor(() => processesWith(marker).length === 0, 10_000), `processes left: ${processesWith(marker).join(' ')}`).toBe(true);
  expect(
    diffTrees(
      before.checkout,
      snapshotTree(project.dir, (relative) => OUTPUTS.has(relative.split('/')[0]!)),
    ),
    'the checkout changed',
  ).toEqual([]);
  expect(diffTrees(before.outside, snapshotTree(scene.outside)), 'the host dir beside the checkout changed').toEqual([]);
  expect(mountPoints(), 'the host mount table changed').toEqual(before.mountinfo);
  const helper = helperIdentity();
  // A rebuild (make -C native) replaces the file; a write through /proc/PID/exe keeps its inode.
  if (helper.ino === before.helper.ino) expect(helper.sha256, 'the helper binary was modified in place').toBe(before.helper.sha256);
  expect(os.hostname()).toBe(before.hostname);
  expect(fs.readFileSync('/etc/passwd', 'utf8')).toBe(before.passwd);
  if (outcome.result.pid !== undefined) expect(jobCgroups(outcome.result.pid), 'job cgroups left behind').toEqual([]);
  for (const dir of ['/tmp', '/dev/shm', '/var/tmp', os.homedir(), path.dirname(project.dir)]) {
    expect(
      safeReaddir(dir).filter((name) => name.includes(marker)),
      `files named after the attempt in ${dir}`,
    ).toEqual([]);
  }
  const everything = [
    outcome.result.stdout,
    outcome.result.stderr,
    readIfThere(project.file('cubicle-junit.xml')),
    readIfThere(project.file('results.json')),
    ...readTree(project.file('cubicle-artifacts')),
  ].join('\n');
  expect(everything.includes(RUNNER_SECRET), "the runner's secret reached the output or a report").toBe(false);
  expect(everything.includes(HOST_SECRET), 'the host file outside the checkout reached the output or a report').toBe(false);
}

/** path -> type, mode, size, links, content hash (or link target), without following links. */
export function snapshotTree(root: string, skip: (relative: string) => boolean = () => false): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (relative: string) => {
    const full = relative ? path.join(root, relative) : root;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(full);
    } catch {
      return;
    }
    let detail = '';
    if (stat.isFile()) detail = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    else if (stat.isSymbolicLink()) detail = `-> ${fs.readlinkSync(full)}`;
    entries.set(relative || '.', `${stat.mode.toString(8)} ${stat.uid}:${stat.gid} n${stat.nlink} ${stat.isDirectory() ? '' : stat.size} ${detail}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(full).sort()) if (!skip(path.join(relative, name))) visit(path.join(relative, name));
  };
  visit('');
  return entries;
}

function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [name, value] of before) if (after.get(name) !== value) changes.push(`${name}: ${value} -> ${after.get(name) ?? 'gone'}`);
  for (const [name, value] of after) if (!before.has(name)) changes.push(`${name}: new (${value})`);
  return changes;
}

/** The host's mounts as seen by this process: id, mount point, type, options. */
function mountPoints(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).sort();
}

function helperIdentity(): { ino: number; sha256: string } {
  const stat = fs.statSync(HELPER);
  return { ino: stat.ino, sha256: createHash('sha256').update(fs.readFileSync(HELPER)).digest('hex') };
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** The job cgroups of runner PID (cubicle-PID-*) beneath this process's cgroups, in every hierarchy. */
export function jobCgroups(runnerPid: number): string[] {
  const name = new RegExp(`(^|/)cubicle-${runnerPid}-[^/]*$`);
  return fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [, controllers = '', own = '/'] = line.split(':');
      const base = controllers ? `/sys/fs/cgroup/${controllers.split(',')[0]!.replace(/^name=/, '')}${own}` : `/sys/fs/cgroup${own}`;
      try {
        // On a hybrid host the v2 line (0::/) names the tmpfs that holds the v1 hierarchies.
        if (!controllers && fs.statfsSync('/sys/fs/cgroup').type !== CGROUP2_SUPER_MAGIC) return [];
        return fs
          .readdirSync(base, { recursive: true })
          .map(String)
          .filter((entry) => name.test(entry))
          .map((entry) => `${base}/${entry}`);
      } catch {
        return [];
      }
    });
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readIfThere(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readTree(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { recursive: true })
      .map((entry) => path.join(dir, String(entry)))
      .filter((file) => fs.lstatSync(file).isFile())
      .map((file) => fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

/** Samples the free space of the store's filesystem every 10 ms while a job runs. */
function watchFreeSpace(dir: string): { stop(): { min: number; start: number } } {
  const free = () => {
    const stat = fs.statfsSync(dir);
    return stat.bavail * stat.bsize;
  };
  const start = free();
  let min = start;
  const timer = setInterval(() => (min = Math.min(min, free())), 10);
  return {
    stop() {
      clearInterval(timer);
      return { min: Math.min(min, free()), start };
    },
  };
}

/** Where cubicle can put job cgroups here, as `cubicle doctor` says. */
export async function cgroupState(): Promise<{ ok: boolean; fix: string | null }> {
  const doctor = JSON.parse((await execa(process.execPath, [CLI, 'doctor', '--json'], { reject: false })).stdout) as {
    checks: { id: string; state: string; fix: string | null }[];
  };
  const check = doctor.checks.find((candidate) => candidate.id === 'cgroups');
  return { ok: check?.state === 'ok', fix: check?.fix ?? null };
}

/** The host's first non-loopback IPv4 address, if any. */
export function hostAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
}
