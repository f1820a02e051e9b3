// `cubicle shell JOB` on the real CLI: the job's setup layers, env, limits and checkout overlay,
// the shell's exit code passed through, nothing left behind. `--command` stands in for a person.
import { execa, execaSync } from 'execa';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { processesWith } from '../helpers/processes.js';
import { makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

const CONFIG = `jobs:
  debug:
    setup:
      - run: echo from-setup > /marker-from-setup
        network: none
    env: { GREETING: hello }
    timeout: 2s
    run: 'exit 1'
`;

/** Whether this host can enforce memory limits for us, as doctor says (CI always can). */
const doctor = JSON.parse((await execa(process.execPath, [CLI, 'doctor', '--json'], { reject: false })).stdout) as {
  checks: { id: string; state: string; fix: string | null }[];
};
const cgroups = doctor.checks.find((check) => check.id === 'cgroups');
const noCgroups = cgroups?.state !== 'ok' && process.env.CI !== 'true';
if (noCgroups) console.warn(`skipped: the shell's memory limit needs a delegated cgroup: ${cgroups?.fix}`);

const outboundReady = (() => {
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    return execaSync('sh', ['-c', 'command -v slirp4netns'], { reject: false }).exitCode === 0;
  } catch {
    return false;
  }
})();
if (!outboundReady) console.warn('skipped: the shell of a network: outbound job needs slirp4netns and /dev/net/tun open to this user');

describe(`cubicle shell (${IS_ROOT ? 'as root' : 'rootless'})`, () => {
  it("runs in the job's environment: its setup layer's files, its env, its hostname; the exit code passes through", async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle([
      'shell',
      'debug',
      '--command',
      'echo $CUBICLE_JOB $GREETING; cat /marker-from-setup; hostname; touch left-behind; exit 7',
    ]);
    expect(result.exitCode, result.stderr).toBe(7);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['debug hello', 'from-setup', 'debug']);
    expect(result.stderr).toContain('[debug] [setup 1/1] running: echo from-setup > /marker-from-setup');
    // The checkout is below a throwaway layer, and the run's dirs are gone.
    expect(fs.existsSync(project.file('left-behind'))).toBe(false);
    expect(fs.readdirSync(`${project.cacheDir}/runs`)).toEqual([]);
    // The setup layer is the one `cubicle run` uses: cached now.
    const again = await project.cubicle(['shell', 'debug', '--command', 'cat /marker-from-setup']);
    expect(again.stdout.trim()).toBe('from-setup');
    expect(again.stderr).toContain('[setup 1/1] cached:');
  });

  it("starts the job's services as a run does: its network, health waits and logs; none left after the command", async () => {
    const project = makeProject(`
jobs:
  web:
    services:
      api:
        run: mkdir -p /tmp/www && echo svc-answer > /tmp/www/answer && exec python3 -m http.server 8642 --bind 127.0.0.1 --directory /tmp/www # svc-marker-shell
        health:
          command: python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8642/answer')"
          interval: 200ms
          retries: 100
    run: 'true'
`);
    const reach = `python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8642/answer').read().decode().strip())"`;
    const result = await project.cubicle(['shell', 'web', '--command', reach], { timeoutMs: 60_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('svc-answer');
    expect(result.stderr).toContain('[web] [service api] healthy');
    expect(fs.readFileSync(project.file('cubicle-artifacts/web/services/api.log'), 'utf8')).toContain('GET /answer');
    expect(processesWith('svc-marker-shell')).toEqual([]);
    expect(fs.readdirSync(`${project.cacheDir}/runs`)).toEqual([]);
    // A service that never becomes healthy starts no command, and is stopped.
    const sick = makeProject(`
jobs:
  web:
    services:
      api:
        run: exec sleep 1000 # svc-marker-sick
        health: { command: 'false', interval: 100ms, retries: 3 }
    run: 'true'
`);
    const refused = await sick.cubicle(['shell', 'web', '--command', 'echo never']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).not.toContain('never');
    expect(refused.stderr).toContain('service "api" is unhealthy');
    expect(refused.stderr).toContain('no shell was started');
    expect(processesWith('svc-marker-sick')).toEqual([]);
  }, 90_000);

  it.skipIf(!outboundReady)("gives a `network: outbound` job's shell the job's way out (slirp4netns, its DNS)", async () => {
    const project = makeProject(`jobs:\n  out:\n    network: outbound\n    run: 'true'\n`);
    const result = await project.cubicle(['shell', 'out', '--command', 'cat /etc/resolv.conf; cat /proc/net/dev']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('nameserver 10.0.2.3');
    expect(result.stdout).toContain('tap0');
  });

  it("keeps the job's timeout for --command: a command past it is killed (exit 137)", async () => {
    const project = makeProject(CONFIG);
    const started = Date.now();
    const result = await project.cubicle(['shell', 'debug', '--command', 'sleep 30']);
    expect(result.exitCode).toBe(137);
    expect(result.stderr).toContain('timed out after 2.0s');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it.skipIf(noCgroups)("keeps the job's memory limit: a command that needs more is OOM-killed", async () => {
    const project = makeProject(CONFIG.replace('timeout: 2s', 'memory: 64m\n    timeout: 30s'));
    const hog = `/usr/bin/python3 -c "import time; block = b'x' * (256 * 1024 * 1024); time.sleep(0.2)"`;
    const result = await project.cubicle(['shell', 'debug', '--command', hog]);
    expect(result.exitCode, result.stderr).toBe(137);
    expect(result.stderr).toContain('memory limit of 64 MiB was reached');
    const fits = await project.cubicle(['shell', 'debug', '--command', hog.replace('256', '16')]);
    expect(fits.exitCode, fits.stderr).toBe(0);
  });

  it('an unknown job or no job is a usage error (exit 2); a failing setup step starts no shell (exit 1)', async () => {
    const project = makeProject(`${CONFIG}  broken:\n    setup:\n      - run: 'echo setup-broke; exit 4'\n        network: none\n    run: 'true'\n`);
    const unknown = await project.cubicle(['shell', 'nope', '--command', 'true']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown job "nope"');
    expect((await project.cubicle(['shell'])).exitCode).toBe(2);
    const broken = await project.cubicle(['shell', 'broken', '--command', 'echo never']);
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).not.toContain('never');
    expect(broken.stderr).toContain('setup step 1 (`echo setup-broke; exit 4`) exited with 4; no shell was started');
  });
});
