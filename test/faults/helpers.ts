// What a fault may leave behind, and the checks that it left nothing: processes, mounts,
// cgroups, store temp dirs, corrupt layers, half-written reports. Shared by test/faults/*.
// Other suites run on this machine at the same time, so every scan is narrowed to markers
// (paths and tokens) that only the calling test uses.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** mulberry32: a small seeded generator, so a failing fault schedule can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CUBICLE_FAULT_SEED replays a run; otherwise a fresh seed, printed so a failure can be. */
export function faultSeed(name: string): number {
  const given = process.env.CUBICLE_FAULT_SEED;
  const seed = given ? Number(given) >>> 0 : randomBytes(4).readUInt32BE(0);
  console.log(`${name}: seed ${seed} (replay with CUBICLE_FAULT_SEED=${seed})`);
  return seed;
}

/** A token for job names and commands, so scans find this test's leftovers and no one else's. */
export function faultToken(): string {
  return randomBytes(4).toString('hex');
}

/** `PID cmdline` of every process (not this one, nor `except`) whose cmdline or environ holds a marker. */
export function processesMentioning(markers: readonly string[], except: readonly number[] = []): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || except.includes(pid)) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    let environ = '';
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      // another user's process: its cmdline is all we can see
    }
    if (cmdline === '' && environ === '') continue; // a zombie or a kernel thread
    if (markers.some((marker) => cmdline.includes(marker) || environ.includes(marker)))
      found.push(`${pid} ${cmdline.replaceAll('\0', ' ').trim().slice(0, 200)}`);
  }
  return found;
}

/** Waits until no process mentions a marker (helpers die with the runner, but not in the same instant). */
export async function orphanProcesses(markers: readonly string[], except: readonly number[] = [], graceMs = 5000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found = processesMentioning(markers, except);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** This process's cgroup dir in every mounted hierarchy, v1 and v2 (job cgroups go beneath the runner's). */
export function ownCgroupDirs(): string[] {
  const mounts: { fsType: string; options: string[]; mountPoint: string }[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fsType = '', , options = ''] = right.split(' ');
    if (fsType === 'cgroup' || fsType === 'cgroup2') mounts.push({ fsType, options: options.split(','), mountPoint: left.split(' ')[4]! });
  }
  const dirs = new Set<string>();
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const controllers = match[1] ? match[1].split(',') : [];
    const mount =
      controllers.length === 0
        ? mounts.find((m) => m.fsType === 'cgroup2')
        : mounts.find((m) => m.fsType === 'cgroup' && controllers.some((c) => m.options.includes(c)));
    if (mount) dirs.add(path.join(mount.mountPoint, match[2]!));
  }
  return [...dirs];
}

/** `cubicle-*` cgroups holding `token` beneath this process's own cgroups (a few levels: v2 adds a runner leaf). */
export function leftoverCgroups(token: string, depth = 3): string[] {
  const found: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('cubicle-') && entry.name.includes(token)) found.push(full);
      if (level < depth) walk(full, level + 1);
    }
  };
  for (const dir of ownCgroupDirs()) walk(dir, 1);
  return found;
}

export function mountLines(pid: number | 'self' = 'self'): string[] {
  return fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').filter(Boolean);
}

/**
 * Mounts that appeared or went since `before`, counting only those that name one of `paths`
 * or are overlays (other suites on this host may mount their own things meanwhile).
 */
export function changedMounts(before: readonly string[], after: readonly string[], paths: readonly string[]): string[] {
  const relevant = (line: string) => paths.some((p) => line.includes(p)) || / - overlay /.test(line);
  const was = new Set(before.filter(relevant));
  const now = new Set(after.filter(relevant));
  return [
    ...[...now].filter((line) => !was.has(line)).map((line) => `new: ${line}`),
    ...[...was].filter((line) => !now.has(line)).map((line) => `gone: ${line}`),
  ];
}

/** What is in the store's tmp/, locks/ and runs/ (each should be empty once a normal run has reaped). */
export function storeTempEntries(cacheDir: string): string[] {
  return ['tmp', 'locks', 'runs'].flatMap((dir) => {
    try {
      return fs.readdirSync(path.join(cacheDir, dir)).map((name) => `${dir}/${name}`);
    } catch {
      return [];
    }
  });
}

/** Temp files a write-then-rename left beside its target: reports, the code cache, timings (`NAME.PID.tmp|partial`). */
export function strayTempFiles(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) => {
    try {
      return fs
        .readdirSync(dir)
        .filter((name) => /\.\d+(?:-\d+-[0-9a-f]+)?\.(?:tmp|partial)$/.test(name))
        .map((name) => path.join(dir, name));
    } catch {
      return [];
    }
  });
}

/** null when the report is absent or complete; otherwise why it is not. */
export async function reportProblem(file: string, kind: 'junit' | 'json'): Promise<string | null> {
  if (!fs.existsSync(file)) return null;
  if (kind === 'json') {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { jobs?: unknown };
      return Array.isArray(parsed.jobs) ? null : `${file}: no jobs array`;
    } catch (error) {
      return `${file}: ${(error as Error).message}`;
    }
  }
  const lint = await execa('xmllint', ['--noout', file], { reject: false });
  if (lint.exitCode !== 0) return `${file}: xmllint: ${String(lint.stderr).split('\n')[0]}`;
  return fs.readFileSync(file, 'utf8').includes('</testsuites>') ? null : `${file}: no </testsuites>`;
}

export interface VerifyOutcome {
  readonly clean: boolean;
  readonly output: string;
}

export function verifyOutcome(result: { exitCode: number | undefined; stdout: string; stderr: string }): VerifyOutcome {
  return { clean: result.exitCode === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Tolerated until it finishes; for a runner that was killed and will never report. */
export async function settle(promise: Promise<unknown>): Promise<void> {
  await promise.catch(() => undefined);
}

export interface FaultScope {
  readonly cacheDir: string;
  readonly projectDir: string;
  /** In job names and commands: finds this test's cgroups and processes. */
  readonly token: string;
  readonly marker: string;
  /** This process's mountinfo before the first fault. */
  readonly mountsBefore: readonly string[];
}

/** What a finished run may not leave: store temp entries, cgroups, mounts, processes, temp files. */
export async function leftoversOf(scope: FaultScope, graceMs = 1000): Promise<string[]> {
  return [
    ...storeTempEntries(scope.cacheDir).map((entry) => `left in the store: ${entry}`),
    ...leftoverCgroups(scope.token).map((cgroup) => `cgroup left: ${cgroup}`),
    ...changedMounts(scope.mountsBefore, mountLines(), [scope.cacheDir, scope.projectDir]).map((mount) => `mount ${mount}`),
    ...(await orphanProcesses([scope.cacheDir, scope.marker], [], graceMs)).map((orphan) => `orphan: ${orphan}`),
    ...strayTempFiles([scope.projectDir, ...['v8', 'timings'].map((dir) => path.join(scope.cacheDir, dir))]).map((temp) => `temp file left: ${temp}`),
  ];
}
