// The frameworks' own JUnit, written by the real tools on fixture projects (vitest from this
// repository, Debian's pytest), merged into a job's suite: the same tests, the same counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJunit } from '../../src/report/junit.js';
import { parseXml, type XmlElement } from '../../src/junit/index.js';
import { CLI, REPO } from '../helpers/paths.js';
import { claimedCounts, countCases, expectCountsAddUp, jobResult, removeTempDirs, tempDir, validate, xpathNumber, type Counts } from './helpers.js';

afterAll(removeTempDirs);

/** This process's environment without the variables that make a child vitest think it is a worker. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS' && name !== 'TEST'));
}

interface FrameworkRun {
  /** Where the run's artifacts dir is, with the report at `<dir>/<job>/reports/junit.xml`. */
  artifactsDir: string;
  report: string;
  exitCode: number | null;
}

function runFramework(job: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): FrameworkRun {
  const artifactsDir = tempDir();
  const report = path.join(artifactsDir, job, 'reports', 'junit.xml');
  fs.mkdirSync(path.dirname(report), { recursive: true });
  const result = spawnSync(
    command,
    args.map((arg) => arg.replace('{report}', report)),
    { cwd, env: { ...cleanEnv(), ...env }, encoding: 'utf8', timeout: 50_000 },
  );
  if (!fs.existsSync(report)) throw new Error(`${command} wrote no report (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { artifactsDir, report, exitCode: result.status };
}

function testCases(xml: string): { classname: string; name: string; verdict: string }[] {
  const found: { classname: string; name: string; verdict: string }[] = [];
  const visit = (element: XmlElement) => {
    if (element.name === 'testcase') {
      const kinds = element.children.map((child) => child.name);
      const verdict = kinds.includes('error') ? 'error' : kinds.includes('failure') ? 'failure' : kinds.includes('skipped') ? 'skipped' : 'passed';
      found.push({ classname: element.attributes.classname ?? '', name: element.attributes.name ?? '', verdict });
    }
    element.children.forEach(visit);
  };
  visit(parseXml(xml));
  return found;
}

/** The counts the framework's own suites claim, summed. */
function frameworkClaims(file: string): Counts {
  const suites = xpathNumber(file, 'count(//testsuite)');
  const sum: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (let index = 1; index <= suites; index++) {
    const claimed = claimedCounts(file, `(//testsuite)[${index}]`);
    for (const key of Object.keys(sum) as (keyof Counts)[]) sum[key] += claimed[key];
  }
  return sum;
}

/** The framework's report merged into job `job`'s suite, as `cubicle run` would write it. */
function mergeIntoJob(job: string, run: FrameworkRun): string {
  const result = jobResult({
    name: job,
    status: run.exitCode === 0 ? 'passed' : 'failed',
    exitCode: run.exitCode,
    message: run.exitCode === 0 ? null : `exited with ${run.exitCode}`,
    junitFiles: ['reports/junit.xml'],
  });
  const xml = buildJunit(
    { results: [result], startedAt: result.startedAt, wallMs: 1000, limitsEnforced: true, artifactsDir: run.artifactsDir },
    { junitGlobs: new Map([[job, ['reports/*.xml']]]) },
  );
  const file = path.join(run.artifactsDir, 'cubicle-junit.xml');
  fs.writeFileSync(file, xml);
  validate(file);
  expectCountsAddUp(file);
  return file;
}

let vitestRun: FrameworkRun;
let pytestRun: FrameworkRun;
beforeAll(() => {
  vitestRun = runFramework(
    'vitest',
    path.join(REPO, 'node_modules', '.bin', 'vitest'),
    ['run', '--root', 'test/fixtures/vitest-project', '--reporter=junit', '--outputFile={report}'],
    REPO,
  );
  pytestRun = runFramework(
    'pytest',
    'python3',
    ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--junitxml={report}'],
    path.join(REPO, 'test/fixtures/pytest-project'),
    {
      PYTHONDONTWRITEBYTECODE: '1',
      PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1',
    },
  );
});

describe("vitest (this repository's)", () => {
  let run: FrameworkRun;
  beforeAll(() => {
    run = vitestRun;
  });

  it('its report merged into the job lists the same tests with the same verdicts and counts', () => {
    expect(run.exitCode).toBe(1); // the fixture fails on purpose
    const merged = mergeIntoJob('vitest', run);
    const own = countCases(run.report);
    expect(own).toEqual({ tests: 7, failures: 2, errors: 0, skipped: 2 });
    expect(frameworkClaims(run.report)).toEqual(own);
    expect(claimedCounts(merged, '/testsuites/testsuite')).toEqual(own);
    expect(claimedCounts(merged, '/testsuites')).toEqual(own);
    expect(testCases(fs.readFileSync(merged, 'utf8'))).toEqual(testCases(fs.readFileSync(run.report, 'utf8')));
  });

  it('keeps the failure messages, types and stack traces, and what a test printed', () => {
    const merged = mergeIntoJob('vitest', run);
    expect(xpathNumber(merged, 'count(//testcase[@name="strings > throws on purpose"]/failure[@type="TypeError" and @message="not a string <here>"])')).toBe(1);
    const xml = fs.readFileSync(merged, 'utf8');
    expect(xml).toContain('strings.check.js:9:11');
    expect(xml).toMatch(/<system-out>[^<]*printed by a passing test/);
  });
});

describe("Debian's pytest", () => {
  let run: FrameworkRun;
  beforeAll(() => {
    run = pytestRun;
  });

  it('its report merged into the job lists the same tests with the same verdicts and counts', () => {
    expect(run.exitCode).toBe(1);
    const merged = mergeIntoJob('pytest', run);
    const own = countCases(run.report);
    expect(own).toEqual({ tests: 5, failures: 1, errors: 1, skipped: 1 });
    expect(frameworkClaims(run.report)).toEqual(own);
    expect(claimedCounts(merged, '/testsuites/testsuite')).toEqual(own);
    expect(claimedCounts(merged, '/testsuites')).toEqual(own);
    expect(testCases(fs.readFileSync(merged, 'utf8'))).toEqual(testCases(fs.readFileSync(run.report, 'utf8')));
  });

  it('keeps skip reasons, setup errors and assertion details', () => {
    const merged = mergeIntoJob('pytest', run);
    expect(xpathNumber(merged, 'count(//testcase[@name="test_skipped"]/skipped[@type="pytest.skip" and @message="skipped on purpose"])')).toBe(1);
    expect(xpathNumber(merged, 'count(//testcase[@name="test_errors_in_setup"]/error[contains(@message, "fixture setup fails on purpose")])')).toBe(1);
    expect(xpathNumber(merged, 'count(//testcase[@name="test_fails_on_purpose"]/failure[contains(., "assert 10 / 4 == 2")])')).toBe(1);
    expect(xpathNumber(merged, 'count(//testcase[@classname="test_sample"])')).toBe(5);
  });

  it('the fixture is left as it was (no caches or bytecode written into the checkout)', () => {
    expect(fs.readdirSync(path.join(REPO, 'test/fixtures/pytest-project')).sort()).toEqual(['cubicle.config.yaml', 'test_sample.py']);
    expect(fs.readdirSync(path.join(REPO, 'test/fixtures/vitest-project')).sort()).toEqual(['math.check.js', 'strings.check.js', 'vitest.config.mjs']);
  });
});

describe("cubicle merge of both frameworks' reports (bin/cubicle.js)", () => {
  it('keeps every suite and sums the counts', () => {
    const out = path.join(tempDir(), 'merged.xml');
    const result = spawnSync(process.execPath, [CLI, 'merge', vitestRun.report, pytestRun.report, '-o', out], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    validate(out);
    expectCountsAddUp(out);
    expect(xpathNumber(out, 'count(/testsuites/testsuite)')).toBe(3); // vitest: one per file; pytest: one
    expect(claimedCounts(out, '/testsuites')).toEqual({ tests: 12, failures: 3, errors: 1, skipped: 3 });
    expect(testCases(fs.readFileSync(out, 'utf8'))).toEqual([
      ...testCases(fs.readFileSync(vitestRun.report, 'utf8')),
      ...testCases(fs.readFileSync(pytestRun.report, 'utf8')),
    ]);
  });
});
