// Per-job memory, CPU, pids and time limits, enforced by cgroups on whatever this host has
// (cgroup v1 here; test/vm/limits-v2.sh runs the v2 path in a real v2 kernel). Run as root,
// and as an ordinary user after `cubicle setup --user` delegated a subtree to it.
// These measure CPU shares, so vitest runs them alone (the "limits" project).
import { execa } from 'execa';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { processesWith } from '../helpers/processes.js';
import { jobOf, makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

const MiB = 1024 * 1024;
const who = IS_ROOT ? 'as root' : 'rootless, delegated by cubicle setup';
/** Allocates and touches N MiB, then holds it for a moment. */
const hog = (mib: number) => `/usr/bin/python3 -c "import time; block = b'x' * (${mib} * 1024 * 1024); time.sleep(0.2)"`;
/** Forks N spinners to a common deadline and prints the CPU share they got over that window alone. */
const SPINNERS = fs.readFileSync(new URL('./spinners.py', import.meta.url), 'utf8');

interface LimitsJob {
  status: string;
  peakMemoryBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  cpuThrottledMs: number | null;
  pidsLimitHits: number | null;
  wallMs: number;
  message: string | null;
}

/** Job cgroups (cubicle-PID-START-...) beneath this process's cgroups in the memory and pids hierarchies. */
function jobCgroups(): string[] {
  return fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [, controllers = '', own = '/'] = line.split(':');
      if (!controllers.split(',').some((controller) => controller === 'memory' || controller === 'pids')) return [];
      const base = `/sys/fs/cgroup/${controllers.split(',')[0]}${own}`;
      try {
        return fs
          .readdirSync(base, { recursive: true })
          .map(String)
          .filter((entry) => /(^|\/)cubicle-\d+-\d+-/.test(entry))
          .map((entry) => `${base}/${entry}`);
      } catch {
        return [];
      }
    });
}

function limitsJob(project: ReturnType<typeof makeProject>, name: string): LimitsJob {
  return jobOf(project, name) as unknown as LimitsJob;
}

/** Where cubicle can put job cgroups here, as doctor says; CI (root, then a delegated user) always can. */
const doctor = JSON.parse((await execa(process.execPath, [CLI, 'doctor', '--json'], { reject: false })).stdout) as {
  checks: { id: string; state: string; fix: string | null }[];
};
const cgroups = doctor.checks.find((check) => check.id === 'cgroups')!;
const noCgroups = cgroups.state !== 'ok' && process.env.CI !== 'true';
if (noCgroups) console.warn(`skipped: no delegated cgroup for the limits suite here: ${cgroups.fix}`);

describe.skipIf(noCgroups)(`limits (${who})`, () => {
  it('ends a memory hog under memory: 64m as oom, 20 times out of 20, with its peak near 64 MiB; 32 MiB passes', async () => {
    const hogs = Array.from({ length: 20 }, (_, index) => `  hog${index + 1}: { run: ${JSON.stringify(hog(256))} }`).join('\n');
    const project = makeProject(`defaults:\n  memory: 64m\n  timeout: 60s\njobs:\n${hogs}\n  fits: { run: ${JSON.stringify(hog(32))} }\n`);
    const result = await project.cubicle(['run', '--json', 'results.json', '--parallel', '2'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(1);
    for (let index = 1; index <= 20; index++) {
      const job = limitsJob(project, `hog${index}`);
      expect(job.status, `hog${index}: ${job.message}`).toBe('oom');
      expect(job.message).toContain('killed: memory limit 64 MiB reached');
      expect(Math.abs(job.peakMemoryBytes - 64 * MiB) / (64 * MiB), `hog${index} peak ${job.peakMemoryBytes}`).toBeLessThanOrEqual(0.1);
    }
    expect(limitsJob(project, 'fits').status).toBe('passed');
    const junit = project.read('cubicle-junit.xml');
    expect(junit).toContain('type="oom"');
    expect(junit).toContain('<property name="cubicle.limits.memoryBytes" value="67108864"/>');
  }, 150_000);

  it('holds a spinner under cpus: 0.5 to half a CPU, and two spinners under cpus: 1.5 to one and a half', async () => {
    const project = makeProject(
      `jobs:
  half: { cpus: 0.5, artifacts: [share.txt], run: '/usr/bin/python3 spinners.py 1 3 > share.txt' }
  oneandhalf: { cpus: 1.5, artifacts: [share.txt], run: '/usr/bin/python3 spinners.py 2 3 > share.txt' }
`,
      { 'spinners.py': SPINNERS },
    );
    const result = await project.cubicle(['run', '--json', 'results.json', '--parallel', '1'], { timeoutMs: 60_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const share = (job: string) => Number(project.read(`cubicle-artifacts/${job}/share.txt`));
    expect(share('half'), 'cpus 0.5: share of the spinning window').toBeGreaterThanOrEqual(0.45);
    expect(share('half')).toBeLessThanOrEqual(0.55);
    expect(share('oneandhalf'), 'cpus 1.5: share of the spinning window').toBeGreaterThanOrEqual(1.35);
    expect(share('oneandhalf')).toBeLessThanOrEqual(1.6);
    // What cubicle reports (cpu.stat) agrees: never above the limit over the job's wall time, throttled.
    for (const [name, cpus] of [
      ['half', 0.5],
      ['oneandhalf', 1.5],
    ] as const) {
      const job = limitsJob(project, name);
      expect((job.cpuUserMs + job.cpuSystemMs) / job.wallMs, `${name}: reported CPU over wall`).toBeLessThanOrEqual(cpus * 1.07);
      expect(job.cpuUserMs + job.cpuSystemMs, `${name}: reported CPU covers the spinners'`).toBeGreaterThanOrEqual(share(name) * 3000 * 0.95);
      expect(job.cpuThrottledMs, `${name}: throttled time`).toBeGreaterThan(0);
    }
  }, 90_000);

  it('contains a fork bomb under pids: 64: the job ends, the limit is reported, nothing is left', async () => {
    const marker = `bomb-${process.pid}-${Date.now()}`;
    const project = makeProject(
      `jobs:
  bomb: { pids: 64, timeout: 15s, run: 'sh ./${marker}.sh' }
`,
      { [`${marker}.sh`]: 'bomb() { bomb & bomb & wait; }\nbomb\n' },
    );
    const result = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 60_000 });
    expect([0, 1], result.stderr).toContain(result.exitCode);
    const bomb = limitsJob(project, 'bomb');
    // Contained either way: the shell may shrug off its failed forks (passed) or not (failed).
    expect(['passed', 'failed', 'timeout']).toContain(bomb.status);
    expect(bomb.pidsLimitHits).toBeGreaterThan(0);
    expect(bomb.message).toContain('the pids limit of 64 was reached');
    expect(processesWith(marker)).toEqual([]);
  }, 90_000);

  it('ends sleep 100 and a detached grandchild at timeout: 2s', async () => {
    const marker = `late-${process.pid}-${Date.now()}`;
    const project = makeProject(`jobs:\n  late: { timeout: 2s, memory: 256m, run: 'setsid sh ./${marker}.sh & sleep 100' }\n`, {
      [`${marker}.sh`]: 'sleep 100\n',
    });
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    const late = limitsJob(project, 'late');
    expect(late.status).toBe('timeout');
    expect(late.wallMs).toBeGreaterThanOrEqual(1900);
    expect(late.wallMs).toBeLessThan(20_000);
    expect(processesWith(marker)).toEqual([]);
  });

  it('removes the cgroup a runner killed with SIGKILL left behind, at the next start', async () => {
    const marker = `orphan-${process.pid}-${Date.now()}`;
    const project = makeProject(`jobs:\n  long: { memory: 128m, run: 'echo started; sh ./${marker}.sh' }\n  quick: { memory: 128m, run: 'true' }\n`, {
      [`${marker}.sh`]: 'sleep 300\n',
    });
    const runner = project.spawn(['run', 'long']);
    let output = '';
    runner.stdout?.on('data', (chunk) => (output += String(chunk)));
    const deadline = Date.now() + 20_000;
    while (!output.includes('started') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const during = jobCgroups();
    expect(during.length).toBeGreaterThan(0); // the job's cgroup exists while it runs
    runner.kill('SIGKILL');
    await runner;
    const deadlineGone = Date.now() + 10_000;
    while (processesWith(marker).length > 0 && Date.now() < deadlineGone) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(jobCgroups().filter((dir) => during.includes(dir))).toEqual(during); // left behind, empty
    expect((await project.cubicle(['run', 'quick'])).exitCode).toBe(0);
    expect(jobCgroups().filter((dir) => during.includes(dir))).toEqual([]); // removed by the next run
  });

  it('removes every job cgroup after the run', async () => {
    const project = makeProject('jobs:\n  small: { memory: 128m, pids: 100, cpus: 1, run: "true" }\n');
    const before = jobCgroups();
    expect((await project.cubicle(['run', '--json', 'results.json'])).exitCode).toBe(0);
    expect(jobCgroups().filter((dir) => !before.includes(dir))).toEqual([]);
  });
});
