// The JUnit report: one <testsuite> per job with one <testcase> for it (merging the job's own
// reports comes with the reports work). Sandbox outcomes are <error type=...>, a failing exit
// code a <failure>. Written to a temp file and renamed, so a report is never half-written.
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../config/units.js';
import type { JobResult } from '../run/result.js';
import { loadJunitBuilder, type JunitBuilder } from '../vendor.js';
import type { Reporter, RunSummary } from './reporter.js';

/** How much of a job's output goes in <system-out> and in a failure's body. */
const SYSTEM_OUT_BYTES = 64 * 1024;
const FAILURE_TAIL_LINES = 50;

const ERROR_TYPES: Partial<Record<JobResult['status'], string>> = { oom: 'oom', timeout: 'timeout', signaled: 'signal', error: 'sandbox-error', cancelled: 'cancelled' };

export class JunitReporter implements Reporter {
  /** Loading starts with the run, so it overlaps the jobs instead of adding to the end. */
  private readonly builder = loadJunitBuilder();

  constructor(private readonly file: string) {
    this.builder.catch(() => {}); // surfaced in onRunEnd
  }

  async onRunEnd(summary: RunSummary): Promise<void> {
    writeAtomically(this.file, buildJunit(summary, await this.builder));
  }
}

export function buildJunit(summary: RunSummary, junitBuilder: JunitBuilder): string {
  const builder = junitBuilder.newBuilder();
  builder.name('cubicle');
  for (const result of summary.results) {
    const suite = builder.testSuite().name(result.name).timestamp(new Date(result.startedAt)).time(result.wallMs / 1000);
    for (const [name, value] of Object.entries(properties(result))) suite.property(name, value);
    const testCase = suite.testCase().className(`cubicle.${result.name}`).name(result.name).time(result.wallMs / 1000);
    const tail = xmlSafe(lastLines(result.outputTail, FAILURE_TAIL_LINES));
    const message = xmlSafe(result.message ?? result.status);
    const errorType = ERROR_TYPES[result.status];
    if (result.status === 'failed') testCase.failure(message, 'failure').stacktrace(tail);
    else if (errorType) testCase.error(message, errorType, tail);
    else if (result.status === 'skipped') testCase.skipped();
    if (result.outputTail) testCase.standardOutput(xmlSafe(result.outputTail.slice(-SYSTEM_OUT_BYTES)));
  }
  return builder.build();
}

function properties(result: JobResult): Record<string, string> {
  const props: Record<string, string> = {
    'cubicle.status': result.status,
    'cubicle.exitCode': result.exitCode === null ? '' : String(result.exitCode),
    'cubicle.signal': result.signal ?? '',
    'cubicle.attempts': String(result.attempts),
    'cubicle.wallMs': String(Math.round(result.wallMs)),
    'cubicle.cpuUserMs': String(Math.round(result.cpuUserMs)),
    'cubicle.cpuSystemMs': String(Math.round(result.cpuSystemMs)),
    'cubicle.peakMemoryBytes': String(result.peakMemoryBytes),
    'cubicle.peakMemory': formatBytes(result.peakMemoryBytes),
    'cubicle.cpuThrottledMs': result.cpuThrottledMs === null ? '' : String(Math.round(result.cpuThrottledMs)),
    'cubicle.pidsLimitHits': result.pidsLimitHits === null ? '' : String(result.pidsLimitHits),
    'cubicle.image': result.image.ref,
    'cubicle.cacheHits': String(result.cacheHits),
    'cubicle.limits.enforced': String(result.limitsEnforced),
  };
  if (result.limits.memoryBytes !== undefined) props['cubicle.limits.memoryBytes'] = String(result.limits.memoryBytes);
  if (result.limits.cpus !== undefined) props['cubicle.limits.cpus'] = String(result.limits.cpus);
  if (result.limits.pids !== undefined) props['cubicle.limits.pids'] = String(result.limits.pids);
  if (result.limits.timeoutMs !== undefined) props['cubicle.limits.timeoutMs'] = String(result.limits.timeoutMs);
  return props;
}

function lastLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.slice(-count).join('\n');
}

/** XML 1.0 forbids most control characters; terminal colors are noise in a report. */
export function xmlSafe(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

export function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}
