// Host preparation: the prebuilt native helper (or one built in the action's checkout), then `cubicle doctor`;
// what doctor finds missing that `cubicle setup` fixes (delegated cgroups, the AppArmor
// profile for the helper where Ubuntu restricts user namespaces) is set up with sudo. The
// AppArmor restriction is never turned off machine-wide.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CubicleError } from '../core/errors.js';
import type { CheckResult } from '../host/checks.js';
import { runProcess, type Cli } from './cli.js';

/** The host cannot run jobs and the action could not fix it; the message says how to. */
export class HostNotReadyError extends CubicleError<'HOST_NOT_READY'> {
  readonly code = 'HOST_NOT_READY';
}

export interface DoctorReport {
  readonly runnable: boolean;
  readonly checks: readonly CheckResult[];
}

/** Checks `cubicle setup` can fix; the others (a missing helper, overlayfs) it cannot. */
const FIXED_BY_SETUP = new Set(['userns', 'cgroups']);

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

/** Builds the helper and the layer tool (`make` is a no-op when they are up to date), unless they came prebuilt in dist/native/. */
export async function buildNative(cli: Cli, log: Logger, options: { onlyIfMissing: boolean }): Promise<void> {
  if (cli.paths.prebuilt) {
    log.info(`using the prebuilt helper and layer tool in ${path.dirname(cli.paths.helper)} (static; no compiler needed)`);
    return;
  }
  const built = [cli.paths.helper, cli.paths.layerTool].every((file) => isExecutable(file));
  if (options.onlyIfMissing && built) return;
  for (const dir of ['native', 'native/layer']) {
    log.info(`make -C ${dir} (in ${cli.paths.root})`);
    const result = await runProcess('make', ['-s', '-C', dir], { cwd: cli.paths.root, env: processEnv() });
    if (result.exitCode !== 0) {
      throw new HostNotReadyError(
        `building the sandbox helper failed: make -C ${dir} exited with ${result.exitCode} (its output is above); no job was run. Install a C compiler and make on the runner: sudo apt-get install -y gcc make libc6-dev`,
      );
    }
  }
}

export async function runDoctor(cli: Cli): Promise<DoctorReport> {
  const result = await cli.run(['doctor', '--json'], { capture: true });
  try {
    return JSON.parse(result.stdout) as DoctorReport;
  } catch {
    throw new HostNotReadyError(`cubicle doctor --json exited with ${result.exitCode} without a report (its errors are above); no job was run`);
  }
}

/** The checks that are not ok and that `cubicle setup` can fix. */
export function fixableBySetup(report: DoctorReport): CheckResult[] {
  return report.checks.filter((check) => check.state === 'missing' && FIXED_BY_SETUP.has(check.id));
}

/** What is still missing, in words, each with doctor's fix. */
export function describeMissing(checks: readonly CheckResult[]): string {
  return checks.map((check) => `${check.title}: ${check.detail}${check.fix ? `\n    fix: ${check.fix}` : ''}`).join('\n');
}

export interface SetupCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** `cubicle setup --user U` as root: directly when the action already is root, else with `sudo -n`. */
export function setupCommand(cli: Cli, user: string, uid: number): SetupCommand {
  const setup = [...cli.argv, 'setup', '--user', user];
  return uid === 0 ? { command: setup[0]!, args: setup.slice(1) } : { command: 'sudo', args: ['-n', ...setup] };
}

/**
 * doctor; `cubicle setup` for what it fixes; doctor again. Fails when a required check is
 * still missing; a missing optional one (cgroups) is a warning: the CLI refuses a job that
 * asks for limits it cannot enforce, with the same fix. Limits through a systemd-run scope
 * (GitHub's runners: runner.service is not delegated) are ok in doctor's report: no sudo.
 */
export async function prepareHost(cli: Cli, log: Logger, runner = { user: userName(), uid: process.getuid?.() ?? 0 }): Promise<DoctorReport> {
  let report = await runDoctor(cli);
  const fixable = fixableBySetup(report);
  if (fixable.length) {
    const setup = setupCommand(cli, runner.user, runner.uid);
    log.info(
      `doctor: ${fixable.map((check) => check.title).join(', ')} missing; running ${setup.command === 'sudo' ? 'sudo -n ' : ''}cubicle setup --user ${runner.user}`,
    );
    let failure: string | undefined;
    try {
      const result = await runProcess(setup.command, setup.args, { env: processEnv() });
      if (result.exitCode !== 0)
        failure = `${setup.command === 'sudo' ? 'sudo -n cubicle setup' : 'cubicle setup'} exited with ${result.exitCode} (its output is above)`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      failure = code === 'ENOENT' || code === 'EACCES' ? `${setup.command} is not installed, or not executable for ${runner.user}` : (error as Error).message;
    }
    if (failure) {
      const missing = report.checks.filter((check) => check.state === 'missing');
      const message = `cubicle setup could not run as root: ${failure}. What doctor found missing:\n${describeMissing(missing)}`;
      if (!report.runnable)
        throw new HostNotReadyError(`${message}\nNo job was run. Give the runner user passwordless sudo, or run the fix above once on the machine.`);
      log.warning(`${message}\nJobs run without limits; a job that asks for memory, cpus or pids limits is refused.`);
      return report;
    }
    await waitForUserManager(runner.uid);
    report = await runDoctor(cli);
  }
  const missing = report.checks.filter((check) => check.state === 'missing');
  if (!report.runnable)
    throw new HostNotReadyError(`this runner cannot run cubicle jobs; no job was run:\n${describeMissing(missing.filter((check) => check.required))}`);
  if (missing.length) log.warning(`cubicle doctor: ${describeMissing(missing)}`);
  return report;
}

/** After `cubicle setup` enabled lingering, the user's systemd manager starts on its own: wait for it, briefly. */
async function waitForUserManager(uid: number): Promise<void> {
  if (uid === 0 || !fs.existsSync('/run/systemd/system')) return;
  const socket = `/run/user/${uid}/systemd/private`;
  for (let waited = 0; waited < 10_000 && !fs.existsSync(socket); waited += 250) await new Promise((resolve) => setTimeout(resolve, 250));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? '');
  }
}

/** make and sudo get the runner's PATH and locale, not its tokens. */
function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TERM', 'CI']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}
