// What a person (or a CI log) sees while jobs run, then the summary table (summary-table.ts). Two views:
//  - a TTY: one live line per running job (elapsed, memory against its limit, its latest output
//    or setup/image progress), redrawn in place; a permanent line per finished job; at the end
//    the output of every job that failed, in full (its tail);
//  - anything else (a file, a pipe, a CI log): the jobs' output as `[job] line`, no control codes
//    at all, in GitHub Actions one log group per job.
// Job output keeps only its colours (sanitize.ts); in GitHub Actions it is fenced from the
// runner's command parsing (fence.ts); untrusted text in cubicle's own lines stays one inert line.
// --quiet shows only failures and the summary; --verbose adds setup/image lines and limits.
import type { ResolvedJob } from '../config/resolve.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { PASSING, type JobResult, type JobStatus } from '../run/result.js';
import { colorEnabled } from './color.js';
import { waitForDrain } from '../core/drain.js';
import { fencedWriter, type FencedWriter } from './fence.js';
import { isGithubActions, LogGroups } from './github.js';
import { LiveRegion, visibleText, type TerminalStream } from './live.js';
import { safeMessage } from '../core/message.js';
import { sanitizeOutputLine } from './sanitize.js';
import { memoryAgainstLimit, STATUS_COLORS, summaryTable } from './summary-table.js';
import { fitWidth, textWidth } from './width.js';
import type { JobSandboxInfo, Reporter, RunSummary } from '../run/events.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** Read when no verbosity is passed, like CARGO_TERM_QUIET/VERBOSE: `quiet`, `normal` or `verbose`. */
export const VERBOSITY_VARIABLE = 'CUBICLE_OUTPUT';

export interface TerminalOptions {
  /** Default: $CUBICLE_OUTPUT, else normal. */
  readonly verbosity?: Verbosity | undefined;
  /** --color/--no-color; default: FORCE_COLOR, NO_COLOR, a TTY (color.ts). */
  readonly color?: boolean | undefined;
  /** Live lines redrawn in place. Default: on a TTY whose TERM is not `dumb`. */
  readonly live?: boolean | undefined;
  /** GitHub Actions log groups. Default: when GITHUB_ACTIONS=true and the view is not live. */
  readonly githubGroups?: boolean | undefined;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly refreshMs?: number | undefined;
}

/** Marks cubicle's own lines among a job's output lines. */
export const STATUS_MARK = '::';
const COLORS = [36, 35, 33, 34, 32, 96, 95, 93, 94, 92];
const STATUS_MARKS: Record<JobStatus, string> = {
  passed: '✓',
  flaky: '✓',
  failed: '✗',
  oom: '✗',
  timeout: '✗',
  signaled: '✗',
  error: '✗',
  skipped: '-',
  cancelled: '-',
};
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MEMORY_SAMPLE_MS = 500;
const DIM = 2;

/** A job the run is waiting on (a failure, not a job that was never run). */
function isFailure(status: JobStatus): boolean {
  return !PASSING.has(status) && status !== 'skipped' && status !== 'cancelled';
}

interface RunningJob {
  readonly job: ResolvedJob;
  readonly startedAt: number;
  attempt: number;
  latest: string;
  sandbox: JobSandboxInfo | undefined;
  memoryBytes: number | undefined;
  sampledAt: number;
}

export class TerminalReporter implements Reporter {
  private readonly verbosity: Verbosity;
  private readonly color: boolean;
  private readonly region: LiveRegion | undefined;
  private readonly groups: LogGroups | undefined;
  private readonly writer: FencedWriter;
  private readonly refreshMs: number;
  private readonly jobs = new Map<string, ResolvedJob>();
  private readonly colorOf = new Map<string, number>();
  private readonly running = new Map<string, RunningJob>();
  private timer: NodeJS.Timeout | undefined;
  private width = 0;
  private finished = 0;
  private failed = 0;
  private runStartedAt = performance.now();
  private frame = 0;

  constructor(
    private readonly out: TerminalStream = process.stdout,
    options: TerminalOptions = {},
  ) {
    const env = options.env ?? process.env;
    const tty = Boolean(out.isTTY);
    this.verbosity = options.verbosity ?? verbosityFrom(env[VERBOSITY_VARIABLE]);
    this.color = colorEnabled({ flag: options.color, env, tty });
    const live = options.live ?? (tty && env.TERM !== 'dumb');
    this.region = live ? new LiveRegion(out) : undefined;
    this.writer = fencedWriter((text) => out.write(text), isGithubActions(env));
    this.groups = !live && (options.githubGroups ?? isGithubActions(env)) ? new LogGroups(this.writer) : undefined;
    this.refreshMs = options.refreshMs ?? 100;
  }

  /** The live lines go before the CLI's "SIGINT received" message, or that message would be drawn over. */
  private readonly clearOnSignal = () => this.region?.draw([]);

  onRunStart(jobs: readonly ResolvedJob[]): void {
    // Only where the CLI handles the signal: a listener of ours alone would keep SIGINT from ending the process.
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      if (this.region && process.listenerCount(signal) > 0) process.prependListener(signal, this.clearOnSignal);
    this.width = Math.max(...jobs.map((job) => job.name.length), 0);
    this.runStartedAt = performance.now();
    jobs.forEach((job, index) => {
      this.jobs.set(job.name, job);
      this.colorOf.set(job.name, COLORS[index % COLORS.length]!);
    });
  }

  onJobStart(job: ResolvedJob, attempt: number): void {
    if (this.region) {
      const running = this.running.get(job.name);
      if (running) running.attempt = attempt;
      else
        this.running.set(job.name, {
          job,
          attempt,
          startedAt: performance.now(),
          latest: '',
          sandbox: undefined,
          memoryBytes: undefined,
          sampledAt: Number.NEGATIVE_INFINITY,
        });
      this.timer ??= setInterval(() => this.redraw(), this.refreshMs).unref();
    }
    if (attempt === 1 && this.verbosity === 'verbose') this.jobLine(job.name, `${STATUS_MARK} ${describeJob(job)}`);
    if (attempt > 1) this.jobLine(job.name, `${STATUS_MARK} ${this.paint(33, `retrying: attempt ${attempt} of ${job.retries + 1}`)}`);
  }

  /** The attempt's sandbox: the live line samples its memory from there. */
  onJobSandbox(job: ResolvedJob, _attempt: number, sandbox: JobSandboxInfo): void {
    const running = this.running.get(job.name);
    if (running) {
      running.sandbox = sandbox;
      running.sampledAt = Number.NEGATIVE_INFINITY;
    }
  }

  backpressure(): Promise<void> | undefined {
    return waitForDrain(this.out);
  }

  onJobLine(job: ResolvedJob, _stream: string, raw: string): void {
    const line = sanitizeOutputLine(raw);
    if (this.region) {
      const running = this.running.get(job.name);
      const shown = visibleText(line).trim();
      if (running && shown) running.latest = shown;
      if (this.verbosity === 'verbose') this.jobLine(job.name, line);
    } else if (this.verbosity !== 'quiet') {
      this.jobLine(job.name, line);
    }
  }

  onJobEnd(result: JobResult): void {
    this.finished += 1;
    if (isFailure(result.status)) this.failed += 1;
    const shown = this.verbosity !== 'quiet' || isFailure(result.status);
    if (this.region) {
      this.running.delete(result.name);
      this.region.draw(this.liveLines(), shown ? `${this.finishedLine(result)}\n` : '');
      return;
    }
    if (!shown) return;
    if (this.verbosity === 'quiet') for (const line of tailLines(result.outputTail)) this.jobLine(result.name, sanitizeOutputLine(line));
    const trailer = this.statusLine(result);
    if (this.groups) this.groups.end(result.name, trailer);
    else this.writer.own(`${trailer}\n`);
  }

  onRunEnd(summary: RunSummary): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, this.clearOnSignal);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.groups?.finish();
    if (this.region) {
      this.region.close();
      for (const result of summary.results.filter((candidate) => isFailure(candidate.status))) this.writeFailureLog(result);
    }
    this.writer.own(
      summaryTable(
        summary,
        (name) => this.jobs.get(name)?.setup.length ?? 0,
        (code, text) => this.paint(code, text),
      ),
    );
    this.writer.close();
  }

  private paint(code: number, text: string): string {
    return this.color && text ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private prefix(name: string): string {
    return this.paint(this.colorOf.get(name) ?? 0, `[${name.padEnd(this.width)}]`);
  }

  /** A permanent line of one job's: above the live lines, in its log group, or plain. */
  private jobLine(name: string, text: string): void {
    const line = `${this.prefix(name)} ${text}`;
    if (this.region) this.region.draw(this.liveLines(), `${line}\n`);
    else if (this.groups) this.groups.line(name, line);
    else this.writer.untrusted(`${line}\n`);
  }

  private statusLine(result: JobResult): string {
    const how = result.message ? `: ${safeMessage(result.message)}` : '';
    return `${this.prefix(result.name)} ${STATUS_MARK} ${this.paint(STATUS_COLORS[result.status], result.status)} in ${formatDuration(result.wallMs)}${how}`;
  }

  /** The permanent line a finished job leaves on a TTY. */
  private finishedLine(result: JobResult): string {
    const mark = this.paint(STATUS_COLORS[result.status], STATUS_MARKS[result.status]);
    const name = this.paint(this.colorOf.get(result.name) ?? 0, result.name.padEnd(this.width));
    const memory = result.peakMemoryBytes ? `, peak ${memoryAgainstLimit(result.peakMemoryBytes, result.limits.memoryBytes)}` : '';
    const how = result.message ? `: ${safeMessage(result.message)}` : '';
    return `${mark} ${name}  ${this.paint(STATUS_COLORS[result.status], result.status)} in ${formatDuration(result.wallMs)}${memory}${how}`;
  }

  private redraw(): void {
    this.frame += 1;
    this.region?.draw(this.liveLines());
  }

  /** One line per running job, then a line of totals; cut to the terminal's size. */
  private liveLines(): string[] {
    if (!this.region || this.running.size === 0) return [];
    const now = performance.now();
    const width = this.region.width;
    const spinner = SPINNER[this.frame % SPINNER.length]!;
    const jobs = [...this.running.values()];
    const room = this.region.maxLines - 1;
    const shown = jobs.length > room ? jobs.slice(0, room - 1) : jobs;
    const lines = shown.map((running) => this.liveLine(running, spinner, now, width));
    if (shown.length < jobs.length) lines.push(this.paint(DIM, `  … and ${jobs.length - shown.length} more running`));
    const waiting = this.jobs.size - this.finished - jobs.length;
    const totals = [
      `${jobs.length} running`,
      `${this.finished - this.failed} done`,
      ...(this.failed ? [`${this.failed} failed`] : []),
      ...(waiting > 0 ? [`${waiting} waiting`] : []),
    ];
    lines.push(this.paint(DIM, fitWidth(`  ${totals.join(', ')} · ${formatDuration(now - this.runStartedAt)}`, width)));
    return lines;
  }

  private liveLine(running: RunningJob, spinner: string, now: number, width: number): string {
    if (running.sandbox && now - running.sampledAt >= MEMORY_SAMPLE_MS) {
      running.memoryBytes = running.sandbox.memoryBytes();
      running.sampledAt = now;
    }
    const limit = running.job.limits.memoryBytes;
    const parts: { text: string; code: number }[] = [
      { text: `${spinner} `, code: 0 },
      { text: running.job.name.padEnd(this.width), code: this.colorOf.get(running.job.name) ?? 0 },
      { text: `  running ${formatDuration(now - running.startedAt).padStart(6)}`, code: 0 },
    ];
    if (running.attempt > 1) parts.push({ text: `  attempt ${running.attempt}/${running.job.retries + 1}`, code: 33 });
    if (running.memoryBytes !== undefined) {
      const share = limit ? running.memoryBytes / limit : 0;
      parts.push({ text: `  mem ${memoryAgainstLimit(running.memoryBytes, limit)}`, code: share >= 0.95 ? 31 : share >= 0.8 ? 33 : 0 });
    }
    if (running.latest) parts.push({ text: `  ${running.latest}`, code: DIM });
    let room = width;
    let line = '';
    for (const part of parts) {
      if (room <= 0) break;
      const text = fitWidth(part.text, room);
      room -= textWidth(text);
      line += part.code ? this.paint(part.code, text) : text;
    }
    return line;
  }

  /** The output of a job that failed, in full (its tail), with what happened as its header. */
  private writeFailureLog(result: JobResult): void {
    const header = this.paint(STATUS_COLORS[result.status], `── ${result.name}: ${result.status}${result.message ? `: ${safeMessage(result.message)}` : ''}`);
    const lines = tailLines(result.outputTail).map(sanitizeOutputLine);
    this.writer.own(`\n${header}\n`);
    if (lines.length > 0) this.writer.untrusted(`${lines.join('\n')}\n`);
    else this.writer.own(`${this.paint(DIM, '(no output)')}\n`);
  }
}

export function verbosityFrom(value: string | undefined): Verbosity {
  return value === 'quiet' || value === 'verbose' ? value : 'normal';
}

function tailLines(outputTail: string): string[] {
  return outputTail ? outputTail.split('\n') : [];
}

/** The job's image and limits, as --verbose prints them when it starts. */
function describeJob(job: ResolvedJob): string {
  const { memoryBytes, cpus, pids, timeoutMs } = job.limits;
  const limits = [
    memoryBytes === undefined ? undefined : `memory ${formatBytes(memoryBytes)}`,
    cpus === undefined ? undefined : `cpus ${cpus}`,
    pids === undefined ? undefined : `pids ${pids}`,
    timeoutMs === undefined ? undefined : `timeout ${formatDuration(timeoutMs)}`,
  ].filter(Boolean);
  const setup = job.setup.length > 0 ? `, ${job.setup.length} setup step${job.setup.length > 1 ? 's' : ''}` : '';
  return `image ${job.image}, network ${job.network}${setup}; limits: ${limits.length > 0 ? limits.join(', ') : 'none'}`;
}
