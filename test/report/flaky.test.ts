// A retried job's earlier failures on the test cases that failed, as Surefire writes them
// (rerunFailingTestsCount): a test that failed, then passed, is a passing <testcase> with a
// <flakyFailure> per failed run; one that failed every run is its <failure> plus a <rerunFailure>
// per earlier run. Each attempt's report is a real file read by readAttemptTests (as run/job.ts
// does before the next attempt clears it); the result is checked with xmllint (schema, XPath)
// and read back by fast-xml-parser, as a consumer would.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { readAttemptTests } from '../../src/junit/index.js';
import { buildJunit } from '../../src/report/junit.js';
import type { EarlierFailure, JobResult } from '../../src/run/result.js';
import { CLI } from '../helpers/paths.js';
import { expectCountsAddUp, jobResult, removeTempDirs, tempDir, validate, xpathNumber } from './helpers.js';

afterAll(removeTempDirs);

const GLOBS = { unit: ['reports/*.xml'] };

/** A pytest-like report: `failing` names fail (with a message, a trace and output), the rest of `names` pass. */
function report(names: string[], failing: string[] = [], kind: 'failure' | 'error' = 'failure'): string {
  const cases = names.map((name) =>
    failing.includes(name)
      ? `<testcase classname="tests.test_api" name="${name}" time="0.1">` +
        `<${kind} message="assert 1 == 2 in ${name}" type="AssertionError">tests/test_api.py:9: AssertionError</${kind}>` +
        `<system-out>out of ${name}</system-out></testcase>`
      : `<testcase classname="tests.test_api" name="${name}" time="0.1"/>`,
  );
  return `<?xml version="1.0"?><testsuites><testsuite name="pytest">${cases.join('')}</testsuite></testsuites>`;
}

/** An earlier attempt whose report (or none) was copied to a dir of its own, read as run/job.ts reads it. */
function attempt(xml: string | undefined, message = 'exited with 1', status: EarlierFailure['status'] = 'failed'): EarlierFailure {
  const dir = tempDir();
  if (xml !== undefined) {
    fs.mkdirSync(path.join(dir, 'reports'));
    fs.writeFileSync(path.join(dir, 'reports', 'junit.xml'), xml);
  }
  return { message, outputTail: `${message}\n`, status, tests: readAttemptTests(dir, xml === undefined ? [] : ['reports/junit.xml']) };
}

interface Parsed {
  file: string;
  cases: Record<string, unknown>[];
}

/** The run's report, validated by xmllint, its counts checked, and its test cases as fast-xml-parser reads them. */
function build(result: Partial<JobResult>, lastReport: string): Parsed {
  const artifactsDir = tempDir();
  fs.mkdirSync(path.join(artifactsDir, 'unit', 'reports'), { recursive: true });
  fs.writeFileSync(path.join(artifactsDir, 'unit', 'reports', 'junit.xml'), lastReport);
  const results = [jobResult({ junitFiles: ['reports/junit.xml'], ...result })];
  const summary = { results, startedAt: '2025-01-02T03:04:05.000Z', wallMs: 2000, limitsEnforced: true, artifactsDir };
  const xml = buildJunit(summary, { junitGlobs: new Map(Object.entries(GLOBS)) });
  const file = validate(xml);
  expectCountsAddUp(file);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError', 'failure'].includes(name),
  });
  const parsed = parser.parse(xml) as { testsuites: { testsuite: { testcase: Record<string, unknown>[] }[] } };
  return { file, cases: parsed.testsuites.testsuite[0]!.testcase };
}

const named = (cases: Record<string, unknown>[], name: string) => cases.find((testCase) => testCase.name === name)!;

describe('a flaky job: the test that flaked carries its failed runs', () => {
  it('failed in attempt 1, passed in attempt 2: a passing <testcase> with a <flakyFailure>, and no made-up test case', () => {
    const first = attempt(report(['test_ok', 'test_flaky'], ['test_flaky']));
    const { file, cases } = build({ status: 'flaky', attempts: 2, previousFailures: [first] }, report(['test_ok', 'test_flaky']));
    expect(cases.map((testCase) => testCase.name)).toEqual(['test_ok', 'test_flaky']);
    const flaky = named(cases, 'test_flaky');
    expect(flaky.failure).toBeUndefined();
    expect(flaky.flakyFailure).toEqual([
      { message: 'assert 1 == 2 in test_flaky', type: 'AssertionError', stackTrace: 'tests/test_api.py:9: AssertionError', 'system-out': 'out of test_flaky' },
    ]);
    expect(named(cases, 'test_ok').flakyFailure).toBeUndefined();
    expect(xpathNumber(file, 'count(//testcase[@name="test_flaky" and not(failure) and not(error)]/flakyFailure)')).toBe(1);
    expect(xpathNumber(file, 'number(/testsuites/@tests)')).toBe(2);
    expect(xpathNumber(file, 'number(/testsuites/@failures)')).toBe(0);
  });

  it('an error in the earlier run is a <flakyError>; two failed runs are two elements, in order', () => {
    const first = attempt(report(['test_flaky'], ['test_flaky'], 'error'));
    const second = attempt(report(['test_flaky'], ['test_flaky']));
    const { cases } = build({ status: 'flaky', attempts: 3, previousFailures: [first, second] }, report(['test_flaky']));
    expect(cases).toHaveLength(1);
    expect((cases[0]!.flakyError as Record<string, string>[]).map((run) => run.message)).toEqual(['assert 1 == 2 in test_flaky']);
    expect((cases[0]!.flakyFailure as Record<string, string>[]).map((run) => run.message)).toEqual(['assert 1 == 2 in test_flaky']);
  });

  it("the first attempt wrote no report (killed before): its failure stays the job's, on the job's own test case, saying so", () => {
    const first = attempt(undefined, 'killed: memory limit 512 MiB reached', 'oom');
    const { cases } = build({ status: 'flaky', attempts: 2, previousFailures: [first] }, report(['test_ok']));
    expect(cases.map((testCase) => testCase.name)).toEqual(['test_ok', 'unit']);
    expect(named(cases, 'unit').flakyFailure).toEqual([
      {
        message: 'attempt 1: killed: memory limit 512 MiB reached (it wrote no JUnit report)',
        type: 'failure',
        stackTrace: 'killed: memory limit 512 MiB reached',
        'system-out': 'killed: memory limit 512 MiB reached',
      },
    ]);
  });

  it("a failed test whose classname and name are not in the last report: the job's test case names it", () => {
    const first = attempt(report(['test_ok', 'test_id[1733]'], ['test_id[1733]']));
    const { cases } = build({ status: 'flaky', attempts: 2, previousFailures: [first] }, report(['test_ok', 'test_id[1801]']));
    expect(cases.map((testCase) => testCase.name)).toEqual(['test_ok', 'test_id[1801]', 'unit']);
    expect(named(cases, 'test_id[1801]').flakyFailure).toBeUndefined();
    const job = named(cases, 'unit').flakyFailure as Record<string, string>[];
    const said = "attempt 1: exited with 1 (failed tests not in the last attempt's report: tests.test_api › test_id[1733])";
    expect(job.map((run) => run.message)).toEqual([said]);
  });

  it("an earlier report that cannot be read: the job's test case says why", () => {
    const first = attempt('<testsuite name="pytest"><testcase name="x">');
    const { cases } = build({ status: 'flaky', attempts: 2, previousFailures: [first] }, report(['test_ok']));
    const job = named(cases, 'unit').flakyFailure as Record<string, string>[];
    expect(job[0]!.message).toMatch(/^attempt 1: exited with 1 \(its JUnit report could not be read: reports\/junit\.xml: not valid XML: /);
  });

  it("a killed attempt whose report had a failed test: on the test, and the kill on the job's test case", () => {
    const first = attempt(report(['test_flaky'], ['test_flaky']), 'timed out after 10s', 'timeout');
    const { cases } = build({ status: 'flaky', attempts: 2, previousFailures: [first] }, report(['test_flaky']));
    expect((named(cases, 'test_flaky').flakyFailure as unknown[]).length).toBe(1);
    expect((named(cases, 'unit').flakyFailure as Record<string, string>[])[0]!.message).toBe('attempt 1: timed out after 10s');
  });
});

describe('a job that failed every attempt', () => {
  it('the test that failed every run: its <failure> (the last run) and a <rerunFailure> per earlier run; a test that failed once is flaky', () => {
    const first = attempt(report(['test_broken', 'test_flaky'], ['test_broken', 'test_flaky']));
    const { file, cases } = build(
      { status: 'failed', exitCode: 1, attempts: 2, message: 'exited with 1', previousFailures: [first] },
      report(['test_broken', 'test_flaky'], ['test_broken']),
    );
    expect(cases.map((testCase) => testCase.name)).toEqual(['test_broken', 'test_flaky']);
    const broken = named(cases, 'test_broken');
    expect((broken.failure as Record<string, string>[])[0]!.message).toBe('assert 1 == 2 in test_broken');
    expect(broken.rerunFailure).toEqual([
      {
        message: 'assert 1 == 2 in test_broken',
        type: 'AssertionError',
        stackTrace: 'tests/test_api.py:9: AssertionError',
        'system-out': 'out of test_broken',
      },
    ]);
    expect((named(cases, 'test_flaky').flakyFailure as unknown[]).length).toBe(1);
    expect(xpathNumber(file, 'number(/testsuites/@failures)')).toBe(1);
  });
});

describe('cubicle run with retries: (real sandboxes)', () => {
  it("reads each attempt's report before the next clears it: the test that failed in attempt 1 carries the <flakyFailure>", () => {
    const dir = tempDir();
    // Attempt 1 fails test_flaky (and exits 1), attempt 2 passes it: CUBICLE_ATTEMPT is the attempt's number.
    const write = (failing: boolean) => report(['test_ok', 'test_flaky'], failing ? ['test_flaky'] : []).replace(/"/g, '\\"');
    fs.writeFileSync(
      path.join(dir, 'cubicle.config.yaml'),
      [
        'jobs:',
        '  unit:',
        '    retries: 1',
        '    junit: reports/*.xml',
        '    run: |',
        '      mkdir -p reports',
        `      if [ "$CUBICLE_ATTEMPT" = 1 ]; then echo "${write(true)}" > reports/junit.xml; exit 1; fi`,
        `      echo "${write(false)}" > reports/junit.xml`,
        '',
      ].join('\n'),
    );
    const junit = path.join(dir, 'cubicle-junit.xml');
    const result = spawnSync(process.execPath, [CLI, 'run', '--junit', junit, '--quiet'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 50_000,
      env: { ...process.env, CUBICLE_CACHE_DIR: path.join(tempDir(), 'cache'), NO_COLOR: '1' },
    });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    validate(junit);
    expectCountsAddUp(junit);
    expect(xpathNumber(junit, 'count(//testcase)')).toBe(2);
    expect(xpathNumber(junit, 'count(//testcase[@name="test_flaky" and not(failure)]/flakyFailure[@message="assert 1 == 2 in test_flaky"])')).toBe(1);
    expect(xpathNumber(junit, 'count(//testcase[@name="test_ok"]/flakyFailure)')).toBe(0);
    expect(xpathNumber(junit, 'count(//property[@name="cubicle.status" and @value="flaky"])')).toBe(1);
  }, 60_000);
});
