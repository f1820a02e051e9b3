import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GoTestJsonError, parseGoTestJson } from './gotest.js';
import { verdictOf, type JunitSuite } from './model.js';
import { JunitReadError, readJunitFile } from './read.js';

const CAPTURED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/preset-go/testdata/go-test.json');

/** test2json lines, written as go writes them. */
function stream(...events: Record<string, unknown>[]): string {
  return `${events.map((event) => JSON.stringify({ Time: '2026-01-02T03:04:05.123456789Z', ...event })).join('\n')}\n`;
}

/** Output events of one test, a line each. */
function output(pkg: string, test: string | undefined, ...lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => ({ Action: 'output', Package: pkg, ...(test ? { Test: test } : {}), Output: `${line}\n` }));
}

function verdicts(suites: JunitSuite[]): Record<string, string> {
  return Object.fromEntries(suites.flatMap((suite) => suite.cases.map((testCase) => [`${testCase.classname} ${testCase.name}`, verdictOf(testCase)])));
}

function caseNamed(suites: JunitSuite[], name: string) {
  const found = suites.flatMap((suite) => suite.cases).find((testCase) => testCase.name === name);
  if (!found) throw new Error(`no test case ${name}`);
  return found;
}

describe('parseGoTestJson', () => {
  it('reads the go fixture as captured: a suite per package, subtests as their own cases', () => {
    const suites = parseGoTestJson(fs.readFileSync(CAPTURED, 'utf8'));
    expect(suites.map((suite) => suite.name).sort()).toEqual(['example.com/presetgo/calc', 'example.com/presetgo/text']);
    expect(verdicts(suites)).toEqual({
      'example.com/presetgo/calc TestAdd': 'passed',
      'example.com/presetgo/calc TestDivide': 'failure',
      'example.com/presetgo/calc TestSkipped': 'skipped',
      'example.com/presetgo/calc TestTable': 'passed',
      'example.com/presetgo/calc TestTable/small': 'passed',
      'example.com/presetgo/calc TestTable/large': 'passed',
      'example.com/presetgo/text TestShout': 'passed',
    });
    const divide = caseNamed(suites, 'TestDivide').outcomes[0]!;
    expect(divide).toMatchObject({ kind: 'failure', type: 'failure', message: 'calc_test.go:14: Divide(-7, 2) = -3, want -4' });
    expect(divide.body).toBe('    calc_test.go:12: dividing -7 by 2\n    calc_test.go:14: Divide(-7, 2) = -3, want -4\n--- FAIL: TestDivide (0.00s)\n');
    expect(caseNamed(suites, 'TestSkipped').outcomes).toEqual([{ kind: 'skipped', message: 'calc_test.go:19: not on this platform' }]);
    expect(suites.find((suite) => suite.name.endsWith('/calc'))!.time).toBeGreaterThan(0);
    // The package's "FAIL" and "ok" lines are counted in the cases, not repeated as output.
    expect(suites.map((suite) => suite.systemOut)).toEqual([undefined, undefined]);
  });

  it('makes a panicking subtest an <error>, its parent a failure, and leaves out what never ran', () => {
    const pkg = 'example.com/cap/panics';
    const suites = parseGoTestJson(
      stream(
        { Action: 'run', Package: pkg, Test: 'TestBefore' },
        ...output(pkg, 'TestBefore', '=== RUN   TestBefore', '--- PASS: TestBefore (0.00s)'),
        { Action: 'pass', Package: pkg, Test: 'TestBefore', Elapsed: 0.01 },
        { Action: 'run', Package: pkg, Test: 'TestPanics' },
        ...output(pkg, 'TestPanics', '=== RUN   TestPanics'),
        { Action: 'run', Package: pkg, Test: 'TestPanics/inner' },
        ...output(pkg, 'TestPanics/inner', '=== RUN   TestPanics/inner'),
        ...output(pkg, 'TestPanics', '--- FAIL: TestPanics (0.00s)'),
        ...output(
          pkg,
          'TestPanics/inner',
          '    --- FAIL: TestPanics/inner (0.00s)',
          'panic: assignment to entry in nil map [recovered]',
          '\tpanic: assignment to entry in nil map',
          '',
          'goroutine 22 [running]:',
        ),
        { Action: 'fail', Package: pkg, Test: 'TestPanics/inner', Elapsed: 0 },
        { Action: 'fail', Package: pkg, Test: 'TestPanics', Elapsed: 0 },
        ...output(pkg, undefined, `FAIL\t${pkg}\t0.005s`),
        { Action: 'fail', Package: pkg, Elapsed: 0.005 },
      ),
    );
    expect(verdicts(suites)).toEqual({ [`${pkg} TestBefore`]: 'passed', [`${pkg} TestPanics`]: 'failure', [`${pkg} TestPanics/inner`]: 'error' });
    expect(caseNamed(suites, 'TestPanics/inner').outcomes[0]).toMatchObject({
      kind: 'error',
      type: 'panic',
      message: 'panic: assignment to entry in nil map [recovered]',
    });
    expect(caseNamed(suites, 'TestPanics/inner').outcomes[0]!.body).toContain('goroutine 22 [running]:');
    expect(caseNamed(suites, 'TestPanics').outcomes[0]!.message).toBe('a subtest failed');
    expect(caseNamed(suites, 'TestBefore').time).toBe(0.01);
  });

  it('reports a package that did not build, from Go 1.19 text lines and from Go 1.24 events', () => {
    const pkg = 'example.com/cap/broken';
    const old = parseGoTestJson(`FAIL\t${pkg} [build failed]\n`);
    expect(verdicts(old)).toEqual({ [`${pkg} [build failed]`]: 'error' });
    expect(old[0]!.cases[0]!.outcomes[0]).toMatchObject({ type: 'build-failed', message: `${pkg}: build failed; go's messages are in the job's output` });

    // With 2>&1, the compiler's errors are in the file, under go's "# pkg" header.
    const withErrors = parseGoTestJson(
      `# ${pkg} [${pkg}.test]\nbroken/b.go:3:28: cannot use "nope" as int value in return statement\nFAIL\t${pkg} [build failed]\n`,
    );
    expect(withErrors[0]!.cases[0]!.outcomes[0]).toMatchObject({
      message: `${pkg}: build failed`,
      body: `# ${pkg} [${pkg}.test]\nbroken/b.go:3:28: cannot use "nope" as int value in return statement\n`,
    });

    const go124 = parseGoTestJson(
      stream(
        { ImportPath: `${pkg}_test [${pkg}.test]`, Action: 'build-output', Output: `# ${pkg}_test [${pkg}.test]\n` },
        { ImportPath: `${pkg}_test [${pkg}.test]`, Action: 'build-output', Output: 'broken/b_test.go:5:2: undefined: Nope\n' },
        { ImportPath: `${pkg}_test [${pkg}.test]`, Action: 'build-fail' },
        { Action: 'start', Package: pkg },
        ...output(pkg, undefined, `FAIL\t${pkg} [build failed]`),
        { Action: 'fail', Package: pkg, Elapsed: 0, FailedBuild: `${pkg}_test [${pkg}.test]` },
      ),
    );
    expect(go124.map((suite) => suite.name)).toEqual([pkg]);
    expect(go124[0]!.cases.map((testCase) => [testCase.name, verdictOf(testCase)])).toEqual([['[build failed]', 'error']]);
    expect(go124[0]!.cases[0]!.outcomes[0]!.body).toContain('undefined: Nope');
  });

  it('reports a package that failed outside any test: a panic in init, or after TestMain ran the tests', () => {
    const init = 'example.com/cap/initpanic';
    const main = 'example.com/cap/ok2';
    const suites = parseGoTestJson(
      stream(
        ...output(init, undefined, 'panic: init boom', '', 'goroutine 1 [running]:', `FAIL\t${init}\t0.005s`),
        { Action: 'fail', Package: init, Elapsed: 0.005 },
        ...output(main, undefined, 'setup'),
        { Action: 'run', Package: main, Test: 'TestFine' },
        ...output(main, 'TestFine', '=== RUN   TestFine', '=== PAUSE TestFine', '=== CONT  TestFine', '--- PASS: TestFine (0.00s)'),
        { Action: 'pass', Package: main, Test: 'TestFine', Elapsed: 0 },
        ...output(main, undefined, 'PASS', 'panic: after tests', `FAIL\t${main}\t0.007s`),
        { Action: 'fail', Package: main, Elapsed: 0.007 },
      ),
    );
    expect(verdicts(suites)).toEqual({ [`${init} [package failed]`]: 'error', [`${main} TestFine`]: 'passed', [`${main} [package failed]`]: 'error' });
    expect(caseNamed(suites, 'TestFine').systemOut).toBeUndefined();
    const [initCase, mainCase] = suites.map((suite) => suite.cases.at(-1)!.outcomes[0]!);
    expect(initCase).toMatchObject({ type: 'panic', message: 'panic: init boom' });
    expect(initCase!.body).toContain('goroutine 1 [running]:');
    expect(mainCase).toMatchObject({ type: 'panic', message: 'panic: after tests' });
  });

  it('makes a test that never ended (a timeout, a crash) an <error>, and keeps what a passing test logged', () => {
    const pkg = 'example.com/slow';
    const suites = parseGoTestJson(
      stream(
        { Action: 'run', Package: pkg, Test: 'TestQuick' },
        ...output(pkg, 'TestQuick', '=== RUN   TestQuick', '    quick_test.go:9: took 3ms', '--- PASS: TestQuick (0.00s)'),
        { Action: 'pass', Package: pkg, Test: 'TestQuick', Elapsed: 0 },
        { Action: 'run', Package: pkg, Test: 'TestSlow' },
        ...output(pkg, 'TestSlow', '=== RUN   TestSlow', 'panic: test timed out after 1s', 'running tests:', '\tTestSlow (1s)'),
        ...output(pkg, undefined, `FAIL\t${pkg}\t1.010s`),
        { Action: 'fail', Package: pkg, Elapsed: 1.01 },
      ),
    );
    expect(verdicts(suites)).toEqual({ [`${pkg} TestQuick`]: 'passed', [`${pkg} TestSlow`]: 'error' });
    expect(caseNamed(suites, 'TestSlow').outcomes[0]).toMatchObject({
      type: 'unfinished',
      message: 'did not finish: the test binary stopped while it ran (panic: test timed out after 1s)',
    });
    expect(caseNamed(suites, 'TestQuick').systemOut).toContain('quick_test.go:9: took 3ms');
    expect(suites[0]!.time).toBe(1.01);
  });

  it('skips packages without tests, and reads a skipped subtest with its reason', () => {
    const suites = parseGoTestJson(
      stream(
        ...output('example.com/none', undefined, '?   \texample.com/none\t[no test files]'),
        { Action: 'skip', Package: 'example.com/none', Elapsed: 0 },
        { Action: 'run', Package: 'example.com/p', Test: 'TestA' },
        { Action: 'run', Package: 'example.com/p', Test: 'TestA/sub' },
        ...output('example.com/p', 'TestA/sub', '=== RUN   TestA/sub', '    a_test.go:7: needs docker', '    --- SKIP: TestA/sub (0.00s)'),
        { Action: 'skip', Package: 'example.com/p', Test: 'TestA/sub', Elapsed: 0 },
        ...output('example.com/p', 'TestA', '--- PASS: TestA (0.00s)'),
        { Action: 'pass', Package: 'example.com/p', Test: 'TestA', Elapsed: 0 },
        { Action: 'pass', Package: 'example.com/p', Elapsed: 0.002 },
      ),
    );
    expect(suites.map((suite) => suite.name)).toEqual(['example.com/p']);
    expect(verdicts(suites)).toEqual({ 'example.com/p TestA': 'passed', 'example.com/p TestA/sub': 'skipped' });
    expect(caseNamed(suites, 'TestA/sub').outcomes[0]!.message).toBe('a_test.go:7: needs docker');
  });

  it('has no suites for an empty stream and refuses what is not one', () => {
    expect(parseGoTestJson('')).toEqual([]);
    expect(() => parseGoTestJson('ok  \texample.com/p\t0.01s\n')).toThrow(GoTestJsonError);
    expect(() => parseGoTestJson('{"name": "not-go", "version": "1.0.0"}\n')).toThrow(
      /not a go test -json stream: no line is a test2json event .*was -json left out\?/,
    );
  });

  it('is what readJunitFile does with a .json file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-gotest-'));
    try {
      fs.copyFileSync(CAPTURED, path.join(dir, 'go-test.json'));
      expect(readJunitFile(path.join(dir, 'go-test.json')).flatMap((suite) => suite.cases)).toHaveLength(7);
      fs.writeFileSync(path.join(dir, 'bad.json'), 'PASS\n');
      expect(() => readJunitFile(path.join(dir, 'bad.json'), 'reports/bad.json')).toThrow(JunitReadError);
      expect(() => readJunitFile(path.join(dir, 'bad.json'), 'reports/bad.json')).toThrow(/^reports\/bad\.json: not a go test -json stream/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
