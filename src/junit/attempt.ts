// A retried job's earlier attempt, as its own JUnit told it. The next attempt clears the job's
// copied files, so the test cases that failed are read here, before that, and kept (capped): the
// final report then puts each failure on the test case it belongs to (flaky.ts), as
// Surefire's <flakyFailure>/<rerunFailure>, instead of on a test case made up for the job.
import path from 'node:path';
import { verdictOf, type JunitCase } from './model.js';
import { JunitReadError, readJunitFile } from './read.js';
import { DEFAULT_OUTPUT_CAP_BYTES, OutputBudget } from './output-cap.js';

/** What one earlier attempt's reports said; `report: 'read'` with no `failed` is an attempt whose tests all passed. */
export interface AttemptTests {
  /** none: the attempt wrote no report; unreadable: one of its reports could not be read (`problem` says why). */
  readonly report: 'read' | 'none' | 'unreadable';
  readonly problem?: string | undefined;
  /** Its failed and errored test cases, at most MAX_FAILED_KEPT, their texts capped. */
  readonly failed: readonly JunitCase[];
  /** Failed test cases past MAX_FAILED_KEPT, not kept. */
  readonly failedNotKept: number;
}

/** Failed test cases kept of one attempt: enough for any real flake, bounded for a suite that failed whole. */
export const MAX_FAILED_KEPT = 1000;
const MESSAGE_BYTES = 4096;

/** `dir`: where the attempt's files were copied (`<artifactsDir>/<job>`); `files`: its JUnit files, relative to it. */
export function readAttemptTests(dir: string, files: readonly string[]): AttemptTests {
  if (files.length === 0) return { report: 'none', failed: [], failedNotKept: 0 };
  const budget = new OutputBudget(DEFAULT_OUTPUT_CAP_BYTES * 4, DEFAULT_OUTPUT_CAP_BYTES / 4);
  const failed: JunitCase[] = [];
  let failedNotKept = 0;
  const problems: string[] = [];
  for (const file of files) {
    let suites;
    try {
      suites = readJunitFile(path.join(dir, file), file);
    } catch (error) {
      if (!(error instanceof JunitReadError)) throw error;
      problems.push(error.message);
      continue;
    }
    for (const testCase of suites.flatMap((suite) => suite.cases)) {
      const verdict = verdictOf(testCase);
      if (verdict !== 'failure' && verdict !== 'error') continue;
      if (failed.length >= MAX_FAILED_KEPT) {
        failedNotKept++;
        continue;
      }
      failed.push({
        ...testCase,
        properties: [],
        reruns: [],
        outcomes: testCase.outcomes
          .filter((outcome) => outcome.kind === verdict)
          .map((outcome) => ({ ...outcome, message: budget.head(outcome.message, MESSAGE_BYTES), body: budget.tail(outcome.body) })),
        systemOut: budget.tail(testCase.systemOut),
        systemErr: budget.tail(testCase.systemErr),
      });
    }
  }
  if (problems.length) return { report: 'unreadable', problem: problems.join('; '), failed, failedNotKept };
  return { report: 'read', failed, failedNotKept };
}
