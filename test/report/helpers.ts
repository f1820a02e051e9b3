// What the report tests share: JobResults made by hand, xmllint against test/report/junit.xsd,
// and counts read back with XPath (xmllint's, not cubicle's own reader).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { JobResult } from '../../src/run/result.js';
import { REPO } from '../helpers/paths.js';
import { tempDirs } from '../helpers/temp.js';

export const XSD = path.join(REPO, 'test', 'report', 'junit.xsd');

/** A passed job with no reports; `overrides` say what differs. */
export function jobResult(overrides: Partial<JobResult> = {}): JobResult {
  return {
    name: 'unit',
    status: 'passed',
    exitCode: 0,
    signal: null,
    wallMs: 1234.5,
    cpuUserMs: 800.2,
    cpuSystemMs: 100.7,
    peakMemoryBytes: 50 * 1024 * 1024,
    cpuThrottledMs: 12.4,
    pidsLimitHits: 0,
    limits: { memoryBytes: 512 * 1024 * 1024, cpus: 1.5, pids: 256, timeoutMs: 600_000 },
    limitsEnforced: true,
    image: { ref: 'node:22-bookworm', digest: `sha256:${'ab'.repeat(32)}` },
    cacheHits: 2,
    attempts: 1,
    startedAt: '2025-01-02T03:04:05.678Z',
    message: null,
    outputTail: 'hello from the job\n',
    junitFiles: [],
    artifacts: [],
    previousFailures: [],
    ...overrides,
  };
}

const temps = tempDirs('cubicle-report');
export const tempDir = temps.make;
export const removeTempDirs = temps.removeAll;

/** Writes `xml` to a temp file (when it is not a path already) and validates it against the schema. */
export function validate(xmlOrFile: string): string {
  const file = fs.existsSync(xmlOrFile) ? xmlOrFile : path.join(tempDir(), 'report.xml');
  if (file !== xmlOrFile) fs.writeFileSync(file, xmlOrFile);
  const result = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  if (result.error) throw new Error(`xmllint cannot run (${result.error.message}); install it: apt-get install libxml2-utils`);
  if (result.status !== 0) throw new Error(`${file} does not validate against test/report/junit.xsd:\n${result.stderr}`);
  return file;
}

/** An XPath number from xmllint, e.g. count(//testcase[failure]). */
export function xpathNumber(file: string, expression: string): number {
  return Number(execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' }).trim());
}

export interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** Counted from the test cases, the way a reader that ignores the attributes counts. */
export function countCases(file: string, within = '/'): Counts {
  const at = within === '/' ? '' : within;
  return {
    tests: xpathNumber(file, `count(${at}//testcase)`),
    failures: xpathNumber(file, `count(${at}//testcase[failure and not(error)])`),
    errors: xpathNumber(file, `count(${at}//testcase[error])`),
    skipped: xpathNumber(file, `count(${at}//testcase[skipped and not(failure) and not(error)])`),
  };
}

/** The counts a suite (or the root) claims in its attributes. */
export function claimedCounts(file: string, element: string): Counts {
  const attribute = (name: string) => xpathNumber(file, `number(${element}/@${name})`);
  return { tests: attribute('tests'), failures: attribute('failures'), errors: attribute('errors'), skipped: attribute('skipped') };
}

/** Every suite's attributes match its test cases, and the root's are the suites' sums. */
export function expectCountsAddUp(file: string): void {
  const suites = xpathNumber(file, 'count(/testsuites/testsuite)');
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  let time = 0;
  for (let index = 1; index <= suites; index++) {
    const suite = `/testsuites/testsuite[${index}]`;
    const claimed = claimedCounts(file, suite);
    const counted = countCases(file, suite);
    if (JSON.stringify(claimed) !== JSON.stringify(counted)) throw new Error(`${suite} claims ${JSON.stringify(claimed)} but has ${JSON.stringify(counted)}`);
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counted[key];
    time += xpathNumber(file, `number(${suite}/@time)`);
  }
  const root = claimedCounts(file, '/testsuites');
  if (JSON.stringify(root) !== JSON.stringify(total))
    throw new Error(`<testsuites> claims ${JSON.stringify(root)}, its suites add up to ${JSON.stringify(total)}`);
  const rootTime = xpathNumber(file, 'number(/testsuites/@time)');
  if (Math.abs(rootTime - time) > 0.001 * (suites + 1)) throw new Error(`<testsuites> time ${rootTime} is not its suites' ${time}`);
}
