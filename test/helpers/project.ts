// Fixture projects in temp dirs and the real CLI run on them, as whoever runs the tests
// (test/run-all.mjs runs the suites as root and again as an ordinary user).
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { CLI } from './paths.js';
import { tempDirs } from './temp.js';

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

const roots = tempDirs('cubicle-it');

/** A project dir with a cubicle.config.yaml and the given files; removed after the test file. */
export function makeProject(config: string, files: Record<string, string> = {}): Project {
  const root = roots.make();
  fs.chmodSync(root, 0o755);
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
      const result = await execa(process.execPath, [CLI, ...args], {
        cwd: dir,
        env: env(options.env),
        reject: false,
        stdin: 'ignore',
        timeout: options.timeoutMs ?? 50_000,
      });
      return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    file: (relative) => path.join(dir, relative),
    read: (relative) => fs.readFileSync(path.join(dir, relative), 'utf8'),
    results: () => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as JsonResults,
  };
}

export function removeProjects(): void {
  roots.removeAll();
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
