// `go test -json` output (test2json events, one JSON object a line) as JUnit suites: one suite
// per package, one test case per test, subtests (`TestA/sub`) included, named as go names them.
// A package that did not build, or failed outside any test (a panic in init or after TestMain),
// gets one <error> test case; so does a test that started and never ended (the test binary
// crashed or timed out under it). Go's plain-text lines that `go test -json` still prints
// (`FAIL pkg [build failed]` before Go 1.24, compiler errors with 2>&1) are understood too.
import type { JunitCase, JunitOutcome, JunitSuite } from './model.js';

/** The text is not a `go test -json` stream. */
export class GoTestJsonError extends Error {}

interface TestEvent {
  readonly Time?: string;
  readonly Action: string;
  readonly Package?: string;
  readonly Test?: string;
  readonly Elapsed?: number;
  readonly Output?: string;
  /** Go 1.24+: build-output and build-fail events name the package built, like "p [p.test]". */
  readonly ImportPath?: string;
  /** Go 1.24+: set on a package's fail event when it did not build. */
  readonly FailedBuild?: string;
}

type Result = 'pass' | 'fail' | 'skip';

interface TestState {
  readonly name: string;
  result?: Result;
  elapsed?: number;
  readonly output: string[];
}

interface PackageState {
  readonly name: string;
  firstTime?: string | undefined;
  readonly tests: Map<string, TestState>;
  result?: Result;
  elapsed?: number;
  readonly output: string[];
  /** "build failed" or "setup failed", as go says it. */
  buildFailure?: string;
  readonly buildOutput: string[];
}

const FRAMING_LINE = /^\s*=== (RUN|PAUSE|CONT|NAME)\s/;
const RESULT_LINE = /^\s*--- (PASS|FAIL|SKIP): /;
const PANIC_LINE = /^\s*panic: /;
/** A t.Log/t.Error line: `x_test.go:12: text`. */
const LOCATED_LINE = /^\S+\.go:\d+: \S/;
/** `FAIL	pkg [build failed]`: a package that did not build or set up. */
const PACKAGE_NOT_BUILT = /^FAIL\s+(\S+)\s+\[(build failed|setup failed)\]/;
/** The header go prints over a package's compiler errors: `# pkg [pkg.test]`. */
const BUILD_HEADER = /^# (\S+( \[\S+\])?)\s*$/;
/** The summary lines go ends a package with; the counts are in the test cases already. */
const SUMMARY_LINE = /^(PASS|FAIL|(ok|FAIL|\?)\s+\S+\s.*)$/;

/** The suites of one `go test -json` stream; an empty stream has none. */
export function parseGoTestJson(text: string): JunitSuite[] {
  const packages = new Map<string, PackageState>();
  const packageNamed = (name: string, time?: string) => {
    let state = packages.get(name);
    if (!state) packages.set(name, (state = { name, firstTime: time, tests: new Map(), output: [], buildOutput: [] }));
    return state;
  };
  const stray: string[] = [];
  let events = 0;
  let building: PackageState | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const event = eventOf(line);
    if (!event) {
      const notBuilt = PACKAGE_NOT_BUILT.exec(line);
      const header = BUILD_HEADER.exec(line);
      if (notBuilt) {
        packageNamed(notBuilt[1]!).buildFailure = notBuilt[2]!;
        building = undefined;
      } else if (header) {
        building = packageNamed(packageOfImportPath(header[1]!));
        building.buildOutput.push(`${line}\n`);
      } else if (building) {
        building.buildOutput.push(`${line}\n`);
      } else if (line.trim()) {
        stray.push(`${line}\n`);
      }
      continue;
    }
    events += 1;
    building = undefined;
    if (event.ImportPath !== undefined && (event.Action === 'build-output' || event.Action === 'build-fail')) {
      const state = packageNamed(packageOfImportPath(event.ImportPath), event.Time);
      if (event.Action === 'build-fail') state.buildFailure ??= 'build failed';
      else if (event.Output !== undefined) state.buildOutput.push(event.Output);
      continue;
    }
    if (event.Package === undefined) continue;
    const state = packageNamed(event.Package, event.Time);
    if (event.Test !== undefined) {
      let test = state.tests.get(event.Test);
      if (!test) state.tests.set(event.Test, (test = { name: event.Test, output: [] }));
      if (event.Action === 'output' && event.Output !== undefined) test.output.push(event.Output);
      if (isResult(event.Action)) {
        test.result = event.Action;
        test.elapsed = event.Elapsed;
      }
      continue;
    }
    if (event.Action === 'output' && event.Output !== undefined) {
      state.output.push(event.Output);
      const notBuilt = PACKAGE_NOT_BUILT.exec(event.Output);
      if (notBuilt) state.buildFailure ??= notBuilt[2]!;
    }
    if (isResult(event.Action)) {
      state.result = event.Action;
      state.elapsed = event.Elapsed;
      if (event.FailedBuild !== undefined) state.buildFailure ??= 'build failed';
    }
  }
  if (events === 0 && packages.size === 0 && stray.length > 0) {
    throw new GoTestJsonError(
      `not a go test -json stream: no line is a test2json event (the first is ${JSON.stringify(stray[0]!.trim().slice(0, 80))}); was -json left out?`,
    );
  }
  const suites = [...packages.values()].map(suiteOf).filter((suite) => suite.cases.length > 0 || suite.systemOut !== undefined);
  if (stray.length > 0 && suites.length > 0) suites[0] = { ...suites[0]!, systemErr: stray.join('') };
  return suites;
}

function eventOf(line: string): TestEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && typeof (value as { Action?: unknown }).Action === 'string') return value as TestEvent;
  } catch {
    // not JSON: go's own text, handled by the caller
  }
  return undefined;
}

function isResult(action: string): action is Result {
  return action === 'pass' || action === 'fail' || action === 'skip';
}

/** "p [p.test]" and "p_test [p.test]" are both package p's test build. */
function packageOfImportPath(importPath: string): string {
  const forTest = / \[(\S+)\.test\]$/.exec(importPath);
  return forTest ? forTest[1]! : importPath.replace(/ \[.*\]$/, '');
}

function suiteOf(pkg: PackageState): JunitSuite {
  const cases = [...pkg.tests.values()].map((test) => caseOf(test, pkg));
  const packageOutput = pkg.output.join('');
  let extraOutput = pkg.output.filter((chunk) => !SUMMARY_LINE.test(chunk.replace(/\n$/, ''))).join('');
  if (pkg.buildFailure) {
    const compilerOutput = pkg.buildOutput.join('');
    const message = `${pkg.name}: ${pkg.buildFailure}${compilerOutput ? '' : "; go's messages are in the job's output"}`;
    cases.push(
      packageCase(pkg, `[${pkg.buildFailure}]`, { kind: 'error', type: pkg.buildFailure.replace(' ', '-'), message, body: compilerOutput || undefined }),
    );
  } else if (pkg.result === 'fail' && !cases.some((testCase) => testCase.outcomes.some((outcome) => outcome.kind !== 'skipped'))) {
    // Every test passed, yet the package failed: a panic in init or TestMain, os.Exit, a race report.
    const panic = packageOutput.split('\n').find((line) => PANIC_LINE.test(line));
    const message = panic ? panic.trim() : `${pkg.name}: the test binary failed outside any test`;
    cases.push(packageCase(pkg, '[package failed]', { kind: 'error', type: panic ? 'panic' : 'package-failed', message, body: packageOutput || undefined }));
    extraOutput = '';
  }
  const time = pkg.elapsed ?? cases.filter((testCase) => !testCase.name.includes('/')).reduce((sum, testCase) => sum + testCase.time, 0);
  return {
    name: pkg.name,
    timestamp: pkg.firstTime,
    time,
    properties: [],
    cases,
    systemOut: extraOutput.trim() ? extraOutput : undefined,
  };
}

function caseOf(test: TestState, pkg: PackageState): JunitCase {
  const output = test.output.filter((chunk) => !FRAMING_LINE.test(chunk)).join('');
  const logs = output
    .split('\n')
    .filter((line) => line.trim() && !RESULT_LINE.test(line))
    .map((line) => line.trim());
  const base = { name: test.name, classname: pkg.name, time: test.elapsed ?? 0, properties: [], reruns: [] };
  const panic = logs.find((line) => PANIC_LINE.test(line));
  switch (test.result) {
    case 'pass':
      return { ...base, outcomes: [], systemOut: logs.length ? output : undefined };
    case 'skip':
      return { ...base, outcomes: [{ kind: 'skipped', message: logs.join('\n') || undefined }] };
    case 'fail': {
      if (panic) return { ...base, outcomes: [{ kind: 'error', type: 'panic', message: panic, body: output }] };
      const subtestFailed = [...pkg.tests.values()].some((other) => other.name.startsWith(`${test.name}/`) && other.result === 'fail');
      // t.Error and t.Log look alike: the last line that names a place in a file is most often the failed check.
      const message = logs.findLast((line) => LOCATED_LINE.test(line)) ?? logs[0] ?? (subtestFailed ? 'a subtest failed' : 'failed');
      return { ...base, outcomes: [{ kind: 'failure', type: 'failure', message, body: output }] };
    }
    default: {
      const why =
        panic ??
        pkg.output
          .join('')
          .split('\n')
          .find((line) => PANIC_LINE.test(line))
          ?.trim();
      const message = `did not finish: the test binary stopped while it ran${why ? ` (${why})` : ''}`;
      return { ...base, outcomes: [{ kind: 'error', type: 'unfinished', message, body: output || undefined }] };
    }
  }
}

function packageCase(pkg: PackageState, name: string, outcome: JunitOutcome): JunitCase {
  return { name, classname: pkg.name, time: 0, properties: [], outcomes: [outcome], reruns: [] };
}
