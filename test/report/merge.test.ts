// `cubicle merge`, the real CLI (bin/cubicle.js, built by `node build.mjs`): shards' reports as one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJunit } from '../../src/report/junit.js';
import { CLI } from '../helpers/paths.js';
import { claimedCounts, expectCountsAddUp, jobResult, removeTempDirs, tempDir, validate, xpathNumber } from './helpers.js';

afterAll(removeTempDirs);

function cubicle(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A shard's cubicle-junit.xml: a passing job, and one that failed, then passed on retry. */
function shardReport(shard: number): string {
  const results = [
    jobResult({ name: 'unit', outputTail: `shard ${shard}\n` }),
    jobResult({ name: 'e2e', status: 'flaky', attempts: 2, previousFailures: [{ message: 'exited with 1', outputTail: 'flaked\n' }] }),
  ];
  return buildJunit({ results, startedAt: '2025-01-02T03:04:05.000Z', wallMs: 1000, limitsEnforced: true });
}

// Claims counts that are wrong: merge recomputes them from the test cases.
const lying = `<?xml version="1.0"?>
<testsuite name="unit" tests="99" failures="0" errors="0" skipped="0" time="2.5" timestamp="2025-01-02T03:04:05.123+01:00" hostname="runner-7">
  <properties><property name="python" value="3.11"/></properties>
  <testcase classname="tests.test_a" name="test_one" time="1" file="tests/test_a.py" line="12"/>
  <testcase classname="tests.test_a" name="test_two" time="1.5"><failure message="assert 1 == 2">AssertionError</failure></testcase>
  <testcase classname="tests.test_a" name="test_three"><skipped message="later"/></testcase>
  <system-out>suite output</system-out>
</testsuite>`;

function project(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('cubicle merge', () => {
  it('keeps every suite, same-named ones apart, and recomputes the totals', () => {
    const dir = project({ 'shard-1/cubicle-junit.xml': shardReport(1), 'shard-2/cubicle-junit.xml': shardReport(2), 'py/junit.xml': lying });
    const result = cubicle(['merge', 'shard-1/cubicle-junit.xml', 'shard-2/cubicle-junit.xml', 'py/junit.xml', '-o', 'out/merged.xml'], dir);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('merged 3 reports into out/merged.xml: 5 suites, 7 tests, 1 failures, 0 errors, 1 skipped\n');
    const merged = validate(path.join(dir, 'out/merged.xml'));
    expectCountsAddUp(merged);
    expect(claimedCounts(merged, '/testsuites')).toEqual({ tests: 7, failures: 1, errors: 0, skipped: 1 });
    const names = Array.from({ length: 5 }, (_, index) => fs.readFileSync(merged, 'utf8').match(/<testsuite name="([^"]+)"/g)![index]);
    expect(names).toEqual(['<testsuite name="unit"', '<testsuite name="e2e"', '<testsuite name="unit"', '<testsuite name="e2e"', '<testsuite name="unit"']);
    expect(claimedCounts(merged, '/testsuites/testsuite[5]')).toEqual({ tests: 3, failures: 1, errors: 0, skipped: 1 });
    expect(xpathNumber(merged, 'number(/testsuites/@time)')).toBe(1.235 * 4 + 2.5);
  });

  it('keeps what the inputs said: properties, timestamps, hosts, file and line, output, flaky attempts', () => {
    const dir = project({ 'a.xml': shardReport(1), 'b.xml': lying });
    expect(cubicle(['merge', 'a.xml', 'b.xml', '-o', 'merged.xml'], dir).exitCode).toBe(0);
    const merged = validate(path.join(dir, 'merged.xml'));
    const suite = '/testsuites/testsuite[3]';
    expect(xpathNumber(merged, `count(${suite}[@timestamp="2025-01-02T03:04:05.123+01:00" and @hostname="runner-7" and @time="2.500"])`)).toBe(1);
    expect(xpathNumber(merged, `count(${suite}/properties/property[@name="python" and @value="3.11"])`)).toBe(1);
    expect(xpathNumber(merged, `count(${suite}/testcase[@file="tests/test_a.py" and @line="12"])`)).toBe(1);
    expect(xpathNumber(merged, `count(${suite}/system-out[.="suite output"])`)).toBe(1);
    expect(xpathNumber(merged, 'count(//testcase[@name="e2e"]/flakyFailure[@message="attempt 1: exited with 1"]/system-out)')).toBe(1);
    expect(xpathNumber(merged, 'count(//property[@name="cubicle.status" and @value="flaky"])')).toBe(1);
  });

  it('a missing, unparsable or non-JUnit input: exit 2, every problem named, nothing written', () => {
    const dir = project({ 'good.xml': lying, 'broken.xml': '<testsuite name="x"><testcase name="a">', 'page.xml': '<html></html>', 'merged.xml': 'previous' });
    const result = cubicle(['merge', 'good.xml', 'broken.xml', 'missing.xml', 'page.xml', '-o', 'merged.xml'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cubicle: cannot merge: 3 of 4 reports unusable; nothing was written:');
    expect(result.stderr).toContain('  - broken.xml: not valid XML: line 1, column 40: <testcase> (opened at line 1, column 21) is never closed');
    expect(result.stderr).toContain('  - missing.xml: no such file');
    expect(result.stderr).toContain('  - page.xml: not a JUnit report: its root element is <html>, not <testsuites> or <testsuite>');
    expect(result.stderr).toContain('hint: ');
    expect(fs.readFileSync(path.join(dir, 'merged.xml'), 'utf8')).toBe('previous');
    expect(fs.readdirSync(dir).sort()).toEqual(['broken.xml', 'good.xml', 'merged.xml', 'page.xml']);
  });

  it('writes by rename, leaving no temp file, and may replace one of its inputs', () => {
    const dir = project({ 'a.xml': lying, 'b.xml': lying });
    expect(cubicle(['merge', 'a.xml', 'b.xml', '-o', 'a.xml'], dir).exitCode).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.xml', 'b.xml']);
    expect(claimedCounts(validate(path.join(dir, 'a.xml')), '/testsuites')).toEqual({ tests: 6, failures: 2, errors: 0, skipped: 2 });
  });

  it('usage errors exit 2: no inputs, no -o, -o a directory', () => {
    const dir = project({ 'a.xml': lying });
    fs.mkdirSync(path.join(dir, 'out'));
    expect(cubicle(['merge', '-o', 'x.xml'], dir)).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('Name the reports to merge.') });
    expect(cubicle(['merge', 'a.xml'], dir)).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('Missing required argument: output') });
    expect(cubicle(['merge', 'a.xml', '-o', 'out'], dir)).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('-o out is a directory; nothing was written'),
    });
  });
});
