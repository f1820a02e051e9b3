// A retried job's earlier failures, put where Surefire (rerunFailingTestsCount) puts them: on the
// test case that failed. A test that failed in an earlier attempt and passed in the last is a
// passing <testcase> with a <flakyFailure> (<flakyError>) per failed run; one that failed in the
// last attempt too keeps its <failure> (the last run's) and gets a <rerunFailure> (<rerunError>)
// per earlier failed run. Jenkins' JUnit plugin, mikepenz/action-junit-report and
// EnricoMi/publish-unit-test-result-action read them there.
//
// cubicle retries the whole job, so a test case is matched across attempts by classname + name.
// An earlier attempt's failure that matches no test case of the last attempt stays the job's: it
// goes on the job's own test case (report/junit-job.ts), as before, saying which tests it could not place:
//  - the attempt wrote no report, or one that could not be read (the job was killed, crashed);
//  - the attempt was killed (oom, timeout, signal): that is the job's, even where tests failed too;
//  - its report had no failing test (the job failed by exit code alone);
//  - a failed test's classname + name is not in the last attempt's report (names with random or
//    time-based parts, or a test that was not run again), or the last attempt skipped it.
import { verdictOf, type JunitCase, type JunitRerun } from './model.js';
import type { AttemptTests } from './attempt.js';
import type { OutputBudget } from './output-cap.js';

export interface EarlierAttempt {
  readonly message: string;
  /** How the attempt ended (run/result.ts JobStatus); undefined from an older caller: treated as `failed`. */
  readonly status?: string | undefined;
  readonly tests?: AttemptTests | undefined;
}

/** An earlier attempt (its index) whose failure is the job's, not (only) its tests'; `note`: why. */
export interface JobAttempt {
  readonly index: number;
  readonly note?: string | undefined;
}

export interface PlacedFailures {
  /** The last attempt's test cases, with the earlier failures that are theirs. */
  readonly cases: JunitCase[];
  readonly jobAttempts: JobAttempt[];
}

const NAMES_SHOWN = 5;

export function placeEarlierFailures(cases: readonly JunitCase[], attempts: readonly EarlierAttempt[], budget: OutputBudget): PlacedFailures {
  const placed = [...cases];
  const byKey = new Map<string, number>();
  placed.forEach((testCase, index) => {
    const key = caseKey(testCase);
    if (!byKey.has(key)) byKey.set(key, index);
  });
  const jobAttempts: JobAttempt[] = [];
  for (const [index, attempt] of attempts.entries()) {
    const tests = attempt.tests;
    if (!tests || tests.report === 'none') {
      jobAttempts.push({ index, note: tests ? 'it wrote no JUnit report' : undefined });
      continue;
    }
    const unplaced: string[] = [];
    for (const failed of tests.failed) {
      const target = byKey.get(caseKey(failed));
      const finalVerdict = target === undefined ? undefined : verdictOf(placed[target]!);
      if (target === undefined || finalVerdict === 'skipped') {
        unplaced.push(`${failed.classname} › ${failed.name}`);
        continue;
      }
      const rerun = rerunOf(failed, finalVerdict === 'passed' ? 'flaky' : 'rerun', budget);
      placed[target] = { ...placed[target]!, reruns: [...placed[target]!.reruns, rerun] };
    }
    const notes: string[] = [];
    if (tests.report === 'unreadable') notes.push(`its JUnit report could not be read: ${tests.problem}`);
    if (tests.failedNotKept) notes.push(`${tests.failedNotKept} more failed tests were not kept`);
    if (unplaced.length) {
      const more = unplaced.length > NAMES_SHOWN ? ` and ${unplaced.length - NAMES_SHOWN} more` : '';
      notes.push(`failed tests not in the last attempt's report: ${unplaced.slice(0, NAMES_SHOWN).join(', ')}${more}`);
    }
    if (tests.report === 'read' && tests.failed.length === 0) notes.push('no test failed in its report');
    const killed = attempt.status !== undefined && attempt.status !== 'failed';
    if (killed || notes.length) jobAttempts.push({ index, note: notes.join('; ') || undefined });
  }
  return { cases: placed, jobAttempts };
}

function caseKey(testCase: JunitCase): string {
  return `${testCase.classname}\u0000${testCase.name}`;
}

/** A failed run of a test as Surefire writes it: the failure's message and type, its text as the stack trace, the run's output. */
function rerunOf(failed: JunitCase, how: 'flaky' | 'rerun', budget: OutputBudget): JunitRerun {
  const outcome = failed.outcomes.find((candidate) => candidate.kind === 'error') ?? failed.outcomes.find((candidate) => candidate.kind === 'failure');
  const isError = outcome?.kind === 'error';
  const kind = how === 'flaky' ? (isError ? 'flakyError' : 'flakyFailure') : isError ? 'rerunError' : 'rerunFailure';
  return {
    kind,
    message: outcome?.message,
    type: outcome?.type || (isError ? 'error' : 'failure'),
    stackTrace: budget.tail(outcome?.body),
    systemOut: budget.tail(failed.systemOut),
    systemErr: budget.tail(failed.systemErr),
  };
}
