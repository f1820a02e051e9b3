// GitHub Actions log groups (`::group::NAME` ... `::endgroup::`): one per job, collapsed in the
// log. Groups cannot interleave, so one job's group is open at a time and streams live; the
// other jobs' lines wait, and each waiting job gets its own group, whole, once the open one closes.
// The group commands are cubicle's own; the lines in a group go inside a fence (fence.ts).
import { fencedWriter, type FencedWriter } from './fence.js';
import { safeMessage } from '../core/message.js';

/** Lines a waiting job may hold before its oldest are dropped (the newest tell why it failed). */
const DEFAULT_HELD_BYTES = 8 * 1024 * 1024;

interface Waiting {
  lines: string[];
  bytes: number;
  dropped: number;
  /** Set once the job ended: printed after its group. */
  trailer: string | undefined;
}

export function isGithubActions(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export class LogGroups {
  private open: string | undefined;
  private readonly waiting = new Map<string, Waiting>();
  private readonly out: FencedWriter;

  /** `out`: a writer that fences the groups' lines, or a plain function that writes everything as it is. */
  constructor(
    out: FencedWriter | ((text: string) => void),
    private readonly heldBytes = DEFAULT_HELD_BYTES,
  ) {
    this.out = typeof out === 'function' ? fencedWriter(out, false) : out;
  }

  /** One line of `job`'s group (without its newline). */
  line(job: string, text: string): void {
    if (this.open === job) return this.out.untrusted(`${text}\n`);
    if (this.open === undefined && !this.waiting.has(job)) {
      this.open = job;
      this.out.own(groupCommand(job));
      return this.out.untrusted(`${text}\n`);
    }
    const waiting = this.waitingOf(job);
    waiting.lines.push(text);
    waiting.bytes += text.length + 1;
    if (waiting.bytes > this.heldBytes) this.dropOldest(waiting);
  }

  /** `job` is done: its group closes (now, or when it gets its turn) and `trailer` follows it, outside. */
  end(job: string, trailer: string): void {
    if (this.open === job) {
      this.open = undefined;
      this.out.own(`::endgroup::\n${trailer}\n`);
    } else {
      this.waitingOf(job).trailer = trailer;
    }
    this.drain();
  }

  /** The run is over: whatever is still open or waiting is written. */
  finish(): void {
    if (this.open !== undefined) this.out.own('::endgroup::\n');
    this.open = undefined;
    for (const [job, waiting] of this.waiting) this.writeGroup(job, waiting, true);
    this.waiting.clear();
    this.out.close();
  }

  private waitingOf(job: string): Waiting {
    let waiting = this.waiting.get(job);
    if (!waiting) {
      waiting = { lines: [], bytes: 0, dropped: 0, trailer: undefined };
      this.waiting.set(job, waiting);
    }
    return waiting;
  }

  /** While no group is open: ended jobs are written whole, the first still running one becomes the open group. */
  private drain(): void {
    for (const [job, waiting] of this.waiting) {
      if (this.open !== undefined) return;
      this.waiting.delete(job);
      this.writeGroup(job, waiting, waiting.trailer !== undefined);
      if (waiting.trailer === undefined) this.open = job;
    }
  }

  private writeGroup(job: string, waiting: Waiting, close: boolean): void {
    const dropped =
      waiting.dropped > 0
        ? [`(${waiting.dropped} earlier lines left out of this log: over ${Math.round(this.heldBytes / 1024 / 1024)} MiB while another job's group was open)`]
        : [];
    const lines = [...dropped, ...waiting.lines];
    if (lines.length > 0 || !close) this.out.own(groupCommand(job));
    if (lines.length > 0) this.out.untrusted(lines.map((line) => `${line}\n`).join(''));
    let text = close && lines.length > 0 ? '::endgroup::\n' : '';
    if (close && waiting.trailer !== undefined) text += `${waiting.trailer}\n`;
    if (text) this.out.own(text);
  }

  private dropOldest(waiting: Waiting): void {
    let index = 0;
    while (waiting.bytes > this.heldBytes / 2 && index < waiting.lines.length) {
      waiting.bytes -= waiting.lines[index]!.length + 1;
      index += 1;
    }
    waiting.lines.splice(0, index);
    waiting.dropped += index;
  }
}

/** A group's title is the command's data: one line, escaped as the toolkit escapes data. */
function groupCommand(job: string): string {
  return `::group::${safeMessage(job).replaceAll('%', '%25')}\n`;
}
