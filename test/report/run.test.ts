// End to end: `cubicle run` (bin/cubicle.js, built by `node build.mjs`) of the pytest fixture
// in real sandboxes; its cubicle-junit.xml lists pytest's own tests under the job.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO } from '../helpers/paths.js';
import { claimedCounts, countCases, expectCountsAddUp, removeTempDirs, tempDir, validate, xpathNumber } from './helpers.js';

afterAll(removeTempDirs);

const FIXTURE = path.join(REPO, 'test/fixtures/pytest-project');

describe('cubicle run with junit: globs', () => {
  let dir: string;
  let report: string;
  let run: { exitCode: number | null; stdout: string; stderr: string };
  beforeAll(() => {
    dir = tempDir();
    report = path.join(dir, 'cubicle-junit.xml');
    const args = ['run', '--config', path.join(FIXTURE, 'cubicle.config.yaml'), '--junit', report, '--artifacts-dir', path.join(dir, 'artifacts')];
    const result = spawnSync(process.execPath, [CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 50_000,
      env: { ...process.env, CUBICLE_CACHE_DIR: path.join(dir, 'cache'), NO_COLOR: '1' },
    });
    run = { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
  });

  it('writes a valid report whose counts add up', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(1); // pytest fails on purpose
    validate(report);
    expectCountsAddUp(report);
  });

  it("pytest's report becomes the job's test cases, with pytest's own counts", () => {
    const pytestOwn = path.join(dir, 'artifacts', 'pytest', 'reports', 'junit.xml');
    expect(countCases(pytestOwn)).toEqual({ tests: 5, failures: 1, errors: 1, skipped: 1 });
    const suite = '/testsuites/testsuite[@name="pytest"]';
    expect(claimedCounts(report, suite)).toEqual(countCases(pytestOwn));
    expect(xpathNumber(report, `count(${suite}/testcase[@classname="test_sample"])`)).toBe(5);
    expect(xpathNumber(report, `count(${suite}/testcase[@name="test_fails_on_purpose"]/failure)`)).toBe(1);
    expect(xpathNumber(report, `count(${suite}/properties/property[@name="cubicle.status" and @value="failed"])`)).toBe(1);
    expect(xpathNumber(report, `count(${suite}/system-out[contains(., "1 failed, 2 passed, 1 skipped, 1 error")])`)).toBe(1);
  });

  it('a job whose globs matched nothing failed, saying so; a job without globs is one test case', () => {
    const noReport = '/testsuites/testsuite[@name="no-report"]';
    const said = `starts-with(@message, 'missing JUnit report: junit: "reports/*.xml" matched no file')`;
    expect(xpathNumber(report, `count(${noReport}/testcase/failure[@type="missing-report" and ${said}])`)).toBe(1);
    expect(xpathNumber(report, `count(${noReport}/properties/property[@name="cubicle.status" and @value="failed"])`)).toBe(1);
    expect(claimedCounts(report, '/testsuites/testsuite[@name="plain"]')).toEqual({ tests: 1, failures: 0, errors: 0, skipped: 0 });
    expect(claimedCounts(report, '/testsuites')).toEqual({ tests: 7, failures: 2, errors: 1, skipped: 1 });
  });

  it('leaves the fixture as it was', () => {
    expect(fs.readdirSync(FIXTURE).sort()).toEqual(['cubicle.config.yaml', 'test_sample.py']);
  });
});

describe('a job printing 200 MB', () => {
  it('completes, and its report stays under the output cap', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'cubicle.config.yaml'),
      "jobs:\n  chatty:\n    run: yes 'a line of output, again and again, to fill two hundred megabytes' | head -c 200000000; exit 1\n  binary:\n    run: head -c 20000000 /dev/urandom; exit 1\n",
    );
    const report = path.join(dir, 'cubicle-junit.xml');
    const result = spawnSync(process.execPath, [CLI, 'run', '--junit', report, '--quiet'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 170_000,
      maxBuffer: 1 << 30,
      env: { ...process.env, CUBICLE_CACHE_DIR: path.join(tempDir(), 'cache'), NO_COLOR: '1' },
    });
    expect(result.status, result.stderr).toBe(1);
    validate(report);
    const size = fs.statSync(report).size;
    expect(size).toBeGreaterThan(60 * 1024);
    expect(size).toBeLessThan(2 * 80 * 1024);
    expect(xpathNumber(report, 'count(//testcase[@name="chatty"]/failure)')).toBe(1);
    expect(xpathNumber(report, 'count(//testcase[@name="binary"]/failure)')).toBe(1);
  }, 180_000);
});
