// cgroup v2 without a delegated cgroup, but with a user systemd: run cubicle again inside
// a transient scope that systemd delegates to us, as podman does. Its cgroup holds only
// cubicle, so the helper can move the runner into a leaf and enable controllers there.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export function rerunInSystemdScope(argv: readonly string[]): number {
  const script = process.argv[1]!;
  const result = spawnSync(
    'systemd-run',
    ['--user', '--scope', '--quiet', '--collect', '-p', 'Delegate=yes', '--', process.execPath, ...process.execArgv, script, ...argv],
    { stdio: 'inherit', env: { ...process.env, CUBICLE_SYSTEMD_SCOPE: '1' } },
  );
  if (result.error) {
    process.stderr.write(`cubicle: could not run systemd-run to get a delegated cgroup: ${result.error.message}\n`);
    return 3;
  }
  return result.status ?? 128 + (os.constants.signals[result.signal as NodeJS.Signals] ?? 9);
}
