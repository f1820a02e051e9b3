// `cubicle merge`: the reports of several shards or machines as one. Every suite is kept as it
// was, same-named ones included (EnricoMi/publish-unit-test-result-action and Jenkins key test
// results on classname and name, not on suites); totals are recomputed from the test cases.
import { CubicleError } from '../core/errors.js';
import type { JunitReport, JunitSuite } from './model.js';
import { JunitReadError, readJunitFile } from './read.js';

/** Some of the reports to merge are missing, unreadable or not JUnit; all of them are named. */
export class JunitMergeError extends CubicleError<'JUNIT_MERGE_FAILED'> {
  readonly code = 'JUNIT_MERGE_FAILED';

  constructor(
    readonly problems: readonly JunitReadError[],
    total: number,
  ) {
    const count = problems.length === 1 ? `1 of ${total} reports` : `${problems.length} of ${total} reports`;
    super(`cannot merge: ${count} unusable; nothing was written:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`, {
      hint: 'Pass JUnit XML files (a <testsuites> or <testsuite> root element), such as the cubicle-junit.xml of each shard.',
    });
  }
}

/** Reads every file first, so that a bad one is found before anything is written. */
export function mergeJunitFiles(files: readonly string[]): JunitReport {
  const suites: JunitSuite[] = [];
  const problems: JunitReadError[] = [];
  for (const file of files) {
    try {
      suites.push(...readJunitFile(file));
    } catch (error) {
      if (!(error instanceof JunitReadError)) throw error;
      problems.push(error);
    }
  }
  if (problems.length) throw new JunitMergeError(problems, files.length);
  return { name: 'cubicle', suites };
}
