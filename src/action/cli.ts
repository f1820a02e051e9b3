// The cubicle CLI as the action runs it: `node <action>/dist/cubicle.cjs`, from the action's
// own checkout, with the static helper and layer tool committed beside it in
// dist/native/<platform>/ (the same binaries as the npm platform packages: no compiler on the
// runner), in the workspace, with the environment of environment.ts. On a platform without
// prebuilt binaries they are built in the checkout's native/ (host.ts, buildNative).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ActionPaths {
  /** The action's checkout: GITHUB_ACTION_PATH, the dir above dist/. */
  readonly root: string;
  readonly bundle: string;
  readonly helper: string;
  readonly layerTool: string;
  /** The helper and layer tool came prebuilt in dist/native/<platform>/; false: native/ builds them. */
  readonly prebuilt: boolean;
}

/** Paths inside the action's checkout: the nearest dir above this module with an action.yml. */
export function actionPaths(root = findActionRoot(path.dirname(fileURLToPath(import.meta.url)))): ActionPaths {
  const prebuilt = path.join(root, 'dist', 'native', `${process.platform}-${process.arch}`);
  const bundle = path.join(root, 'dist', 'cubicle.cjs');
  if (fs.existsSync(path.join(prebuilt, 'cubicle-sandbox')) && fs.existsSync(path.join(prebuilt, 'cubicle-layer'))) {
    return { root, bundle, helper: path.join(prebuilt, 'cubicle-sandbox'), layerTool: path.join(prebuilt, 'cubicle-layer'), prebuilt: true };
  }
  return {
    root,
    bundle,
    helper: path.join(root, 'native', 'cubicle-sandbox'),
    layerTool: path.join(root, 'native', 'layer', 'cubicle-layer'),
    prebuilt: false,
  };
}

/** dist/main.mjs's code may live in dist/chunks/; GITHUB_ACTION_PATH is the same dir on a runner. */
function findActionRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'action.yml'))) return dir;
    if (dir === path.dirname(dir)) return process.env.GITHUB_ACTION_PATH || path.resolve(start, '..');
  }
}

export interface CliRun {
  readonly exitCode: number;
  /** Only when asked to capture it; otherwise stdout went to the step's log. */
  readonly stdout: string;
}

export interface Cli {
  readonly paths: ActionPaths;
  /**
   * Runs `cubicle ARGS`; stdout goes to the log unless captured, stderr always does. `input`: written
   * to its stdin (a password for --password-stdin: never in its argv or environment).
   */
  run(args: readonly string[], options?: { capture?: boolean; input?: string }): Promise<CliRun>;
  /** The command line that runs cubicle as another user would type it (for sudo). */
  readonly argv: readonly string[];
}

export function createCli(paths: ActionPaths, env: Readonly<Record<string, string>>, cwd: string): Cli {
  const cliEnv = { ...env, CUBICLE_SANDBOX: paths.helper, CUBICLE_LAYER_TOOL: paths.layerTool };
  const argv = [process.execPath, paths.bundle];
  return {
    paths,
    argv,
    run: (args, options = {}) =>
      runProcess(argv[0]!, [...argv.slice(1), ...args], { env: withRuntimeDir(cliEnv), cwd, capture: options.capture ?? false, input: options.input }),
  };
}

/**
 * `systemd-run --user` (how cubicle gets a delegated cgroup on cgroup v2) finds the user's
 * manager through XDG_RUNTIME_DIR, which a runner service, having no login session, lacks.
 * Looked up at each run: `cubicle setup` may have just started the manager (lingering).
 */
function withRuntimeDir(env: Readonly<Record<string, string>>): Record<string, string> {
  const dir = `/run/user/${process.getuid?.() ?? 0}`;
  return env.XDG_RUNTIME_DIR || !fs.existsSync(dir) ? { ...env } : { ...env, XDG_RUNTIME_DIR: dir };
}

/** Runs a command with stderr (and stdout unless captured) in the step's log; `input` on its stdin, else none. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; cwd?: string; capture?: boolean; input?: string | undefined },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', options.capture ? 'pipe' : 'inherit', 'inherit'],
    });
    // A command that exits without reading its stdin (EPIPE) tells why through its exit code.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    // A cancelled workflow signals the action: the CLI gets it too, and cancels its jobs.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const stopForwarding = () => process.off('SIGINT', forward).off('SIGTERM', forward);
    child.once('error', (error) => {
      stopForwarding();
      reject(error);
    });
    child.once('close', (code, signal) => {
      stopForwarding();
      resolve({ exitCode: code ?? 128 + signalNumber(signal), stdout });
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (os.constants.signals[signal] ?? 9) : 0;
}
