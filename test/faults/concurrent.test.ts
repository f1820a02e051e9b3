// Eight runners on one store at once, with the same config: every layer is built once (one
// runner says it ran each step, the others found it cached), every runner passes; and again with
// some of them SIGKILLed while they build or wait, where the survivors must still pass.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, outputOf, removeProjects, type Project } from '../helpers/project.js';
import { faultSeed, faultToken, leftoversOf, mountLines, reportProblem, seededRandom, type FaultScope } from './helpers.js';

afterAll(removeProjects);

const RUNNERS = 8;

/** Two jobs of two steps each, named in their commands (steps see no CUBICLE_JOB): four layers. Steps see no `caches:`, so none logs to the host. */
function sharedStoreProject(token: string, marker: string): { project: Project; jobs: string[] } {
  const jobs = [`cc${token}a`, `cc${token}b`];
  const job = (name: string) => `
  ${name}:
    setup:
      - run: echo "${name} step1" && sleep 0.3 && mkdir -p /root/s && echo one > /root/s/one
        network: none
      - run: echo "${name} step2" && echo two > /root/s/two
        network: none
    run: echo ${marker} && cat /root/s/one /root/s/two`;
  return { project: makeProject(`jobs:${jobs.map(job).join('')}\n`), jobs };
}

function runnerArgs(index: number): string[] {
  return ['run', '--junit', `runner-${index}.xml`, '--json', `runner-${index}.json`];
}

async function reportProblems(project: Project, indexes: readonly number[]): Promise<string[]> {
  const problems: string[] = [];
  for (const index of indexes) {
    for (const problem of [
      await reportProblem(project.file(`runner-${index}.xml`), 'junit'),
      await reportProblem(project.file(`runner-${index}.json`), 'json'),
    ]) {
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

describe(`${RUNNERS} runners sharing one store`, () => {
  it('all pass, and each layer is built once', async () => {
    const token = faultToken();
    const marker = `FAULTMARK-${token}`;
    const { project, jobs } = sharedStoreProject(token, marker);
    const scope: FaultScope = { cacheDir: project.cacheDir, projectDir: project.dir, token, marker, mountsBefore: mountLines() };
    const indexes = [...Array(RUNNERS).keys()];
    const results = await Promise.all(indexes.map((index) => project.cubicle(runnerArgs(index), { timeoutMs: 120_000 })));
    for (const result of results) expect(result.exitCode, result.stdout + result.stderr).toBe(0);

    // Exactly one runner says it ran each step; the other seven found it cached.
    for (const job of jobs) {
      for (const step of ['1/2', '2/2']) {
        const ran = results.filter((result) => outputOf(result.stdout, job).some((line) => line.startsWith(`[setup ${step}] running:`)));
        const cached = results.filter((result) => outputOf(result.stdout, job).some((line) => line.startsWith(`[setup ${step}] cached:`)));
        expect([ran.length, cached.length], `${job} step ${step}`).toEqual([1, RUNNERS - 1]);
      }
      for (const result of results) expect(outputOf(result.stdout, job)).toEqual(expect.arrayContaining([marker, 'one', 'two']));
    }
    expect(await reportProblems(project, indexes)).toEqual([]);
    expect(JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout)).toHaveLength(4);
    expect(await leftoversOf(scope)).toEqual([]);
    const verify = await project.cubicle(['cache', 'verify']);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
  }, 180_000);

  it('some SIGKILLed while building or waiting: the others pass, no layer is half there', async () => {
    const token = faultToken();
    const marker = `FAULTMARK-${token}`;
    const { project, jobs } = sharedStoreProject(token, marker);
    const scope: FaultScope = { cacheDir: project.cacheDir, projectDir: project.dir, token, marker, mountsBefore: mountLines() };
    const seed = faultSeed('concurrent sigkill');
    const random = seededRandom(seed);
    // Three of the eight die somewhere in the first 1.5 s: builds take ~0.4 s each, waits longer.
    const doomed = new Map<number, number>();
    while (doomed.size < 3) doomed.set(Math.floor(random() * RUNNERS), Math.floor(random() * 1500));
    const indexes = [...Array(RUNNERS).keys()];
    const children = indexes.map((index) => project.spawn(runnerArgs(index)));
    await Promise.all(
      [...doomed].map(async ([index, delayMs]) => {
        await sleep(delayMs);
        children[index]!.kill('SIGKILL');
      }),
    );
    const results = await Promise.all(children);
    const killed = indexes.filter((index) => results[index]!.signal === 'SIGKILL');
    const survivors = indexes.filter((index) => !killed.includes(index));
    console.log(
      `concurrent sigkill: seed ${seed}: killed runners ${killed.join(', ') || 'none'} (of ${[...doomed].map(([i, ms]) => `${i}@${ms}ms`).join(', ')})`,
    );
    for (const index of survivors)
      expect(results[index]!.exitCode, `runner ${index}: ${String(results[index]!.stdout)}${String(results[index]!.stderr)}`).toBe(0);
    expect(await reportProblems(project, indexes)).toEqual([]);

    // A killed builder's step runs again under a waiter; a commit still happens once per layer. A
    // killed runner's last lines may be lost, so its starts are bounded from above only.
    for (const job of jobs) {
      for (const step of ['1/2', '2/2']) {
        const count = results.filter((result) => outputOf(String(result.stdout), job).some((line) => line.startsWith(`[setup ${step}] running:`))).length;
        expect(count, `${job} step ${step} started by ${count} runners, ${killed.length} killed`).toBeLessThanOrEqual(1 + killed.length);
      }
    }
    const next = await project.cubicle(runnerArgs(99));
    expect(next.exitCode, next.stdout + next.stderr).toBe(0);
    for (const job of jobs) expect(outputOf(next.stdout, job).filter((line) => line.includes('cached:'))).toHaveLength(2);
    expect(JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout)).toHaveLength(4);
    expect(await leftoversOf(scope, 5000)).toEqual([]);
    const verify = await project.cubicle(['cache', 'verify']);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
  }, 180_000);
});
