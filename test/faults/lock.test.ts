// The store's build lock under contention, below the CLI: six processes take one lock over and
// over for three seconds. The eight-runner test reaches the same code only a few times per
// run; here every release races with other processes' attempts to take the lock.
import { execa } from 'execa';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

const CONTENDERS = 6;
const DURATION_MS = 3000;

interface ContenderReport {
  pid: number;
  acquired: number;
  overlaps: number;
  releaseErrors: string[];
  stuck: string | null;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-lock-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** src/store/lock.ts as one ES module the contender processes can import. */
async function bundleLock(): Promise<string> {
  const { build } = createRequire(path.join(REPO, 'package.json'))('esbuild') as typeof import('esbuild');
  const outfile = path.join(scratch, 'lock.mjs');
  await build({ entryPoints: [path.join(REPO, 'src/store/lock.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  return outfile;
}

describe('the build lock, six processes contending', () => {
  it('never fails a release, never holds twice, never leaves a live process waiting on a lock nobody holds', async () => {
    const bundle = await bundleLock();
    const store = path.join(scratch, 'store');
    for (const dir of ['locks', 'tmp']) fs.mkdirSync(path.join(store, dir), { recursive: true });
    const contender = path.join(REPO, 'test/faults/fixtures/lock-contender.mjs');
    const runs = await Promise.all(
      Array.from({ length: CONTENDERS }, () => execa(process.execPath, [contender, bundle, store, String(DURATION_MS)], { reject: false, timeout: 30_000 })),
    );
    const reports = runs.map((run) => {
      expect(run.exitCode, String(run.stderr)).toBe(0);
      return JSON.parse(String(run.stdout)) as ContenderReport;
    });
    const acquired = reports.reduce((sum, report) => sum + report.acquired, 0);
    console.log(`lock: ${CONTENDERS} processes, ${acquired} acquisitions in ${DURATION_MS} ms`);
    const problems = reports.flatMap((report) => [
      ...report.releaseErrors.map((error) => `pid ${report.pid}: release threw ${error}`),
      ...(report.overlaps > 0 ? [`pid ${report.pid}: held the lock together with another process ${report.overlaps} times`] : []),
      ...(report.stuck ? [`pid ${report.pid}: ${report.stuck}`] : []),
    ]);
    expect(problems).toEqual([]);
    expect(reports.every((report) => report.acquired > 0)).toBe(true);
  }, 60_000);
});
