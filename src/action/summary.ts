// The step summary (GITHUB_STEP_SUMMARY): the test cases' counts from the JUnit report, one row
// per job (status, duration, peak memory against its limit, CPU), the failed tests, and a
// mermaid gantt chart of when each job ran. What the checkout
// controls (job names, failure messages) is quoted as inert text (markdown.ts), and the summary is
// bounded: GitHub refuses a step summary over 1 MiB.
import { formatBytes, formatDuration } from '../core/units.js';
import { safeMessage } from '../core/message.js';
import { markdownCode, markdownText } from './markdown.js';
import { countJobs, isPassing, type JobRecord, type RunResults } from './results.js';
import type { TestTally } from './tests.js';

/** Rows in the table and the chart; a run of more jobs says how many were left out (they are in the JUnit report). */
export const MAX_SUMMARY_JOBS = 500;
/** Failed tests listed; more are counted ("and N more") and are in the JUnit report. */
export const MAX_SUMMARY_FAILED_TESTS = 50;

const STATUS_ICONS: Record<string, string> = {
  passed: '✅',
  flaky: '⚠️',
  skipped: '⏭️',
  cancelled: '⏹️',
};

/** `tests`: the JUnit report's test cases (tests.ts); without it (no report, unreadable), jobs only. */
export function renderSummary(results: RunResults, options: { junit: string; tests?: TestTally | undefined }): string {
  const counts = countJobs(results);
  const skipped = results.jobs.length - counts.passed - counts.failed;
  const parts = [`${counts.passed} passed`, counts.failed ? `${counts.failed} failed` : '', skipped ? `${skipped} skipped` : ''].filter(Boolean);
  const tests = options.tests;
  return [
    `## cubicle: ${results.jobs.length} ${results.jobs.length === 1 ? 'job' : 'jobs'}, ${parts.join(', ')} in ${formatDuration(results.wallMs)}`,
    '',
    ...(tests ? [testCounts(tests), ''] : []),
    jobTable(results.jobs),
    '',
    ...(tests?.failed ? [failedTests(tests), ''] : []),
    gantt(results),
    '',
    `JUnit report: ${markdownCode(options.junit)}`,
    '',
  ].join('\n');
}

/** Every job's test cases together; passed, flaky, failed and skipped add up to the total. */
function testCounts(tests: TestTally): string {
  const total = tests.passed + tests.flaky + tests.failed + tests.skipped;
  const parts = [
    `✅ ${tests.passed} passed`,
    tests.flaky ? `⚠️ ${tests.flaky} flaky` : '',
    tests.failed ? `❌ ${tests.failed} failed` : '',
    tests.skipped ? `⏭️ ${tests.skipped} skipped` : '',
  ];
  return `**${total} ${total === 1 ? 'test' : 'tests'}:** ${parts.filter(Boolean).join(', ')}`;
}

function failedTests(tests: TestTally): string {
  const listed = tests.failedTests.slice(0, MAX_SUMMARY_FAILED_TESTS);
  const rows = listed.map((test) => {
    const cells = [markdownText(test.job), markdownText(test.classname), markdownText(test.name), markdownText(test.message, 200)];
    return cells.map(cell).join(' | ');
  });
  const more = tests.failed > listed.length ? [`| and ${tests.failed - listed.length} more (in the JUnit report) | | | |`] : [];
  return ['### Failed tests', '', '| job | class | test | message |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${row} |`), ...more].join('\n');
}

function jobTable(jobs: readonly JobRecord[]): string {
  const rows = jobs
    .slice(0, MAX_SUMMARY_JOBS)
    .map((job) =>
      [
        markdownText(job.name),
        statusCell(job),
        job.status === 'skipped' ? '' : formatDuration(job.wallMs),
        memoryCell(job),
        cpuCell(job),
        String(job.cacheHits),
      ]
        .map(cell)
        .join(' | '),
    );
  const more = jobs.length > MAX_SUMMARY_JOBS ? [`| ${jobs.length - MAX_SUMMARY_JOBS} more jobs (in the JUnit report) | | | | | |`] : [];
  return [
    '| job | status | duration | peak memory / limit | CPU | cached layers |',
    '| --- | --- | ---: | --- | --- | ---: |',
    ...rows.map((row) => `| ${row} |`),
    ...more,
  ].join('\n');
}

function statusCell(job: JobRecord): string {
  const icon = STATUS_ICONS[job.status] ?? (isPassing(job.status) ? '✅' : '❌');
  const retried = job.attempts > 1 ? ` after ${job.attempts} attempts` : '';
  // The CLI's own messages may start with the status ("skipped: needs ..."): said once.
  const message = job.message?.startsWith(`${job.status}: `) ? job.message.slice(job.status.length + 2) : job.message;
  const why = !isPassing(job.status) && message ? `: ${markdownText(message)}` : '';
  return `${icon} ${markdownText(job.status)}${retried}${why}`;
}

function memoryCell(job: JobRecord): string {
  if (job.status === 'skipped') return '';
  const peak = formatBytes(job.peakMemoryBytes);
  const limit = job.limits.memoryBytes;
  if (!limit) return `${peak} (no limit)`;
  return `${peak} / ${formatBytes(limit)} (${Math.round((job.peakMemoryBytes / limit) * 100)}%)`;
}

function cpuCell(job: JobRecord): string {
  if (job.status === 'skipped') return '';
  const cpuMs = job.cpuUserMs + job.cpuSystemMs;
  const cores = job.wallMs > 0 ? ` (${(cpuMs / job.wallMs).toFixed(1)} ${job.limits.cpus ? `of ${job.limits.cpus} cpus` : 'cores'})` : '';
  return `${formatDuration(cpuMs)}${cores}`;
}

/** A table cell: no pipes or line breaks of its own (quoted text was escaped where it was put in). */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

/** When each job ran; a job's start is its own (startedAt) or, from an older CLI, the run's. */
export function gantt(results: RunResults): string {
  const runStart = Date.parse(results.startedAt);
  const lines = ['```mermaid', 'gantt', '  title When each job ran', '  dateFormat x', '  axisFormat %M:%S', '  section jobs'];
  for (const job of results.jobs.slice(0, MAX_SUMMARY_JOBS)) {
    if (job.status === 'skipped') continue;
    const start = job.startedAt ? Date.parse(job.startedAt) : runStart;
    if (!Number.isFinite(start)) continue;
    const end = start + Math.max(1, Math.round(job.wallMs));
    const tag = isPassing(job.status) ? 'done' : 'crit';
    lines.push(`  ${taskName(job.name)} ${formatDuration(job.wallMs)} :${tag}, ${start}, ${end}`);
  }
  lines.push('```');
  return lines.join('\n');
}

/** Mermaid ends a task name at ':' and a comment at '%%'; '#' and ';' start entities and statements. */
function taskName(name: string): string {
  return safeMessage(name)
    .replace(/[^\w .-]/g, '_')
    .slice(0, 100);
}
