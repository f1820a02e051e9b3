// pytest's `line` attribute counts from 0 (its test item's location): a report of real pytest
// (Debian's python3-pytest, junit_family=xunit1, which writes file and line) must point at the
// test's real line once read, in annotations, and in cubicle's own report, read back by xmllint
// and fast-xml-parser, without being moved a second time when cubicle's report is read again.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedTestAnnotations } from '../../src/action/annotations.js';
import { buildJunit } from '../../src/report/junit.js';
import { readJunitFile } from '../../src/junit/index.js';
import { REPO } from '../helpers/paths.js';
import { jobResult, removeTempDirs, tempDir, validate } from './helpers.js';

afterAll(removeTempDirs);

const SAMPLE = path.join(REPO, 'test', 'fixtures', 'pytest-project', 'test_sample.py');
/** The real line of `def test_fails_on_purpose():`, 1-based, as an editor and GitHub count. */
const DEF_LINE = fs.readFileSync(SAMPLE, 'utf8').split('\n').indexOf('def test_fails_on_purpose():') + 1;

const pytest = spawnSync('python3', ['-m', 'pytest', '--version'], { encoding: 'utf8' });
const why = (pytest.stderr || pytest.error?.message || '').trim();
const noPytest = pytest.status !== 0 ? `skipped: no pytest for python3 (${why}); install it: apt-get install python3-pytest` : '';
if (noPytest) console.warn(noPytest);

describe.skipIf(noPytest)('a real pytest report', () => {
  let project: string;
  let report: string;
  beforeAll(() => {
    project = tempDir();
    fs.mkdirSync(path.join(project, 'tests'));
    fs.copyFileSync(SAMPLE, path.join(project, 'tests', 'test_sample.py'));
    report = path.join(project, 'reports', 'junit.xml');
    const run = spawnSync('python3', ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-o', 'junit_family=xunit1', `--junitxml=${report}`, 'tests'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(1); // one test fails on purpose
  });

  it("is read with the test's real line: pytest wrote one less", () => {
    expect(DEF_LINE).toBe(14);
    const written = /<testcase [^>]*name="test_fails_on_purpose"[^>]*>/.exec(fs.readFileSync(report, 'utf8'))![0];
    expect(written).toContain(`line="${DEF_LINE - 1}"`);
    const testCase = readJunitFile(report)
      .flatMap((suite) => suite.cases)
      .find((candidate) => candidate.name === 'test_fails_on_purpose')!;
    expect(testCase).toMatchObject({ classname: 'tests.test_sample', file: 'tests/test_sample.py', line: DEF_LINE });
  });

  it('annotates the failed test on its real line', () => {
    const annotations = failedTestAnnotations(report, { workspace: project, projectDir: project });
    const failed = annotations.find((annotation) => annotation.title.endsWith('test_fails_on_purpose'));
    expect(failed).toMatchObject({ file: 'tests/test_sample.py', startLine: DEF_LINE });
  });

  it('a renamed suite (junit_suite_name) is still told by the root pytest 8 and later write', () => {
    const renamed = path.join(project, 'renamed.xml');
    const text = fs.readFileSync(report, 'utf8').replace('<testsuite name="pytest"', '<testsuite name="api"');
    // pytest 7 (Debian 12's) writes a bare <testsuites>; pytest 8 and later name it.
    fs.writeFileSync(renamed, text.replace(/<testsuites( name="pytest tests")?>/, '<testsuites name="pytest tests">'));
    const testCase = readJunitFile(renamed)
      .flatMap((suite) => suite.cases)
      .find((candidate) => candidate.name === 'test_fails_on_purpose')!;
    expect(testCase.line).toBe(DEF_LINE);
  });

  it("cubicle's report has the real line, for xmllint and fast-xml-parser, and reading it again does not move it", () => {
    const artifactsDir = tempDir();
    fs.mkdirSync(path.join(artifactsDir, 'pytest', 'reports'), { recursive: true });
    fs.copyFileSync(report, path.join(artifactsDir, 'pytest', 'reports', 'junit.xml'));
    // A job named "pytest" makes a suite named "pytest" in cubicle's report: still read as written.
    const result = jobResult({ name: 'pytest', status: 'failed', exitCode: 1, message: 'exited with 1', junitFiles: ['reports/junit.xml'] });
    const summary = { results: [result], startedAt: '2025-01-02T03:04:05.000Z', wallMs: 1000, limitsEnforced: true, artifactsDir };
    const xml = buildJunit(summary, { junitGlobs: new Map([['pytest', ['reports/*.xml']]]) });
    const file = validate(xml);
    const xpath = spawnSync('xmllint', ['--xpath', 'string(//testcase[@name="test_fails_on_purpose"]/@line)', file], { encoding: 'utf8' });
    expect(xpath.stdout.trim()).toBe(String(DEF_LINE));
    type Parsed = { testsuites: { testsuite: { testcase: { name: string; line?: string }[] } } };
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as Parsed;
    expect(parsed.testsuites.testsuite.testcase.find((testCase) => testCase.name === 'test_fails_on_purpose')!.line).toBe(String(DEF_LINE));
    const again = readJunitFile(file)
      .flatMap((suite) => suite.cases)
      .find((candidate) => candidate.name === 'test_fails_on_purpose')!;
    expect(again.line).toBe(DEF_LINE);
    const annotations = failedTestAnnotations(file, { workspace: project, projectDir: project });
    const failed = annotations.find((annotation) => annotation.title.endsWith('test_fails_on_purpose'));
    expect(failed).toMatchObject({ file: 'tests/test_sample.py', startLine: DEF_LINE });
  });
});

describe('line attributes of other writers', () => {
  it("are kept as written: 1-based already, unittest-xml-reporting's pytest-like classnames included", () => {
    const dir = tempDir();
    const reports = {
      'vitest.xml':
        '<testsuites name="vitest tests"><testsuite name="src/a.test.ts">' +
        '<testcase classname="src/a.test.ts" name="adds" file="src/a.test.ts" line="7"/></testsuite></testsuites>',
      'xmlrunner.xml':
        '<testsuites><testsuite name="tests.test_a.TestA" file="tests/test_a.py">' +
        '<testcase classname="tests.test_a.TestA" name="test_x" file="tests/test_a.py" line="7"/></testsuite></testsuites>',
    };
    for (const [name, xml] of Object.entries(reports)) {
      fs.writeFileSync(path.join(dir, name), xml);
      expect(readJunitFile(path.join(dir, name))[0]!.cases[0]!.line).toBe(7);
    }
  });
});
