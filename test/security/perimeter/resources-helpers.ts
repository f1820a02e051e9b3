// Helpers for class 7 of issue 12 (the runner's own resources): the real CLI run as a CI log
// shipper would run it (stdout read slowly, or at once), with the runner's own peak RSS read
// from /proc/PID/status (VmHWM), and the checks every attempt shares: the other job's result
// is in the report, the run ended with the failed-job exit code (1, not 70), no run dir is left
// in the store, and the next run on the same store works.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI } from '../../helpers/paths.js';
import { makeProject, type Project } from '../../helpers/project.js';

export interface Measured {
  readonly exitCode: number | null;
  /** Bytes cubicle printed on stdout, all read. */
  readonly stdoutBytes: number;
  /** The last 256 KiB of stdout (the summary is there). */
  readonly stdoutTail: string;
  readonly stderr: string;
  /** The highest VmHWM of the runner's own process seen while it ran (bytes). */
  readonly peakRssBytes: number;
}

/** VmHWM of a process, 0 once it is gone. */
export function highWaterMark(pid: number | undefined): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `command` (node and its arguments), its stdout left unread for `slowReaderMs`, then read to the end; its RSS watched. */
export interface WatchOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly slowReaderMs?: number;
  readonly timeoutMs?: number;
}

export function runWatched(command: readonly string[], options: WatchOptions): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let stdoutBytes = 0;
    let tail = '';
    let stderr = '';
    const watch = setInterval(() => (peak = Math.max(peak, highWaterMark(child.pid))), 20);
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 150_000);
    const read = () =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        tail = (tail + chunk.toString('latin1')).slice(-256 * 1024);
      });
    // Without a 'data' listener the pipe is not read: it fills, and cubicle's writes wait.
    if (options.slowReaderMs) setTimeout(read, options.slowReaderMs);
    else read();
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-256 * 1024)));
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearInterval(watch);
      clearTimeout(killer);
      resolve({ exitCode, stdoutBytes, stdoutTail: tail, stderr, peakRssBytes: peak });
    });
  });
}

/** `cubicle run --json results.json` in the project, RSS watched. */
export function runCubicle(project: Project, options: { slowReaderMs?: number; args?: readonly string[] } = {}): Promise<Measured> {
  const env = { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, NO_COLOR: '1' };
  const command = [process.execPath, CLI, 'run', '--json', 'results.json', ...(options.args ?? [])];
  return runWatched(command, { cwd: project.dir, env, slowReaderMs: options.slowReaderMs });
}

/** A bystander beside every attempt: its own JUnit report of three cases, and one small artifact. */
const BYSTANDER_REPORT = '<testsuite name="b"><testcase name="one"/><testcase name="two"/><testcase name="three"/></testsuite>';
export const BYSTANDER = `  bystander:
    run: mkdir -p reports && printf '${BYSTANDER_REPORT}' > reports/b.xml && echo bystander-ok > small.txt
    junit: reports/b.xml
    artifacts: [small.txt]
`;

/** A project whose job `evil` runs evil.sh (with `extra` keys of its own), beside the bystander. */
export function hostile(script: string, extra = ''): Project {
  return makeProject(`jobs:\n  evil:\n    run: sh evil.sh\n${extra}${BYSTANDER}`, { 'evil.sh': script });
}

/** The checks every attempt shares; `evilStatus` is what the hostile job ended as. */
export async function expectIntact(project: Project, outcome: Measured, evilStatus: string): Promise<void> {
  expect(outcome.exitCode, outcome.stderr).toBe(1);
  expect(outcome.stderr).not.toMatch(/^cubicle: Error/m);
  const jobs = project.results().jobs;
  expect(jobs.find((job) => job.name === 'evil')?.status, outcome.stderr).toBe(evilStatus);
  const bystander = jobs.find((job) => job.name === 'bystander');
  expect(bystander?.status).toBe('passed');
  expect(bystander?.artifacts).toEqual(['small.txt']);
  expect(fs.readFileSync(project.file('cubicle-artifacts/bystander/small.txt'), 'utf8')).toBe('bystander-ok\n');
  const junit = project.read('cubicle-junit.xml');
  for (const name of ['one', 'two', 'three']) expect(junit).toContain(`<testcase name="${name}" classname="b"`);
  // Nothing of the run left in the store, and the store still works.
  const runs = path.join(project.cacheDir, 'runs');
  expect(fs.existsSync(runs) ? fs.readdirSync(runs) : []).toEqual([]);
  const next = await project.cubicle(['run', 'bystander', '--json', 'next.json']);
  expect(next.exitCode, next.stderr).toBe(0);
}

/** The JUnit testcase cubicle writes for a job's report it could not read: its error message. */
export function reportError(project: Project, file: string): string {
  const junit = project.read('cubicle-junit.xml');
  const match = new RegExp(`<testcase name="JUnit report ${file}" classname="cubicle\\.evil"[^>]*>\\s*<error message="([^"]*)"`).exec(junit);
  return match?.[1] ?? '';
}
