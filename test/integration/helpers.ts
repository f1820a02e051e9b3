// Fixture projects in temp dirs and the real CLI run on them, as whoever runs the tests
// (test/run-all.mjs runs this suite as root and again as an ordinary user).
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'bin', 'cubicle.js');
export const IS_ROOT = process.getuid?.() === 0;

export interface Project {
  dir: string;
  cacheDir: string;
  /** Runs `cubicle ARGS` in the project with its own cache dir. */
  cubicle(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  spawn(args: string[], options?: { env?: Record<string, string> }): ResultPromise;
  file(relative: string): string;
  read(relative: string): string;
  results(): JsonResults;
}

export interface CliResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

export interface JsonJob {
  name: string;
  status: string;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  message: string | null;
  peakMemoryBytes: number;
  artifacts: string[];
  junitFiles: string[];
}

export interface JsonResults {
  jobs: JsonJob[];
  limitsEnforced: boolean;
}

const roots: string[] = [];

/** A project dir with a cubicle.config.yaml and the given files; removed after the test file. */
export function makeProject(config: string, files: Record<string, string> = {}): Project {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-it-'));
  fs.chmodSync(root, 0o755);
  roots.push(root);
  const dir = path.join(root, 'project');
  const cacheDir = path.join(root, 'cache');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'cubicle.config.yaml'), config);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content, { mode: 0o755 });
  }
  // FORCE_COLOR would win over NO_COLOR (report/color.ts): the CLI's output is read as plain text.
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, CUBICLE_CACHE_DIR: cacheDir, NO_COLOR: '1', FORCE_COLOR: undefined, ...extra });
  const spawn = (args: string[], options: { env?: Record<string, string> } = {}) =>
    execa(process.execPath, [CLI, ...args], { cwd: dir, env: env(options.env), reject: false, stdin: 'ignore' });
  return {
    dir,
    cacheDir,
    spawn,
    async cubicle(args, options = {}) {
      const result = await execa(process.execPath, [CLI, ...args], { cwd: dir, env: env(options.env), reject: false, stdin: 'ignore', timeout: options.timeoutMs ?? 50_000 });
      return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    file: (relative) => path.join(dir, relative),
    read: (relative) => fs.readFileSync(path.join(dir, relative), 'utf8'),
    results: () => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as JsonResults,
  };
}

export function removeProjects(): void {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
}

/** The pids of processes whose command line contains `marker` (other than this test process). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return predicate();
}

export function jobOf(project: Project, name: string): JsonJob {
  const job = project.results().jobs.find((candidate) => candidate.name === name);
  if (!job) throw new Error(`no result for job ${name}`);
  return job;
}

/** The job's output lines, without the `[name] ` prefix and without cubicle's own `:: ` lines. */
export function outputOf(stdout: string, name: string): string[] {
  const prefix = new RegExp(`^\\[${name}\\s*\\] `);
  return stdout
    .split('\n')
    .filter((line) => prefix.test(line))
    .map((line) => line.replace(prefix, ''))
    .filter((line) => !line.startsWith(':: '));
}

/**
 * Why `network: outbound` (a setup step's default) cannot run as this user here, or null when it can:
 * slirp4netns must be installed and /dev/net/tun open to us (0666 on distributions, 0600 on some hosts).
 */
export function outboundUnavailable(): string | null {
  const slirp = ['/usr/bin/slirp4netns', '/usr/local/bin/slirp4netns', '/bin/slirp4netns'].some((file) => fs.existsSync(file));
  if (!slirp) return 'needs slirp4netns: apt-get install slirp4netns';
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    return null;
  } catch {
    return `/dev/net/tun is not open to uid ${process.getuid?.()} here (mode 0600); test/run-all.mjs runs this part with a 0666 node`;
  }
}
