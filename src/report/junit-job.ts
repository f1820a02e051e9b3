// One job as one <testsuite>. With `junit:` globs, the job's own reports are its test cases,
// plus a test case for the job itself where its outcome would otherwise not show: killed
// (oom, timeout, signal), not started (sandbox error), failed with no failing test, or flaky
// by an earlier attempt no test case of the last one accounts for (junit/flaky.ts). Without
// globs, the job is one test case. Usage and limits go in <properties>.
import path from 'node:path';
import { formatBytes } from '../core/units.js';
import type { JobResult } from '../run/result.js';
import {
  type JobAttempt,
  type JunitCase,
  type JunitOutcome,
  type JunitProperty,
  JunitReadError,
  type JunitRerun,
  type JunitSuite,
  lastLines,
  MAX_TEST_CASES,
  OutputBudget,
  placeEarlierFailures,
  readJunitFile,
  tailBytes,
  verdictOf,
} from '../junit/index.js';

export interface JobSuiteOptions {
  /** Where the job's `junitFiles` were copied: `<artifactsDir>/<job>/<file>`. */
  readonly artifactsDir?: string | undefined;
  /** The job's `junit:` globs; none: the job is one test case. */
  readonly junitGlobs?: readonly string[] | undefined;
  /** The job's own output kept in the suite, in bytes. */
  readonly outputCapBytes: number;
  readonly hostname?: string | undefined;
}

/** Lines of output in a failure's body: enough to see the error, short enough to read. */
const FAILURE_TAIL_LINES = 50;
/** The job's reports' own output (test cases' system-out, stack traces) may take this many caps. */
const REPORT_OUTPUT_CAPS = 16;
const MESSAGE_BYTES = 4096;

const ERROR_TYPES: Partial<Record<JobResult['status'], string>> = {
  oom: 'oom',
  timeout: 'timeout',
  signaled: 'signaled',
  error: 'error',
  cancelled: 'cancelled',
};
/** Statuses where the job ran to its end, so a missing report is the job's own doing. */
const RAN_TO_END: ReadonlySet<JobResult['status']> = new Set(['passed', 'failed', 'flaky']);
/** Statuses where the job started and was stopped, so a missing report is part of what happened. */
const KILLED: ReadonlySet<JobResult['status']> = new Set(['oom', 'timeout', 'signaled']);

export function jobSuite(result: JobResult, options: JobSuiteOptions): JunitSuite {
  const classname = `cubicle.${result.name}`;
  const globs = options.junitGlobs ?? [];
  const share = shareOutput(options.outputCapBytes, result.previousFailures.length);
  let outcome = jobOutcome(result, share.failureBody);
  const base = {
    name: result.name,
    timestamp: localTimestamp(result.startedAt),
    hostname: options.hostname,
    time: result.wallMs / 1000,
    properties: jobProperties(result),
    systemOut: result.outputTail ? tailBytes(result.outputTail, share.systemOut) : undefined,
  };
  if (globs.length === 0 && result.junitFiles.length === 0) {
    const reruns = earlierAttempts(
      result,
      result.previousFailures.map((_, index) => ({ index })),
      share,
    );
    const only: JunitCase = {
      ...emptyCase(result.name, classname),
      time: result.wallMs / 1000,
      outcomes: outcome ? [outcome] : [],
      reruns,
      systemOut: base.systemOut,
    };
    return { ...base, systemOut: undefined, cases: [only] };
  }

  const reports = readJobReports(result, options, classname);
  // Earlier attempts' failed tests go on the same test cases of the last attempt (junit/flaky.ts); the rest stay the job's.
  const attemptBudget = new OutputBudget(options.outputCapBytes * 4, Math.floor(options.outputCapBytes / 4));
  const placed = placeEarlierFailures(reports.cases, result.previousFailures, attemptBudget);
  const cases = placed.cases;
  const reruns = earlierAttempts(result, placed.jobAttempts, share);
  if (globs.length > 0 && result.junitFiles.length === 0) {
    const missing = `the job wrote no JUnit report matching ${globs.join(', ')}`;
    // The job failed for it (run/job.ts): the same failure and words as the console and --json.
    const message = result.message ?? `missing JUnit report: ${missing}`;
    const failure: JunitOutcome = { kind: 'failure', type: 'missing-report', message, body: outcome?.body };
    if (RAN_TO_END.has(result.status)) cases.push({ ...emptyCase('JUnit report', classname), outcomes: [failure] });
    else if (outcome && KILLED.has(result.status)) outcome = { ...outcome, message: `${outcome.message}; ${missing}` };
  }
  const testFailed = cases.some((testCase) => verdictOf(testCase) !== 'passed' && verdictOf(testCase) !== 'skipped');
  // The job's own test case, where its outcome would not show otherwise.
  const needsJobCase = (outcome !== undefined && (outcome.kind !== 'failure' || !testFailed)) || (result.status === 'flaky' && reruns.length > 0);
  if (needsJobCase) {
    cases.push({ ...emptyCase(result.name, classname), outcomes: outcome ? [outcome] : [], reruns });
  } else if (reruns.length) {
    // Earlier attempts are the job's, not one test's: they go where a reader of the failure looks.
    const first = cases.findIndex((testCase) => verdictOf(testCase) === 'failure' || verdictOf(testCase) === 'error');
    if (first !== -1) cases[first] = { ...cases[first]!, reruns: [...cases[first]!.reruns, ...reruns] };
  }
  return { ...base, cases, systemErr: reports.suiteOutput };
}

/** How the job itself ended, as <failure>, <error> or <skipped>; nothing when it passed. */
function jobOutcome(result: JobResult, bodyBytes: number): JunitOutcome | undefined {
  const message = result.message ?? defaultMessage(result);
  const body = result.outputTail ? lastLines(result.outputTail, FAILURE_TAIL_LINES, bodyBytes) : undefined;
  const errorType = ERROR_TYPES[result.status];
  if (result.status === 'failed') return { kind: 'failure', type: 'failure', message, body };
  if (errorType) return { kind: 'error', type: errorType, message, body };
  if (result.status === 'skipped') return { kind: 'skipped', message };
  return undefined;
}

function defaultMessage(result: JobResult): string {
  switch (result.status) {
    case 'failed':
      return result.exitCode === null ? 'failed' : `exited with ${result.exitCode}`;
    case 'signaled':
      return `killed by ${result.signal ?? 'a signal'}`;
    case 'oom':
      return 'killed: memory limit reached';
    case 'timeout':
      return 'timed out';
    case 'error':
      return 'the sandbox could not be set up';
    default:
      return result.status;
  }
}

/**
 * Surefire's form for the attempts that are the job's (junit/flaky.ts): a flaky job's passing
 * case lists them as <flakyFailure>; a failing one, as <rerunFailure>.
 */
function earlierAttempts(result: JobResult, attempts: readonly JobAttempt[], share: OutputShare): JunitRerun[] {
  const kind = result.status === 'flaky' ? 'flakyFailure' : 'rerunFailure';
  return attempts.map(({ index, note }) => {
    const failure = result.previousFailures[index]!;
    return {
      kind,
      type: 'failure',
      message: `attempt ${index + 1}: ${failure.message}${note ? ` (${note})` : ''}`,
      stackTrace: failure.outputTail ? lastLines(failure.outputTail, FAILURE_TAIL_LINES, share.attemptTrace) : undefined,
      systemOut: failure.outputTail ? tailBytes(failure.outputTail, share.attemptOut) : undefined,
    };
  });
}

interface OutputShare {
  readonly systemOut: number;
  readonly failureBody: number;
  readonly attemptTrace: number;
  readonly attemptOut: number;
}

/** The cap split between the job's system-out, its failure's body and its earlier attempts; together never more. */
function shareOutput(cap: number, earlierAttempts: number): OutputShare {
  const failureBody = Math.floor(cap / 8);
  const perAttempt = earlierAttempts ? Math.floor(cap / 4 / earlierAttempts) : 0;
  const attemptTrace = Math.floor(perAttempt / 4);
  return { failureBody, attemptTrace, attemptOut: perAttempt - attemptTrace, systemOut: cap - failureBody - perAttempt * earlierAttempts };
}

interface JobReports {
  readonly cases: readonly JunitCase[];
  /** What the reports' suites printed outside their test cases, each led by its file's name. */
  readonly suiteOutput: string | undefined;
}

function readJobReports(result: JobResult, options: JobSuiteOptions, classname: string): JobReports {
  const budget = new OutputBudget(options.outputCapBytes * REPORT_OUTPUT_CAPS, options.outputCapBytes);
  const cases: JunitCase[] = [];
  let suiteOutput = '';
  for (const file of result.junitFiles) {
    if (!options.artifactsDir) {
      cases.push(
        errorCase(`JUnit report ${file}`, classname, 'invalid-report', `${file}: not merged: cubicle was not told where the job's reports were copied`),
      );
      continue;
    }
    try {
      for (const suite of readJunitFile(path.join(options.artifactsDir, result.name, file), file, { maxCases: Math.max(0, MAX_TEST_CASES - cases.length) })) {
        for (const testCase of suite.cases) cases.push(capCase(testCase, budget));
        for (const [stream, text] of [
          ['system-out', suite.systemOut],
          ['system-err', suite.systemErr],
        ] as const) {
          const kept = budget.tail(text);
          if (kept) suiteOutput += `--- ${file}: ${suite.name} ${stream} ---\n${kept}\n`;
        }
      }
    } catch (error) {
      if (!(error instanceof JunitReadError)) throw error;
      cases.push(errorCase(`JUnit report ${file}`, classname, 'invalid-report', error.message));
    }
  }
  return { cases, suiteOutput: suiteOutput || undefined };
}

function capCase(testCase: JunitCase, budget: OutputBudget): JunitCase {
  return {
    ...testCase,
    outcomes: testCase.outcomes.map((outcome) => ({ ...outcome, message: budget.head(outcome.message, MESSAGE_BYTES), body: budget.tail(outcome.body) })),
    reruns: testCase.reruns.map((rerun) => ({
      ...rerun,
      message: budget.head(rerun.message, MESSAGE_BYTES),
      stackTrace: budget.tail(rerun.stackTrace),
      systemOut: budget.tail(rerun.systemOut),
      systemErr: budget.tail(rerun.systemErr),
    })),
    systemOut: budget.tail(testCase.systemOut),
    systemErr: budget.tail(testCase.systemErr),
  };
}

function emptyCase(name: string, classname: string): JunitCase {
  return { name, classname, time: 0, properties: [], outcomes: [], reruns: [] };
}

function errorCase(name: string, classname: string, type: string, message: string): JunitCase {
  return { ...emptyCase(name, classname), outcomes: [{ kind: 'error', type, message }] };
}

function jobProperties(result: JobResult): JunitProperty[] {
  const properties: [string, string | number | boolean | null | undefined][] = [
    ['cubicle.status', result.status],
    ['cubicle.exitCode', result.exitCode],
    ['cubicle.signal', result.signal],
    ['cubicle.attempts', result.attempts],
    ['cubicle.wallMs', Math.round(result.wallMs)],
    ['cubicle.cpuUserMs', Math.round(result.cpuUserMs)],
    ['cubicle.cpuSystemMs', Math.round(result.cpuSystemMs)],
    ['cubicle.peakMemoryBytes', result.peakMemoryBytes],
    ['cubicle.peakMemory', formatBytes(result.peakMemoryBytes)],
    ['cubicle.cpuThrottledMs', result.cpuThrottledMs === null ? null : Math.round(result.cpuThrottledMs)],
    ['cubicle.pidsLimitHits', result.pidsLimitHits],
    ['cubicle.image', result.image.ref],
    ['cubicle.image.digest', result.image.digest],
    ['cubicle.cacheHits', result.cacheHits],
    ['cubicle.limits.enforced', result.limitsEnforced],
    ['cubicle.limits.memoryBytes', result.limits.memoryBytes],
    ['cubicle.limits.memory', result.limits.memoryBytes === undefined ? undefined : formatBytes(result.limits.memoryBytes)],
    ['cubicle.limits.cpus', result.limits.cpus],
    ['cubicle.limits.pids', result.limits.pids],
    ['cubicle.limits.timeoutMs', result.limits.timeoutMs],
    ['cubicle.limits.diskBytes', result.limits.diskBytes],
    ['cubicle.seccomp', result.seccomp],
    ['cubicle.disk.usedBytes', result.disk?.usedBytes],
    ['cubicle.disk.full', result.disk?.full],
  ];
  return properties
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== null && entry[1] !== undefined)
    .map(([name, value]) => ({ name, value: String(value) }));
}

/** Local time without a zone, the form of the common JUnit schema (and of Surefire and Jenkins). */
function localTimestamp(iso: string): string | undefined {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
