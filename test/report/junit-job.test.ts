// One job as one <testsuite>: its outcome, its own reports merged in, its properties, and
// its output capped. Every report is checked against test/report/junit.xsd with xmllint.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJunit } from '../../src/report/junit.js';
import { parseXml, type XmlElement } from '../../src/junit/index.js';
import type { JobResult } from '../../src/run/result.js';
import { expectCountsAddUp, jobResult, removeTempDirs, tempDir, validate } from './helpers.js';

afterAll(removeTempDirs);

interface Built {
  xml: string;
  root: XmlElement;
  suite: XmlElement;
  cases: XmlElement[];
}

/** The report of one run of these jobs, validated; its first suite and that suite's test cases. */
function build(results: JobResult[], options: { artifactsDir?: string; globs?: Record<string, string[]>; outputCapBytes?: number } = {}): Built {
  const summary = { results, startedAt: '2025-01-02T03:04:05.000Z', wallMs: 2000, limitsEnforced: true, artifactsDir: options.artifactsDir };
  const xml = buildJunit(summary, { junitGlobs: new Map(Object.entries(options.globs ?? {})), outputCapBytes: options.outputCapBytes });
  const file = validate(xml);
  expectCountsAddUp(file);
  const root = parseXml(xml);
  const suite = root.children[0]!;
  return { xml, root, suite, cases: suite.children.filter((child) => child.name === 'testcase') };
}

const child = (element: XmlElement, name: string) => element.children.find((candidate) => candidate.name === name);
const children = (element: XmlElement, name: string) => element.children.filter((candidate) => candidate.name === name);
const counts = (suite: XmlElement) => ({
  tests: suite.attributes.tests,
  failures: suite.attributes.failures,
  errors: suite.attributes.errors,
  skipped: suite.attributes.skipped,
});
function properties(suite: XmlElement): Record<string, string> {
  return Object.fromEntries(children(child(suite, 'properties')!, 'property').map((property) => [property.attributes.name, property.attributes.value]));
}

/** Copies `files` where the run would have put the job's reports: `<artifactsDir>/<job>/<file>`. */
function artifacts(job: string, files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, job, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, job, name), content);
  }
  return dir;
}

describe('a job without junit: globs is one test case', () => {
  it('passed: a plain test case with its output, the suite named after the job', () => {
    const { root, suite, cases } = build([jobResult()]);
    expect(root.attributes).toMatchObject({ name: 'cubicle', tests: '1', failures: '0', errors: '0', skipped: '0', time: '1.235' });
    expect(suite.attributes).toMatchObject({ name: 'unit', tests: '1', time: '1.235' });
    expect(suite.attributes.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(suite.attributes.hostname).toBeTruthy();
    expect(cases).toHaveLength(1);
    expect(cases[0]!.attributes).toEqual({ name: 'unit', classname: 'cubicle.unit', time: '1.235' });
    expect(children(cases[0]!, 'failure')).toEqual([]);
    expect(child(cases[0]!, 'system-out')!.text).toBe('hello from the job\n');
  });

  it('a failing exit code is a <failure> with the end of the output', () => {
    const output = `${Array.from({ length: 80 }, (_, index) => `line ${index + 1}`).join('\n')}\n`;
    const { suite, cases } = build([jobResult({ status: 'failed', exitCode: 2, message: 'exited with 2', outputTail: output })]);
    expect(counts(suite)).toEqual({ tests: '1', failures: '1', errors: '0', skipped: '0' });
    const failure = child(cases[0]!, 'failure')!;
    expect(failure.attributes).toEqual({ message: 'exited with 2', type: 'failure' });
    expect(failure.text).toContain('line 80');
    expect(failure.text).not.toContain('line 30\n'); // the last 50 lines only
    expect(child(cases[0]!, 'system-out')!.text).toBe(output);
  });

  const sandboxOutcomes: [JobResult['status'], Partial<JobResult>, string][] = [
    [
      'oom',
      { exitCode: null, signal: 'SIGKILL', message: 'killed: memory limit 512 MiB reached (1 process killed by the OOM killer)' },
      'killed: memory limit 512 MiB reached',
    ],
    ['timeout', { exitCode: null, signal: 'SIGKILL', message: 'timed out after 10s: every process in the sandbox was killed' }, 'timed out after 10s'],
    ['signaled', { exitCode: null, signal: 'SIGSEGV', message: 'killed by SIGSEGV (segmentation fault)' }, 'killed by SIGSEGV (segmentation fault)'],
    [
      'error',
      { exitCode: null, message: 'the sandbox could not be set up: pivot_root: Invalid argument', outputTail: '' },
      'the sandbox could not be set up: pivot_root',
    ],
  ];
  it.each(sandboxOutcomes)('%s is an <error> of that type, saying what happened', (status, fields, message) => {
    const { suite, cases } = build([jobResult({ status, ...fields })]);
    expect(counts(suite)).toEqual({ tests: '1', failures: '0', errors: '1', skipped: '0' });
    const error = child(cases[0]!, 'error')!;
    expect(error.attributes.type).toBe(status);
    expect(error.attributes.message).toContain(message);
    expect(children(cases[0]!, 'failure')).toEqual([]);
    expect(properties(suite)['cubicle.status']).toBe(status);
    if (fields.signal) expect(properties(suite)['cubicle.signal']).toBe(fields.signal);
  });

  it('a job skipped because what it needs failed is <skipped> with the reason', () => {
    const { suite, cases } = build([
      jobResult({ status: 'skipped', exitCode: null, attempts: 0, wallMs: 0, message: 'skipped: needs lint, which failed', outputTail: '' }),
    ]);
    expect(counts(suite)).toEqual({ tests: '1', failures: '0', errors: '0', skipped: '1' });
    expect(child(cases[0]!, 'skipped')!.attributes.message).toBe('skipped: needs lint, which failed');
  });

  it('flaky: the passing test case carries a <flakyFailure> per failed attempt (Surefire)', () => {
    const previousFailures = [
      { message: 'exited with 1', outputTail: 'first try\nAssertionError: boom\n' },
      { message: 'killed by SIGSEGV (segmentation fault)', outputTail: 'second try\n' },
    ];
    const { suite, cases } = build([jobResult({ status: 'flaky', attempts: 3, previousFailures })]);
    expect(counts(suite)).toEqual({ tests: '1', failures: '0', errors: '0', skipped: '0' });
    const flaky = children(cases[0]!, 'flakyFailure');
    expect(flaky.map((element) => element.attributes)).toEqual([
      { message: 'attempt 1: exited with 1', type: 'failure' },
      { message: 'attempt 2: killed by SIGSEGV (segmentation fault)', type: 'failure' },
    ]);
    expect(child(flaky[0]!, 'stackTrace')!.text).toContain('AssertionError: boom');
    expect(child(flaky[0]!, 'system-out')!.text).toBe('first try\nAssertionError: boom\n');
    expect(properties(suite)['cubicle.attempts']).toBe('3');
  });

  it('failed on every attempt: the <failure>, and a <rerunFailure> per earlier attempt', () => {
    const previousFailures = [{ message: 'exited with 1', outputTail: 'attempt one\n' }];
    const { cases } = build([jobResult({ status: 'failed', exitCode: 1, attempts: 2, message: 'exited with 1', previousFailures })]);
    expect(child(cases[0]!, 'failure')!.attributes.message).toBe('exited with 1');
    expect(children(cases[0]!, 'rerunFailure').map((element) => element.attributes.message)).toEqual(['attempt 1: exited with 1']);
  });

  it('puts limits and usage in <properties>', () => {
    const result = { ...jobResult({ attempts: 2 }), seccomp: 'default' as const };
    const { suite } = build([result]);
    expect(properties(suite)).toMatchObject({
      'cubicle.status': 'passed',
      'cubicle.exitCode': '0',
      'cubicle.attempts': '2',
      'cubicle.wallMs': '1235',
      'cubicle.cpuUserMs': '800',
      'cubicle.cpuSystemMs': '101',
      'cubicle.peakMemoryBytes': String(50 * 1024 * 1024),
      'cubicle.peakMemory': '50 MiB',
      'cubicle.cpuThrottledMs': '12',
      'cubicle.pidsLimitHits': '0',
      'cubicle.image': 'node:22-bookworm',
      'cubicle.image.digest': `sha256:${'ab'.repeat(32)}`,
      'cubicle.cacheHits': '2',
      'cubicle.limits.enforced': 'true',
      'cubicle.limits.memoryBytes': String(512 * 1024 * 1024),
      'cubicle.limits.memory': '512 MiB',
      'cubicle.limits.cpus': '1.5',
      'cubicle.limits.pids': '256',
      'cubicle.limits.timeoutMs': '600000',
      'cubicle.seccomp': 'default',
    });
    expect(properties(build([jobResult({ image: { ref: 'host', digest: null }, signal: null })]).suite)).not.toHaveProperty('cubicle.image.digest');
  });

  it('one suite per job, totals on <testsuites>', () => {
    const { root } = build([
      jobResult(),
      jobResult({ name: 'lint', status: 'failed', exitCode: 1, message: 'exited with 1' }),
      jobResult({ name: 'e2e', status: 'oom', message: 'killed' }),
    ]);
    expect(children(root, 'testsuite').map((suite) => suite.attributes.name)).toEqual(['unit', 'lint', 'e2e']);
    expect(root.attributes).toMatchObject({ tests: '3', failures: '1', errors: '1', skipped: '0' });
  });
});

describe('output is capped', () => {
  const line = `${'0123456789abcdef'.repeat(4)} <tag> & more\n`;
  const huge = line.repeat(Math.ceil((200 * 1024 * 1024) / line.length)); // 200 MB printed

  it('a job that printed 200 MB makes a report under the cap (default 64 KiB), keeping the tail', () => {
    const { xml, cases } = build([jobResult({ status: 'failed', exitCode: 1, message: 'exited with 1', outputTail: `${huge}the very end\n` })]);
    expect(Buffer.byteLength(xml)).toBeLessThan(64 * 1024 + 4096); // the cap plus properties and markup
    const systemOut = child(cases[0]!, 'system-out')!.text;
    expect(systemOut).toMatch(/^\[cubicle: 200 MiB of output; only the last \d+ KiB kept\]\n/);
    expect(systemOut.endsWith('the very end\n')).toBe(true);
    expect(child(cases[0]!, 'failure')!.text.endsWith('the very end')).toBe(true);
  });

  it('outputCapBytes sets the cap, counted in UTF-8 bytes and cut between characters', () => {
    const { xml, cases } = build([jobResult({ outputTail: 'ü€🎉'.repeat(100_000) })], { outputCapBytes: 4096 });
    expect(Buffer.byteLength(xml)).toBeLessThan(4096 + 4096);
    const systemOut = child(cases[0]!, 'system-out')!.text;
    expect(Buffer.byteLength(systemOut)).toBeLessThanOrEqual(4096);
    expect(systemOut).not.toContain('\uFFFD');
  });

  it("a job's own report that holds 20 MB of output is capped too", () => {
    const printed = 'x'.repeat(1024 * 1024);
    const cases = Array.from({ length: 20 }, (_, index) => `<testcase name="t${index}" classname="c"><system-out>${printed}</system-out></testcase>`).join('');
    const dir = artifacts('unit', { 'reports/big.xml': `<testsuite name="big">${cases}</testsuite>` });
    const { xml, cases: built } = build([jobResult({ junitFiles: ['reports/big.xml'] })], { artifactsDir: dir, globs: { unit: ['reports/*.xml'] } });
    expect(built).toHaveLength(20);
    expect(Buffer.byteLength(xml)).toBeLessThan(17 * 64 * 1024 + 64 * 1024); // at most 16 caps of report output
  });
});

describe("a job's own JUnit reports become its test cases", () => {
  const vitestLike = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="3" failures="1" errors="0" time="0.5">
  <testsuite name="src/a.test.ts" timestamp="2025-01-02T03:04:05.678Z" hostname="ci" tests="3" failures="1" errors="0" skipped="1" time="0.5">
    <testcase classname="src/a.test.ts" name="a &gt; adds" time="0.1" file="src/a.test.ts" line="3">
      <system-out>printed &lt;here&gt;</system-out>
      <system-err>warned</system-err>
    </testcase>
    <testcase classname="src/a.test.ts" name="a &gt; fails" time="0.2">
      <failure message="expected 1 to be 2" type="AssertionError">AssertionError: expected 1 to be 2
 ❯ src/a.test.ts:7:10</failure>
    </testcase>
    <testcase classname="src/a.test.ts" name="a &gt; later" time="0"><skipped message="todo"/></testcase>
  </testsuite>
</testsuites>`;
  // Nesting as some runners write it (Jest projects, Surefire aggregates).
  const nested = `<testsuites><testsuites name="outer"><testsuite name="mid"><testsuite name="inner" time="1.5">
    <testcase classname="pkg.Inner" name="errs" time="1.5"><error message="boom" type="RuntimeError">Traceback</error></testcase>
  </testsuite></testsuite></testsuites></testsuites>`;

  it('keeps classname, name, file, line, time, outcomes with message/type/body, and output, from several files', () => {
    const dir = artifacts('unit', { 'reports/a.xml': vitestLike, 'reports/nested/b.xml': nested });
    const { suite, cases } = build([jobResult({ junitFiles: ['reports/a.xml', 'reports/nested/b.xml'] })], {
      artifactsDir: dir,
      globs: { unit: ['reports/**/*.xml'] },
    });
    expect(suite.attributes.name).toBe('unit');
    expect(counts(suite)).toEqual({ tests: '4', failures: '1', errors: '1', skipped: '1' });
    expect(cases.map((testCase) => testCase.attributes)).toEqual([
      { name: 'a > adds', classname: 'src/a.test.ts', time: '0.100', file: 'src/a.test.ts', line: '3' },
      { name: 'a > fails', classname: 'src/a.test.ts', time: '0.200' },
      { name: 'a > later', classname: 'src/a.test.ts', time: '0.000' },
      { name: 'errs', classname: 'pkg.Inner', time: '1.500' },
    ]);
    expect(child(cases[0]!, 'system-out')!.text).toBe('printed <here>');
    expect(child(cases[0]!, 'system-err')!.text).toBe('warned');
    expect(child(cases[1]!, 'failure')!.attributes).toEqual({ message: 'expected 1 to be 2', type: 'AssertionError' });
    expect(child(cases[1]!, 'failure')!.text).toContain('❯ src/a.test.ts:7:10');
    expect(child(cases[2]!, 'skipped')!.attributes).toEqual({ message: 'todo' });
    expect(child(cases[3]!, 'error')!.attributes).toEqual({ message: 'boom', type: 'RuntimeError' });
    expect(child(cases[3]!, 'error')!.text).toBe('Traceback');
    // the job's own output stays with the suite
    expect(child(suite, 'system-out')!.text).toBe('hello from the job\n');
  });

  it('a file that is not valid XML, or not JUnit, is an <error> naming the file and why', () => {
    const dir = artifacts('unit', {
      'reports/a.xml': vitestLike,
      'reports/bad.xml': '<testsuite><testcase name="x">',
      'reports/page.xml': '<html><body/></html>',
    });
    const { cases } = build([jobResult({ junitFiles: ['reports/a.xml', 'reports/bad.xml', 'reports/page.xml'] })], {
      artifactsDir: dir,
      globs: { unit: ['reports/*.xml'] },
    });
    const errors = cases.filter((testCase) => child(testCase, 'error'));
    expect(errors.map((testCase) => testCase.attributes.name)).toEqual(['JUnit report reports/bad.xml', 'JUnit report reports/page.xml']);
    expect(child(errors[0]!, 'error')!.attributes.message).toMatch(/^reports\/bad\.xml: not valid XML: line 1, column \d+: <testcase> .* is never closed$/);
    expect(child(errors[1]!, 'error')!.attributes.message).toBe(
      'reports/page.xml: not a JUnit report: its root element is <html>, not <testsuites> or <testsuite>',
    );
    expect(cases).toHaveLength(5);
  });

  it("globs that matched nothing are the job's <failure>, in the job's own words", () => {
    const message = 'missing JUnit report: junit: "reports/*.xml" matched no file';
    const { suite, cases } = build([jobResult({ status: 'failed', message })], { globs: { unit: ['reports/*.xml'] } });
    expect(counts(suite)).toEqual({ tests: '1', failures: '1', errors: '0', skipped: '0' });
    expect(cases[0]!.attributes).toMatchObject({ name: 'JUnit report', classname: 'cubicle.unit' });
    expect(child(cases[0]!, 'failure')!.attributes).toEqual({ type: 'missing-report', message });
  });

  it('a failing exit code with no failing test adds a failing test case for the job', () => {
    const passing = '<testsuite name="s"><testcase classname="c" name="ok"/><testcase classname="c" name="skip"><skipped/></testcase></testsuite>';
    const dir = artifacts('unit', { 'reports/a.xml': passing });
    const { suite, cases } = build([jobResult({ status: 'failed', exitCode: 3, message: 'exited with 3', junitFiles: ['reports/a.xml'] })], {
      artifactsDir: dir,
      globs: { unit: ['reports/*.xml'] },
    });
    expect(counts(suite)).toEqual({ tests: '3', failures: '1', errors: '0', skipped: '1' });
    expect(cases[2]!.attributes).toMatchObject({ name: 'unit', classname: 'cubicle.unit' });
    expect(child(cases[2]!, 'failure')!.attributes).toEqual({ message: 'exited with 3', type: 'failure' });
  });

  it('a failing exit code with failing tests adds nothing; earlier attempts go on the first failing test', () => {
    const dir = artifacts('unit', { 'reports/a.xml': vitestLike });
    const previousFailures = [{ message: 'exited with 1', outputTail: 'attempt one\n' }];
    const { suite, cases } = build(
      [jobResult({ status: 'failed', exitCode: 1, attempts: 2, message: 'exited with 1', junitFiles: ['reports/a.xml'], previousFailures })],
      {
        artifactsDir: dir,
        globs: { unit: ['reports/*.xml'] },
      },
    );
    expect(counts(suite)).toEqual({ tests: '3', failures: '1', errors: '0', skipped: '1' });
    expect(children(cases[1]!, 'rerunFailure').map((element) => element.attributes.message)).toEqual(['attempt 1: exited with 1']);
  });

  it('a killed job keeps its tests and adds an <error> for the kill, even when every test passed', () => {
    const passing = '<testsuite name="s"><testcase classname="c" name="ok"/></testsuite>';
    const dir = artifacts('unit', { 'reports/a.xml': passing });
    const message = 'killed: memory limit 512 MiB reached (1 process killed by the OOM killer)';
    const { suite, cases } = build([jobResult({ status: 'oom', exitCode: null, signal: 'SIGKILL', message, junitFiles: ['reports/a.xml'] })], {
      artifactsDir: dir,
      globs: { unit: ['reports/*.xml'] },
    });
    expect(counts(suite)).toEqual({ tests: '2', failures: '0', errors: '1', skipped: '0' });
    expect(child(cases[1]!, 'error')!.attributes).toEqual({ message, type: 'oom' });
  });

  it('a killed job that wrote no report says both', () => {
    const { suite, cases } = build(
      [jobResult({ status: 'timeout', exitCode: null, message: 'timed out after 10s: every process in the sandbox was killed' })],
      { globs: { unit: ['reports/*.xml'] } },
    );
    expect(counts(suite)).toEqual({ tests: '1', failures: '0', errors: '1', skipped: '0' });
    expect(child(cases[0]!, 'error')!.attributes).toEqual({
      type: 'timeout',
      message: 'timed out after 10s: every process in the sandbox was killed; the job wrote no JUnit report matching reports/*.xml',
    });
  });

  it('a flaky job keeps its tests and adds a passing test case with the failed attempts', () => {
    const dir = artifacts('unit', { 'reports/a.xml': '<testsuite name="s"><testcase classname="c" name="ok"/></testsuite>' });
    const previousFailures = [{ message: 'exited with 1', outputTail: 'boom\n' }];
    const { suite, cases } = build([jobResult({ status: 'flaky', attempts: 2, junitFiles: ['reports/a.xml'], previousFailures })], {
      artifactsDir: dir,
      globs: { unit: ['reports/*.xml'] },
    });
    expect(counts(suite)).toEqual({ tests: '2', failures: '0', errors: '0', skipped: '0' });
    expect(children(cases[1]!, 'flakyFailure')).toHaveLength(1);
  });

  it('reports it cannot find are an <error>, not silently left out', () => {
    const { cases } = build([jobResult({ junitFiles: ['reports/a.xml'] })], { globs: { unit: ['reports/*.xml'] } });
    expect(child(cases[0]!, 'error')!.attributes.message).toBe("reports/a.xml: not merged: cubicle was not told where the job's reports were copied");
  });
});
