// The runner SIGKILLed at a random moment of a run, 100 times over (CUBICLE_FAULT_RUNS to
// change, CUBICLE_FAULT_SEED to replay). After each kill: no process, mount or cgroup of the
// run is left, a report is absent or complete, and the next normal run reaps the store's
// temp dirs, passes, and leaves a store that `cache verify` finds clean.
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { waitFor } from '../helpers/processes.js';
import { makeProject, removeProjects } from '../helpers/project.js';
import {
  faultSeed,
  faultToken,
  leftoverCgroups,
  leftoversOf,
  mountLines,
  orphanProcesses,
  processesMentioning,
  reportProblem,
  seededRandom,
} from './helpers.js';

afterAll(removeProjects);

const RUNS = Number(process.env.CUBICLE_FAULT_RUNS || 100);

describe('SIGKILL of the runner at random points', () => {
  it(`leaves nothing behind, ${RUNS} runs over`, async () => {
    const token = faultToken();
    const marker = `FAULTMARK-${token}`;
    const job = `fk${token}`;
    // Step 1 depends on seed.txt, rewritten every run: each run builds both layers, so kills
    // land in builds and commits as well as in cache hits and jobs.
    const project = makeProject(`
jobs:
  ${job}:
    setup:
      - run: mkdir -p /root/fk && for i in $(seq 1 100); do echo $i > /root/fk/f$i; done && cp seed.txt /root/fk/seed
        inputs: [seed.txt]
        network: none
      - run: echo ${marker} > /root/fk/second
        network: none
    run: echo ${marker} seed=$(cat /root/fk/seed) && cat /root/fk/second
  ${job}-plain:
    run: echo ${marker} plain
`);
    const reportArgs = ['run', '--junit', 'junit.xml', '--json', 'results.json'];
    const reports = [project.file('junit.xml'), project.file('results.json')];
    const markers = [project.cacheDir, marker];
    const scope = { cacheDir: project.cacheDir, projectDir: project.dir, token, marker, mountsBefore: mountLines() };

    // The typical run, building both layers, is what the kill delays are drawn from: first the
    // median of five, then of the last five unkilled runs, as other suites' load comes and goes.
    const walls: number[] = [];
    for (let round = 0; round < 5; round++) {
      fs.writeFileSync(project.file('seed.txt'), `warm-${round}\n`);
      const started = performance.now();
      const warm = await project.cubicle(reportArgs);
      walls.push(performance.now() - started);
      expect(warm.exitCode, warm.stdout + warm.stderr).toBe(0);
    }
    const typicalMs = Math.round(median(walls));
    const seed = faultSeed(`sigkill (typical run ${typicalMs} ms)`);
    const random = seededRandom(seed);

    const problems: string[] = [];
    const phases = { beforeSetup: 0, inSetup: 0, afterSetup: 0 };
    const normalWalls: number[] = [];
    let killed = 0;
    let survived = 0;
    const loopStarted = performance.now();
    for (let run = 0; run < RUNS; run++) {
      const delayMs = Math.floor(random() * median(walls.slice(-5)));
      const found: string[] = [];
      fs.writeFileSync(project.file('seed.txt'), `${seed}-${run}\n`);
      for (const report of reports) fs.rmSync(report, { force: true });

      const child = project.spawn(reportArgs);
      let output = '';
      child.stdout?.on('data', (chunk) => (output += String(chunk)));
      const finished = await Promise.race([child.then(() => true), sleep(delayMs).then(() => false)]);
      if (!finished) child.kill('SIGKILL');
      const result = await child;
      if (result.signal === 'SIGKILL') {
        killed += 1;
        if (!output.includes('[setup 1/2]')) phases.beforeSetup += 1;
        else if (!output.includes(`${marker} seed=`)) phases.inSetup += 1;
        else phases.afterSetup += 1;
      } else if (result.exitCode !== 0) {
        found.push(`finished before the kill, but with exit ${result.exitCode}: ${String(result.stderr).slice(0, 300)}`);
      }

      for (const report of [await reportProblem(reports[0]!, 'junit'), await reportProblem(reports[1]!, 'json')])
        if (report) found.push(`half a report: ${report}`);
      for (const orphan of await orphanProcesses(markers)) found.push(`orphan after the kill: ${orphan}`);

      const normalStarted = performance.now();
      const normal = await project.cubicle(reportArgs);
      normalWalls.push(performance.now() - normalStarted);
      walls.push(performance.now() - normalStarted);
      if (normal.exitCode !== 0) found.push(`the next run failed (${normal.exitCode}): ${(normal.stdout + normal.stderr).slice(-400)}`);
      else if (!normal.stdout.includes(`seed=${seed}-${run}`)) found.push("the next run did not see this run's seed");
      for (const report of [await reportProblem(reports[0]!, 'junit'), await reportProblem(reports[1]!, 'json')])
        if (report) found.push(`next run's report: ${report}`);
      for (const leftover of await leftoversOf(scope)) found.push(`after the next run: ${leftover}`);
      const verify = await project.cubicle(['cache', 'verify']);
      if (verify.exitCode !== 0) found.push(`cache verify (${verify.exitCode}): ${(verify.stdout + verify.stderr).trim().slice(0, 400)}`);
      // Keeps verify's work flat: a run adds two layers.
      if (run % 5 === 4) await project.cubicle(['cache', 'prune', '--all']);

      if (found.length === 0) survived += 1;
      else problems.push(...found.map((problem) => `run ${run} (kill after ${delayMs} ms): ${problem}`));
    }
    const loopSeconds = Math.round((performance.now() - loopStarted) / 1000);
    console.log(
      `sigkill: ${RUNS} runs in ${loopSeconds} s, seed ${seed}: ${killed} killed (${phases.beforeSetup} before a setup step, ${phases.inSetup} in setup, ` +
        `${phases.afterSetup} after), ${RUNS - killed} finished first; ${survived}/${RUNS} faults survived; ` +
        `the runs after them took ${Math.round(median(normalWalls))} ms (median)`,
    );
    expect(problems, `seed ${seed}`).toEqual([]);
    // A schedule that never lands in a build proves little.
    expect(phases.inSetup, `seed ${seed}`).toBeGreaterThan(0);
  }, 600_000);

  // The loop above rarely lands while a job runs; these kill a runner whose step or job is
  // known to be running, and first check that the scans see that run's processes and cgroups.
  for (const phase of ['setup step', 'job'] as const) {
    it(`a runner killed while its ${phase} runs: the sandbox dies with it, the next run reaps the rest`, async () => {
      const token = faultToken();
      const marker = `FAULTMARK-${token}`;
      const job = `kl${token}`;
      const sleeper = `sleep 30.${parseInt(token, 16) % 100_000}`;
      const quickStep = `echo ${marker} > ~/quick`;
      const project = makeProject(`
jobs:
  ${job}:
    setup:
      - run: ${phase === 'setup step' ? `echo ${marker} building; ${sleeper}` : quickStep}
        network: none
    run: echo ${marker} running; ${phase === 'job' ? sleeper : 'true'}
`);
      fs.writeFileSync(project.file('normal.yaml'), `jobs:\n  ${job}:\n    setup:\n      - run: ${quickStep}\n        network: none\n    run: cat ~/quick\n`);
      const scope = { cacheDir: project.cacheDir, projectDir: project.dir, token, marker, mountsBefore: mountLines() };
      const markers = [project.cacheDir, marker, sleeper];
      const child = project.spawn(['run', '--junit', 'junit.xml', '--json', 'results.json']);
      // The helper's argv names the sleeper as soon as it is spawned, and its clones are copies of
      // it until they exec: wait for the job's shell itself (a loaded host took longer than one scan).
      const sleeping = () => processesMentioning([sleeper]).some((line) => !line.includes('cubicle-sandbox'));
      const seen = await waitFor(() => sleeping() && processesMentioning(markers).length >= 3, 20_000);
      expect(seen, `the ${phase} never started`).toBe(true);
      const running = processesMentioning(markers);
      expect(running.length, running.join('\n')).toBeGreaterThanOrEqual(3); // the helper, sh, sleep
      const cgroups = leftoverCgroups(token);
      if (IS_ROOT) expect(cgroups.length, 'the scan sees no cgroup of a running job').toBeGreaterThan(0);
      else if (cgroups.length === 0) console.log(`skipped: the cgroup scan, as ${os.userInfo().username}: jobs get no cgroup without \`cubicle setup --user\``);
      child.kill('SIGKILL');
      const result = await child;
      expect(result.signal).toBe('SIGKILL');
      expect(await orphanProcesses(markers)).toEqual([]);
      expect([await reportProblem(project.file('junit.xml'), 'junit'), await reportProblem(project.file('results.json'), 'json')]).toEqual([null, null]);
      const next = await project.cubicle(['run', '--config', 'normal.yaml']);
      expect(next.exitCode, next.stdout + next.stderr).toBe(0);
      expect(await leftoversOf(scope)).toEqual([]);
      const verify = await project.cubicle(['cache', 'verify']);
      expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    }, 90_000);
  }
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
