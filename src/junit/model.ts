// JUnit as plain data, between the reader (a framework's report), the job suites cubicle
// builds, and the writer. Counts are never stored: they are computed from the test cases,
// so a suite's totals always add up.

export interface JunitProperty {
  readonly name: string;
  readonly value: string;
}

/** `<failure>`, `<error>` or `<skipped>`: how a test case did not pass. */
export interface JunitOutcome {
  readonly kind: 'failure' | 'error' | 'skipped';
  readonly message?: string | undefined;
  readonly type?: string | undefined;
  /** The element's text: a stack trace, the output tail. */
  readonly body?: string | undefined;
}

/** Maven Surefire's record of another run of the same test: failed, then passed (flaky) or failed again (rerun). */
export interface JunitRerun {
  readonly kind: 'flakyFailure' | 'flakyError' | 'rerunFailure' | 'rerunError';
  readonly message?: string | undefined;
  readonly type: string;
  readonly stackTrace?: string | undefined;
  readonly systemOut?: string | undefined;
  readonly systemErr?: string | undefined;
}

export interface JunitCase {
  readonly name: string;
  readonly classname: string;
  /** Seconds. */
  readonly time: number;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly properties: readonly JunitProperty[];
  readonly outcomes: readonly JunitOutcome[];
  readonly reruns: readonly JunitRerun[];
  readonly systemOut?: string | undefined;
  readonly systemErr?: string | undefined;
}

export interface JunitSuite {
  readonly name: string;
  /** ISO 8601, as the suite's writer gave it. */
  readonly timestamp?: string | undefined;
  readonly hostname?: string | undefined;
  /** Seconds. */
  readonly time: number;
  readonly properties: readonly JunitProperty[];
  readonly cases: readonly JunitCase[];
  readonly systemOut?: string | undefined;
  readonly systemErr?: string | undefined;
}

export interface JunitReport {
  readonly name: string;
  readonly suites: readonly JunitSuite[];
}

export type Verdict = 'passed' | 'failure' | 'error' | 'skipped';

/** One verdict per case, so that tests = passed + failures + errors + skipped: error over failure over skipped. */
export function verdictOf(testCase: JunitCase): Verdict {
  let verdict: Verdict = 'passed';
  for (const outcome of testCase.outcomes) {
    if (outcome.kind === 'error') return 'error';
    if (outcome.kind === 'failure') verdict = 'failure';
    else if (verdict === 'passed') verdict = 'skipped';
  }
  return verdict;
}

export interface JunitCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Seconds. */
  time: number;
}

export function suiteCounts(suite: JunitSuite): JunitCounts {
  const counts: JunitCounts = { tests: suite.cases.length, failures: 0, errors: 0, skipped: 0, time: suite.time };
  for (const testCase of suite.cases) {
    const verdict = verdictOf(testCase);
    if (verdict === 'failure') counts.failures++;
    else if (verdict === 'error') counts.errors++;
    else if (verdict === 'skipped') counts.skipped++;
  }
  return counts;
}

export function reportCounts(report: JunitReport): JunitCounts {
  const total: JunitCounts = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const suite of report.suites) {
    const counts = suiteCounts(suite);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
    total.time += counts.time;
  }
  return total;
}
