// Job output as prefixed lines while jobs run, then a summary table. Colors only on a TTY;
// piped to a file or a CI log, the output has no control codes.
import type { Writable } from 'node:stream';
import type { ResolvedJob } from '../config/resolve.js';
import { formatBytes, formatDuration } from '../config/units.js';
import type { JobResult, JobStatus } from '../run/result.js';
import type { Reporter, RunSummary } from './reporter.js';

/** Marks cubicle's own lines among a job's output lines. */
export const STATUS_MARK = '::';
const COLORS = [36, 35, 33, 34, 32, 96, 95, 93, 94, 92];
const STATUS_COLORS: Record<JobStatus, number> = { passed: 32, flaky: 33, failed: 31, oom: 31, timeout: 31, signaled: 31, error: 31, skipped: 90, cancelled: 90 };

export class TerminalReporter implements Reporter {
  private width = 0;
  private readonly colorOf = new Map<string, number>();

  constructor(
    private readonly out: Writable & { isTTY?: boolean } = process.stdout,
    private readonly color = Boolean(out.isTTY) && !process.env.NO_COLOR,
  ) {}

  private paint(code: number, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  onRunStart(jobs: readonly ResolvedJob[]): void {
    this.width = Math.max(...jobs.map((job) => job.name.length), 0);
    jobs.forEach((job, index) => this.colorOf.set(job.name, COLORS[index % COLORS.length]!));
  }

  private prefix(name: string): string {
    return this.paint(this.colorOf.get(name) ?? 0, `[${name.padEnd(this.width)}]`);
  }

  onJobStart(job: ResolvedJob, attempt: number): void {
    if (attempt > 1) this.out.write(`${this.prefix(job.name)} ${STATUS_MARK} ${this.paint(33, `retrying: attempt ${attempt} of ${job.retries + 1}`)}\n`);
  }

  onJobLine(job: ResolvedJob, _stream: string, line: string): void {
    this.out.write(`${this.prefix(job.name)} ${line}\n`);
  }

  onJobEnd(result: JobResult): void {
    const how = result.message ? `: ${result.message}` : '';
    this.out.write(`${this.prefix(result.name)} ${STATUS_MARK} ${this.paint(STATUS_COLORS[result.status], result.status)} in ${formatDuration(result.wallMs)}${how}\n`);
  }

  onRunEnd(summary: RunSummary): void {
    const rows = summary.results.map((result) => [
      result.name,
      result.status,
      formatDuration(result.wallMs),
      result.exitCode === null ? (result.signal ?? '-') : String(result.exitCode),
      (result.peakMemoryBytes ? formatBytes(result.peakMemoryBytes) : '-') + (result.limits.memoryBytes ? ` / ${formatBytes(result.limits.memoryBytes)}` : ''),
      formatDuration(result.cpuUserMs + result.cpuSystemMs),
    ]);
    const header = ['JOB', 'STATUS', 'DURATION', 'EXIT', 'PEAK MEM / LIMIT', 'CPU'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[], status?: JobStatus) =>
      cells
        .map((cell, column) => (column === 1 && status ? this.paint(STATUS_COLORS[status], cell.padEnd(widths[column]!)) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd();
    const counts = new Map<string, number>();
    for (const result of summary.results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
    this.out.write(`\n${this.paint(1, line(header))}\n`);
    rows.forEach((row, index) => this.out.write(`${line(row, summary.results[index]!.status)}\n`));
    const total = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
    const limits = summary.limitsEnforced ? '' : ' (memory, cpus and pids limits off: --no-limits)';
    const jobs = summary.results.length === 1 ? '1 job' : `${summary.results.length} jobs`;
    this.out.write(`\n${jobs} in ${formatDuration(summary.wallMs)}: ${total}${limits}\n`);
  }
}
