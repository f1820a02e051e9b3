// The test cases of the run's JUnit report, counted for the step summary: passed, flaky (passed
// after failed runs, Surefire's <flakyFailure>/<flakyError>), failed (a failure or an error) and
// skipped, across every job; and the failed ones, each with its job and the first line of why.
import { type JunitCase, readJunitFile, verdictOf } from '../junit/index.js';

export interface FailedTest {
  /** The job: its suite in cubicle's report. */
  readonly job: string;
  readonly classname: string;
  readonly name: string;
  /** The first line of the failure's message (or of its text when it has no message). */
  readonly message: string;
}

export interface TestTally {
  readonly passed: number;
  readonly flaky: number;
  readonly failed: number;
  readonly skipped: number;
  /** In report order, at most MAX_FAILED_KEPT of them; `failed` counts them all. */
  readonly failedTests: readonly FailedTest[];
}

/** More than the summary lists; enough that the list's cap is its own choice. */
const MAX_FAILED_KEPT = 1000;

export function tallyTests(junitFile: string): TestTally {
  const tally = { passed: 0, flaky: 0, failed: 0, skipped: 0 };
  const failedTests: FailedTest[] = [];
  for (const suite of readJunitFile(junitFile)) {
    for (const testCase of suite.cases) {
      const verdict = verdictOf(testCase);
      if (verdict === 'skipped') tally.skipped++;
      else if (verdict === 'passed' && isFlaky(testCase)) tally.flaky++;
      else if (verdict === 'passed') tally.passed++;
      else {
        tally.failed++;
        if (failedTests.length >= MAX_FAILED_KEPT) continue;
        failedTests.push({ job: suite.name, classname: testCase.classname, name: testCase.name, message: firstLine(testCase, verdict) });
      }
    }
  }
  return { ...tally, failedTests };
}

/** A passing test case with failed runs before it. */
export function isFlaky(testCase: JunitCase): boolean {
  return testCase.reruns.some((rerun) => rerun.kind === 'flakyFailure' || rerun.kind === 'flakyError');
}

function firstLine(testCase: JunitCase, verdict: 'failure' | 'error'): string {
  const outcome = testCase.outcomes.find((candidate) => candidate.kind === verdict);
  const text = outcome?.message?.trim() || outcome?.body?.trim() || '';
  return text.split(/\r?\n/)[0]!.trim();
}
