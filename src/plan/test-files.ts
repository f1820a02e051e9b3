// The checkout's test files for `--shard-by test`: what a job's `testFiles:` globs match, read
// when the run is planned (plan/run-plan.ts), before anything runs.
import { ConfigError, PathConfinementError } from '../core/errors.js';
import { resolveBeneath } from '../confine/index.js';
import { compileTestGlob, selectTestFiles, testGlobProblems } from '../config/test-glob.js';
import { existsBeneath, lstatOrUndefined, walkInto } from './checkout-walk.js';

const NOT_TEST_DIRS = new Set(['.git', 'node_modules']);

/**
 * The checkout's files matching the `testFiles` globs (the dialect of ./test-glob.ts), sorted.
 * Like the test runners themselves, it does not look into hidden dirs (a local .venv) or
 * node_modules. A `!` pattern removes what the patterns before it matched. A pattern whose
 * dir leads out of the checkout through a symlink is a config error.
 */
export async function findTestFiles(projectDir: string, patterns: readonly string[], where = 'testFiles'): Promise<string[]> {
  const refused = testGlobProblems(patterns);
  if (refused.length > 0) throw new ConfigError(refused.map((problem) => `${where}: ${problem}`));
  const globs = patterns.map(compileTestGlob);
  const found = new Map<string, string>();
  const notDone = 'nothing was run';
  try {
    for (const glob of globs) {
      if (glob.exclude) continue;
      const clean = glob.pattern.replace(/^(\.\/)+/, '');
      if (!glob.literal) walkInto(projectDir, glob.base, (file) => glob.regex.test(file), found, NOT_TEST_DIRS, notDone);
      else if (existsBeneath(projectDir, clean) && lstatOrUndefined(resolveBeneath(projectDir, clean, { notDone }))?.isFile()) found.set(clean, clean);
    }
  } catch (error) {
    if (error instanceof PathConfinementError) throw new ConfigError([`${where}: ${error.message}`], { cause: error, hint: error.hint });
    throw error;
  }
  return [...selectTestFiles(globs, found.keys())].sort();
}
