// The action as a runner runs it: dist/main.mjs and dist/post.mjs under Node 24 (runs.using:
// node24), with the environment a runner gives an action (INPUT_* with action.yml's defaults,
// GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, ...) and two secrets that must never reach
// a job. No GitHub: the cache service, when a test needs one, is fake-cache.ts.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { REPO } from '../helpers/paths.js';

export const FIXTURE = path.join(REPO, 'test', 'fixtures', 'action-project');
export const SECRETS = { GITHUB_TOKEN: 'secret-token', ACTIONS_RUNTIME_TOKEN: 'another-secret' } as const;

/** Node 24, as GitHub runs node24 actions: from CUBICLE_TEST_NODES (.ci/run), this Node, or fetched as .ci/run does. */
export function node24(): string {
  for (const node of (process.env.CUBICLE_TEST_NODES ?? '').split(':').filter(Boolean)) {
    if (versionOf(node)?.startsWith('v24.')) return node;
  }
  if (process.version.startsWith('v24.')) return process.execPath;
  const dir = path.join(os.tmpdir(), `cubicle-test-node24-${process.getuid?.() ?? 0}`);
  const node = path.join(dir, 'package', 'bin', 'node');
  if (versionOf(node)?.startsWith('v24.')) return node;
  // .ci/run's way: the node-linux-<arch> package from npm, extracted; renamed into place whole.
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-test-node24-staging-'));
  try {
    execFileSync('npm', ['pack', '--silent', `node-linux-${process.arch}@24`], { cwd: staging, stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = fs.readdirSync(staging).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    execFileSync('tar', ['-xzf', tarball], { cwd: staging });
    fs.rmSync(path.join(staging, tarball));
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!versionOf(node)?.startsWith('v24.')) {
      throw new Error(
        `no Node 24 for the action's tests: set CUBICLE_TEST_NODES=/path/to/node24 (as .ci/run does), or let \`npm pack node-linux-${process.arch}@24\` reach the registry: ${(error as Error).message}`,
      );
    }
  }
  return node;
}

function versionOf(node: string): string | undefined {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Where dist/ is run from: this checkout, or CUBICLE_TEST_ACTION_ROOT (a checkout's action.yml
 * and a dist/ built from a branch's src/, to try it without rebuilding the committed dist/).
 */
export const ACTION_ROOT = process.env.CUBICLE_TEST_ACTION_ROOT || REPO;

/** action.yml's input defaults, which the runner hands the action as INPUT_* variables (`${{ github.token }}` evaluated, as a runner does). */
function inputDefaults(): Record<string, string> {
  const action = yaml.load(fs.readFileSync(path.join(ACTION_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const evaluate = (value: string) => value.replace('${{ github.token }}', SECRETS.GITHUB_TOKEN);
  return Object.fromEntries(
    Object.entries(action.inputs).flatMap(([name, input]) => (input.default === undefined ? [] : [[name, evaluate(String(input.default))]])),
  );
}

/**
 * Preloaded into every Node process of a step (NODE_OPTIONS, which the CLI's environment keeps):
 * appends its argv and environment, as it started, to CUBICLE_TEST_PROCESS_LOG.
 */
const RECORD_PROCESS =
  "const record = JSON.stringify({ argv: process.argv, env: process.env }) + '\\n';\n" +
  "require('node:fs').appendFileSync(process.env.CUBICLE_TEST_PROCESS_LOG, record);\n";

const roots: string[] = [];

export function removeRunners(): void {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
}

export interface ActionRun {
  readonly exitCode: number;
  /** stdout and stderr, interleaved as the runner's log has them. */
  readonly log: string;
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly summary: string;
  /** With `recordCli`: every `cubicle` the step ran (node dist/cubicle.cjs ARGS), its arguments and environment. */
  readonly cli: { args: string[]; env: Record<string, string> }[];
}

/** One job on a runner: a workspace (a copy of the fixture project), RUNNER_TEMP, a layer store. */
export class Runner {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-action-'));
  readonly workspace = path.join(this.root, 'workspace');
  readonly temp = path.join(this.root, 'runner-temp');
  readonly files = path.join(this.root, 'files');
  cacheDir = path.join(this.root, 'cache');
  ref = 'refs/heads/main';
  defaultBranch: string | undefined = 'main';
  /** Extra variables of the runner's environment (the cache service's URL, a variable for `env`). */
  env: Record<string, string> = {};
  private state: Record<string, string> = {};

  constructor() {
    roots.push(this.root);
    fs.chmodSync(this.root, 0o755);
    fs.cpSync(FIXTURE, this.workspace, { recursive: true });
    for (const dir of [this.temp, this.files]) fs.mkdirSync(dir);
  }

  /** Runs dist/<entry>.mjs; post gets what main saved in GITHUB_STATE, as STATE_* variables. */
  async run(
    entry: 'main' | 'post',
    inputs: Record<string, string> = {},
    options: { signalWhen?: { text: string; signal: NodeJS.Signals }; recordCli?: boolean } = {},
  ): Promise<ActionRun> {
    const files = Object.fromEntries(['output', 'state', 'summary', 'env', 'path'].map((name) => [name, path.join(this.files, `${entry}-${name}`)]));
    for (const file of Object.values(files)) fs.writeFileSync(file, '');
    const event = path.join(this.files, 'event.json');
    fs.writeFileSync(event, JSON.stringify(this.defaultBranch ? { ref: this.ref, repository: { default_branch: this.defaultBranch } } : { ref: this.ref }));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.homedir(),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: 'cubicle',
      GITHUB_ACTION_PATH: ACTION_ROOT,
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_REF: this.ref,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: event,
      GITHUB_OUTPUT: files.output!,
      GITHUB_STATE: files.state!,
      GITHUB_STEP_SUMMARY: files.summary!,
      GITHUB_ENV: files.env!,
      GITHUB_PATH: files.path!,
      RUNNER_TEMP: this.temp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      CUBICLE_CACHE_DIR: this.cacheDir,
      ...SECRETS,
      ...this.env,
    };
    const processLog = path.join(this.files, `${entry}-processes.jsonl`);
    if (options.recordCli) {
      const preload = path.join(this.files, 'record-process.cjs');
      fs.writeFileSync(preload, RECORD_PROCESS);
      fs.writeFileSync(processLog, '');
      Object.assign(env, { NODE_OPTIONS: `--require ${preload}`, CUBICLE_TEST_PROCESS_LOG: processLog });
    }
    for (const [name, value] of Object.entries({ ...inputDefaults(), ...inputs })) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    if (entry === 'post') for (const [name, value] of Object.entries(this.state)) env[`STATE_${name}`] = value;
    const { exitCode, log } = await spawnLogged(node24(), [path.join(ACTION_ROOT, 'dist', `${entry}.mjs`)], {
      cwd: this.workspace,
      env,
      signalWhen: options.signalWhen,
    });
    const state = parseFileCommands(fs.readFileSync(files.state!, 'utf8'));
    if (entry === 'main') this.state = state;
    const outputs = parseFileCommands(fs.readFileSync(files.output!, 'utf8'));
    return { exitCode, log, outputs, state, summary: fs.readFileSync(files.summary!, 'utf8'), cli: options.recordCli ? cliRecords(processLog) : [] };
  }

  /** Every file the run left in the workspace and RUNNER_TEMP (reports, artifacts, results), read as text. */
  leftFiles(): { file: string; text: string }[] {
    return [this.workspace, this.temp].flatMap((dir) =>
      (fs.readdirSync(dir, { recursive: true }) as string[])
        .map((file) => path.join(dir, file))
        .filter((file) => fs.statSync(file).isFile())
        .map((file) => ({ file, text: fs.readFileSync(file, 'latin1') })),
    );
  }
}

/**
 * Runs asynchronously (a fake cache service may live in this process), stdout and stderr into
 * one log; `signalWhen`: signals the process once the log shows a text, as a cancelled workflow does.
 */
function spawnLogged(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; signalWhen?: { text: string; signal: NodeJS.Signals } | undefined },
): Promise<{ exitCode: number; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let signalled = false;
    const append = (chunk: string) => {
      log += chunk;
      if (options.signalWhen && !signalled && log.includes(options.signalWhen.text)) {
        signalled = true;
        child.kill(options.signalWhen.signal);
      }
    };
    child.stdout.setEncoding('utf8').on('data', append);
    child.stderr.setEncoding('utf8').on('data', append);
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), log }));
  });
}

/** The `cubicle` processes in a process log (RECORD_PROCESS), not the action's own. */
function cliRecords(processLog: string): ActionRun['cli'] {
  return fs
    .readFileSync(processLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { argv: string[]; env: Record<string, string> })
    .filter((record) => record.argv[1]?.endsWith(path.join('dist', 'cubicle.cjs')))
    .map((record) => ({ args: record.argv.slice(2), env: record.env }));
}

/** GITHUB_OUTPUT / GITHUB_STATE: `name<<DELIMITER\nvalue\nDELIMITER` entries, or `name=value` lines. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, index + 1);
      if (end < 0) throw new Error(`unterminated ${heredoc[1]} in a file command`);
      values[heredoc[1]!] = lines.slice(index + 1, end).join('\n');
      index = end;
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

/** `::error file=F,line=L,title=T::message` workflow commands in a log. */
export function errorCommands(log: string): { properties: Record<string, string>; message: string }[] {
  return annotationCommands(log, 'error');
}

/** `::warning ...::message` (or `::error`) workflow commands in a log, their properties and message decoded. */
export function annotationCommands(log: string, kind: 'error' | 'warning'): { properties: Record<string, string>; message: string }[] {
  return [...log.matchAll(new RegExp(`^::${kind}(?: ([^:]*))?::(.*)$`, 'gm'))].map((match) => ({
    properties: Object.fromEntries(
      (match[1] ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), decodeURIComponent(pair.slice(pair.indexOf('=') + 1))]),
    ),
    message: match[2]!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
  }));
}

/** Whether this build of the CLI passes CUBICLE_PASS_ENV's variables into jobs (src/plan/sandbox-spec.ts). */
export function cliPassesEnv(): boolean {
  return fs.readFileSync(path.join(ACTION_ROOT, 'dist', 'cubicle.cjs'), 'utf8').includes('CUBICLE_PASS_ENV');
}
