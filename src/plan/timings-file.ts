// How long each job and test took, read from a report (`--timings FILE`: a JUnit report, e.g.
// the merged report of every shard, or a `--json` results file), to start the longest jobs first
// and to balance shards. The last run's own durations are kept in the store (store/timings.ts).
import fs from 'node:fs';
import path from 'node:path';
import { openFileBeneath, resolveBeneath, rootFor } from '../confine/index.js';
import { PathConfinementError, UsageError } from '../core/errors.js';
import { readJunitFile } from '../junit/index.js';
import type { Timings } from '../store/timings.js';

/** A test case's time in a `--timings` report: where it came from, as its framework named it. */
export interface CaseTime {
  readonly classname: string;
  readonly file?: string | undefined;
  readonly ms: number;
}

/** What a `--timings` file gives: each job's duration, and its test cases' (JUnit only). */
export interface TimingsFile {
  readonly jobs: Timings;
  /** Job (suite) name -> its test cases. */
  readonly tests: ReadonlyMap<string, readonly CaseTime[]>;
}

/** `--timings FILE`: suite name -> time of a JUnit report, or name -> wallMs of a --json file. */
export function readTimingsFile(given: string, checkout?: string): TimingsFile {
  let text: string;
  let file = given;
  try {
    file = confinedReport(given, checkout);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof PathConfinementError) throw new UsageError(`--timings: ${error.message}`, { cause: error, hint: error.hint });
    throw new UsageError(`--timings: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was run`);
  }
  if (text.trimStart().startsWith('{')) {
    try {
      const data = JSON.parse(text) as { jobs?: { name?: unknown; wallMs?: unknown }[] };
      const jobs = new Map(
        (data.jobs ?? [])
          .filter((job) => typeof job.name === 'string' && typeof job.wallMs === 'number')
          .map((job) => [job.name as string, job.wallMs as number]),
      );
      return { jobs, tests: new Map() };
    } catch (error) {
      throw new UsageError(`--timings: ${file} is not a cubicle --json results file: ${(error as Error).message}; nothing was run`);
    }
  }
  try {
    const jobs = new Map<string, number>();
    const tests = new Map<string, CaseTime[]>();
    for (const suite of readJunitFile(file)) {
      jobs.set(suite.name, (jobs.get(suite.name) ?? 0) + suite.time * 1000);
      const cases = tests.get(suite.name) ?? [];
      for (const testCase of suite.cases) cases.push({ classname: testCase.classname, file: testCase.file, ms: testCase.time * 1000 });
      tests.set(suite.name, cases);
    }
    return { jobs, tests };
  } catch (error) {
    throw new UsageError(`--timings: ${file} is neither a JUnit report nor a --json results file: ${(error as Error).message}; nothing was run`);
  }
}

/**
 * A report inside the checkout may be a symlink the checkout ships: it is followed only while it
 * stays beneath the checkout, and must be a regular file (a FIFO would hang the read).
 */
function confinedReport(file: string, checkout: string | undefined): string {
  const { root, rel } = rootFor(path.resolve(file), checkout);
  const resolved = resolveBeneath(root, rel, { notDone: 'nothing was run' });
  fs.closeSync(openFileBeneath(root, path.relative(root, resolved), 'nothing was run'));
  return resolved;
}

/**
 * A test file's time in the last report: its cases' times, matched by the `file` attribute
 * (Jest, Vitest with it on, pytest's xunit1) or else by `classname`, which pytest writes as the
 * module's dotted path (tests/test_api.py -> tests.test_api[.Class]) and Vitest as the file
 * itself. undefined: the file has no case there (new, or renamed).
 */
export function fileTimes(cases: readonly CaseTime[]): (file: string) => number | undefined {
  const byFile = new Map<string, number>();
  // Each classname counts for itself and for every dotted prefix of it (its module, package).
  const byName = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const testCase of cases) {
    if (testCase.file !== undefined) {
      add(byFile, testCase.file.replace(/^\.\//, ''), testCase.ms);
      continue;
    }
    add(byName, testCase.classname, testCase.ms);
    const parts = testCase.classname.split('.');
    for (let end = parts.length - 1; end > 0; end--) add(byName, parts.slice(0, end).join('.'), testCase.ms);
  }
  return (file) => byFile.get(file) ?? byName.get(file) ?? byName.get(file.replace(/\.py$/, '').replaceAll('/', '.'));
}
