// cgroup v2 without a delegated cgroup, but with a user systemd manager: run cubicle again
// inside a transient scope that systemd delegates to us, as podman does. Its cgroup holds only
// cubicle, so the helper can move the runner into a leaf and enable controllers there.
//
// The re-run is this run: the outer cubicle passes SIGINT/SIGTERM/SIGHUP on and waits for it
// (a cancelled CI job must reach every job), and the re-run cancels itself should the outer
// one vanish without passing anything on (SIGKILL): see rerunParent(). Whether the re-run
// started at all tells systemd-run's own failures (no user bus, exit 1) from a failed job.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { userRuntimeDir } from '../host/runtime-dir.js';

const RERUN_VARIABLE = 'CUBICLE_SYSTEMD_SCOPE';
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function rerunInSystemdScope(argv: readonly string[]): Promise<number> {
  const script = process.argv[1]!;
  const runtime = userRuntimeDir(process.getuid?.() ?? 0);
  const marker = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-scope-'));
  const started = path.join(marker, 'started');
  const command = [process.execPath, ...process.execArgv, script, ...argv];
  // A service, `sudo -u` or cron has no XDG_RUNTIME_DIR: systemd-run would not find the bus.
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime, [RERUN_VARIABLE]: `${process.pid}:${started}` };
  const child = spawn('systemd-run', ['--user', '--scope', '--quiet', '--collect', '-p', 'Delegate=yes', '--', ...command], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (ended.error) {
      process.stderr.write(`cubicle: could not run systemd-run to get a delegated cgroup: ${ended.error.message}; no job was run\n`);
      return 3;
    }
    if (!fs.existsSync(started)) {
      process.stderr.write(
        `cubicle: \`systemd-run --user --scope\` could not start cubicle in a delegated cgroup (it exited with ${ended.code ?? ended.signal}; ` +
          `its message is above); no job was run.\n` +
          `  fix: check the user's systemd manager with \`XDG_RUNTIME_DIR=${runtime} systemctl --user status\`; ` +
          `as root, \`sudo npx cubicle setup --user ${os.userInfo().username}\` keeps it running; or run with --no-limits.\n`,
      );
      return 3;
    }
    return ended.code ?? 128 + (os.constants.signals[ended.signal!] ?? 9);
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
    fs.rmSync(marker, { recursive: true, force: true });
  }
}

function rerunVariable(): { parent: number; started: string } | undefined {
  const match = /^(\d+):(\/.+)$/.exec(process.env[RERUN_VARIABLE] ?? '');
  return match ? { parent: Number(match[1]), started: match[2]! } : undefined;
}

/** In the re-run, first thing: tells the outer cubicle that systemd-run did start it. */
export function announceRerun(): void {
  const rerun = rerunVariable();
  if (!rerun) return;
  try {
    fs.writeFileSync(rerun.started, String(process.pid), { flag: 'wx' });
  } catch {
    // the outer one is gone: the re-run notices (rerunParent) and cancels
  }
}

/** In the re-run: the outer cubicle's PID, which stays this process's parent (systemd-run --scope execs in place). */
export function rerunParent(): number | undefined {
  return rerunVariable()?.parent;
}
