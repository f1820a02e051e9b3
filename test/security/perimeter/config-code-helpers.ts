// Hostile code configs (class 1 of issue 12): a fixture checkout whose cubicle.config.mjs tries
// to take something from the runner while it is evaluated, run by the real CLI with a planted
// HOME (~/.ssh/id_rsa) and a secret in the runner's environment. Each config reports what it
// got into its one job's environment, so a breach would show in the job's output, the report
// or the results; the checks below look for the secrets everywhere the run left text.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI } from '../../helpers/paths.js';
import { makeProject, type Project } from '../../helpers/project.js';
import { RUNNER_SECRET, snapshotTree } from '../harness.js';

/** In the planted ~/.ssh/id_rsa of the runner's HOME. */
export const SSH_SECRET = `ssh-key-secret-${process.pid}`;

/**
 * Put before a hostile config's own code: `attempt(what, fn)` runs one harmful step and notes
 * `what: GOT` or `what refused: CODE`; `config()` is the default export, one job that prints
 * the notes (so whatever a step got would reach the job's output and the report).
 */
export const CONFIG_PRELUDE = `
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
const notes = [];
async function attempt(what, step) {
  try {
    notes.push(what + ': ' + String(await step()));
  } catch (error) {
    notes.push(what + ' refused: ' + (error?.code ?? error?.message ?? error));
  }
}
function config() {
  return { jobs: { attempt: { run: 'printf "%s\\\\n" "$NOTES"', env: { NOTES: notes.join('\\n') } } } };
}
`;

export interface Scene {
  readonly project: Project;
  /** The runner's HOME: .ssh/id_rsa holds SSH_SECRET. */
  readonly home: string;
  /** A host dir beside the checkout, with secret.txt. */
  readonly outside: string;
}

/** A checkout whose only config is `cubicle.config.mjs` = CONFIG_PRELUDE + `body` (and `files`). */
export function hostileScene(body: string | ((scene: Omit<Scene, 'project'> & { dir: string }) => string), files: Record<string, string> = {}): Scene {
  const project = makeProject('', files);
  fs.rmSync(project.file('cubicle.config.yaml'));
  const root = path.dirname(project.dir);
  const home = path.join(root, 'home');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_SECRET}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(home, '.bashrc'), "# the runner's own\n");
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), `${RUNNER_SECRET}-file\n`);
  const source = typeof body === 'function' ? body({ dir: project.dir, home, outside }) : body;
  fs.writeFileSync(project.file('cubicle.config.mjs'), `${CONFIG_PRELUDE}\n${source}\n`);
  return { project, home, outside };
}

export interface RunOutcome {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The highest VmHWM seen of the runner's own process (bytes). */
  readonly runnerPeakRssBytes: number;
}

/** `cubicle run --json results.json` in the scene, HOME planted and RUNNER_SECRET set, the runner's RSS watched. */
export function runCubicle(scene: Scene, extraEnv: Record<string, string> = {}, args: readonly string[] = []): Promise<RunOutcome> {
  const env = { ...process.env, HOME: scene.home, RUNNER_SECRET, CUBICLE_CACHE_DIR: scene.project.cacheDir, NO_COLOR: '1', ...extraEnv };
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, 'run', '--json', 'results.json', ...args],
      { cwd: scene.project.dir, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        clearInterval(watch);
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr, runnerPeakRssBytes: peak });
      },
    );
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, highWaterMark(child.pid));
    }, 25);
  });
}

function highWaterMark(pid: number | undefined): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every text the run left: its output, the report, the results, every file in the checkout and HOME. */
export function everythingLeft(scene: Scene, outcome: RunOutcome): { where: string; text: string }[] {
  const files = [scene.project.dir, scene.home, scene.outside].flatMap((dir) =>
    (fs.readdirSync(dir, { recursive: true }) as string[]).map((file) => path.join(dir, file)).filter((file) => fs.lstatSync(file).isFile()),
  );
  return [
    { where: 'stdout', text: outcome.stdout },
    { where: 'stderr', text: outcome.stderr },
    ...files.filter((file) => !file.endsWith('id_rsa') && !file.endsWith('secret.txt')).map((file) => ({ where: file, text: fs.readFileSync(file, 'latin1') })),
  ];
}

/** None of `secrets` anywhere the run left text. */
export function expectNowhere(scene: Scene, outcome: RunOutcome, secrets: readonly string[]): void {
  for (const { where, text } of everythingLeft(scene, outcome)) {
    for (const secret of secrets) expect(text, `${secret} in ${where}`).not.toContain(secret);
  }
}

/** The job ran with what the config evaluated to: its notes, one per line. */
export function notesOf(outcome: RunOutcome): string[] {
  return outcome.stdout
    .split('\n')
    .filter((line) => /^\[attempt\s*\] /.test(line))
    .map((line) => line.replace(/^\[attempt\s*\] /, ''))
    .filter((line) => !line.startsWith(':: '));
}

export function expectEvaluated(outcome: RunOutcome): string[] {
  expect(outcome.exitCode, `${outcome.stdout}\n${outcome.stderr}`).toBe(0);
  const notes = notesOf(outcome);
  expect(notes.length, outcome.stdout).toBeGreaterThan(0);
  return notes;
}

/** The checkout, HOME and the dir beside them, to compare before and after a run. */
export function snapshotScene(scene: Scene): Map<string, string> {
  const outputs = new Set(['results.json', 'cubicle-junit.xml', 'cubicle-artifacts']);
  const tree = new Map<string, string>();
  for (const [name, dir] of [
    ['checkout', scene.project.dir],
    ['home', scene.home],
    ['outside', scene.outside],
  ] as const) {
    // The checkout dir's own entry is left out: its link count changes when the run writes its reports.
    for (const [file, digest] of snapshotTree(dir, (relative) => outputs.has(relative.split('/')[0]!)))
      if (!(name === 'checkout' && file === '.')) tree.set(`${name}/${file}`, digest);
  }
  return tree;
}

/**
 * The positive control: the same config imported by node on the host (what cosmiconfig did in
 * the runner's own process), with the runner's HOME and environment; prints its notes.
 */
export function importOnHost(scene: Scene, env: Record<string, string> = {}): Promise<string> {
  const program = `const { default: exported } = await import(${JSON.stringify(`file://${scene.project.file('cubicle.config.mjs')}`)});
const config = await (typeof exported === 'function' ? exported() : exported);
process.stdout.write(config.jobs.attempt.env.NOTES + '\\n');`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', program],
      { cwd: scene.project.dir, env: { ...process.env, HOME: scene.home, RUNNER_SECRET, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}
