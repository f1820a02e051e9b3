// The table a run ends with: one row per job (status, duration, exit, peak memory against its
// limit, CPU time, setup steps served from the store), then the totals. Plain text; `paint`
// colours a cell where the view has colours.
import { formatBytes, formatDuration } from '../core/units.js';
import type { RunSummary } from '../run/events.js';
import type { JobStatus } from '../run/result.js';

export const STATUS_COLORS: Record<JobStatus, number> = {
  passed: 32,
  flaky: 33,
  failed: 31,
  oom: 31,
  timeout: 31,
  signaled: 31,
  error: 31,
  skipped: 90,
  cancelled: 90,
};

/** `paint(code, text)`: SGR `code` around `text`, or `text` alone without colours. */
export function summaryTable(summary: RunSummary, setupSteps: (job: string) => number, paint: (code: number, text: string) => string): string {
  const rows = summary.results.map((result) => {
    const steps = setupSteps(result.name);
    return [
      result.name,
      result.status,
      formatDuration(result.wallMs),
      result.exitCode === null ? (result.signal ?? '-') : String(result.exitCode),
      result.peakMemoryBytes
        ? memoryAgainstLimit(result.peakMemoryBytes, result.limits.memoryBytes)
        : result.limits.memoryBytes
          ? `- / ${formatBytes(result.limits.memoryBytes)}`
          : '-',
      formatDuration(result.cpuUserMs + result.cpuSystemMs),
      steps > 0 ? `${result.cacheHits}/${steps}` : '-',
    ];
  });
  const header = ['JOB', 'STATUS', 'DURATION', 'EXIT', 'PEAK MEM / LIMIT', 'CPU', 'CACHE HITS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[], status?: JobStatus) =>
    cells
      .map((cell, column) => (column === 1 && status ? paint(STATUS_COLORS[status], cell.padEnd(widths[column]!)) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const counts = new Map<string, number>();
  for (const result of summary.results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
  let text = `\n${paint(1, line(header))}\n`;
  rows.forEach((row, index) => (text += `${line(row, summary.results[index]!.status)}\n`));
  const total = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
  const limits = summary.limitsEnforced ? '' : ' (memory, cpus and pids limits off: --no-limits)';
  const jobs = summary.results.length === 1 ? '1 job' : `${summary.results.length} jobs`;
  return `${text}\n${jobs} in ${formatDuration(summary.wallMs)}: ${total}${limits}\n`;
}

export function memoryAgainstLimit(bytes: number, limit: number | undefined): string {
  return limit ? `${formatBytes(bytes)} / ${formatBytes(limit)}` : formatBytes(bytes);
}
