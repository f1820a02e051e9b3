// A job whose `junit:` matched nothing: one truth in the console, --json, the JUnit report and the
// exit code (a failure of that job, saying which patterns matched nothing and where cubicle looked).
// Before: `passed` and exit 0 everywhere but the JUnit report, which had an <error>.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { jobOf, makeProject, removeProjects } from '../helpers/project.js';
import { validate, xpathNumber } from './helpers.js';

afterAll(removeProjects);

describe('a missing JUnit report', () => {
  it('fails the job the same way in the console, --json, the JUnit report and the exit code', async () => {
    const project = makeProject(`
jobs:
  forgot:
    run: mkdir -p /tmp/reports && echo '<testsuite/>' > /tmp/reports/junit.xml
    junit: reports/*.xml
  wrote:
    run: mkdir -p out && echo '<testsuite name="s" tests="1"><testcase classname="c" name="t"/></testsuite>' > out/junit.xml
    junit: out/*.xml
`);
    const result = await project.cubicle(['run', '--json', 'results.json', '--junit', 'junit.xml']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);

    const forgot = jobOf(project, 'forgot');
    expect(forgot.status).toBe('failed');
    expect(forgot.exitCode).toBe(0);
    const message = forgot.message ?? '';
    expect(message).toContain('missing JUnit report: junit: "reports/*.xml" matched no file');
    expect(message).toContain(project.dir);
    expect(message).toContain("change the job's junit: patterns");
    expect(jobOf(project, 'wrote').status).toBe('passed');

    expect(result.stdout).toMatch(/forgot\s+failed/);
    expect(result.stdout).toContain('missing JUnit report: junit: "reports/*.xml" matched no file');

    const report = validate(project.file('junit.xml'));
    const suite = '/testsuites/testsuite[@name="forgot"]';
    expect(xpathNumber(report, `count(${suite}/properties/property[@name="cubicle.status" and @value="failed"])`)).toBe(1);
    expect(xpathNumber(report, `count(${suite}/testcase/failure[@type="missing-report"])`)).toBe(1);
    const junitMessage = execFileSync('xmllint', ['--xpath', `string(${suite}/testcase/failure/@message)`, report], { encoding: 'utf8' });
    expect(junitMessage.replace(/\n$/, '')).toBe(message);
    expect(xpathNumber(report, `count(${suite}//error)`)).toBe(0);
    expect(xpathNumber(report, 'number(/testsuites/@failures)')).toBe(1);
    expect(xpathNumber(report, 'number(/testsuites/@errors)')).toBe(0);
  });
});
