// How long each job took last time: kept per project in the store after every run, or read from
// a report (`--timings FILE`: a JUnit report, e.g. the merged report of every shard, or a
// `--json` results file). Used to start the longest jobs first and to balance shards.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { readJunitFile } from '../report/junit-read.js';
import { tempPath, type StorePaths } from '../store/paths.js';
import type { JobResult } from './result.js';

/** Job name -> milliseconds. */
export type Timings = ReadonlyMap<string, number>;

function timingsPath(paths: StorePaths, projectDir: string): string {
  return path.join(paths.root, 'timings', `${createHash('sha256').update(projectDir).digest('hex').slice(0, 16)}.json`);
}

export function readStoredTimings(paths: StorePaths, projectDir: string): Timings {
  try {
    const data = JSON.parse(fs.readFileSync(timingsPath(paths, projectDir), 'utf8')) as { jobs?: Record<string, number> };
    return new Map(Object.entries(data.jobs ?? {}).filter(([, ms]) => typeof ms === 'number' && ms >= 0));
  } catch {
    return new Map();
  }
}

/** Records the jobs that ran to the end (not skipped or cancelled); the others keep their old time. */
export function recordTimings(paths: StorePaths, projectDir: string, results: readonly JobResult[]): void {
  const ran = results.filter((result) => !['skipped', 'cancelled'].includes(result.status) && result.wallMs > 0);
  if (ran.length === 0) return;
  const jobs = Object.fromEntries(readStoredTimings(paths, projectDir));
  for (const result of ran) jobs[result.name] = Math.round(result.wallMs);
  const file = timingsPath(paths, projectDir);
  // Best effort: a full disk must not cost the run its reports. The partial file lives in
  // tmp/ under this process's name, so a kill mid-write leaves nothing the next run keeps.
  const partial = tempPath(paths, 'timings');
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(partial, `${JSON.stringify({ jobs }, null, 2)}\n`);
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    process.stderr.write(`cubicle: job durations not recorded (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the next run orders jobs without them\n`);
  }
}

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
export function readTimingsFile(file: string): TimingsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--timings: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was run`);
  }
  if (text.trimStart().startsWith('{')) {
    try {
      const data = JSON.parse(text) as { jobs?: { name?: unknown; wallMs?: unknown }[] };
      const jobs = new Map((data.jobs ?? []).filter((job) => typeof job.name === 'string' && typeof job.wallMs === 'number').map((job) => [job.name as string, job.wallMs as number]));
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
