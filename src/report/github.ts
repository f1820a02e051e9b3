// GitHub Actions log groups (`::group::NAME` ... `::endgroup::`): one per job, collapsed in the
// log. Groups cannot interleave, so one job's group is open at a time and streams live; the
// other jobs' lines wait, and each waiting job gets its own group, whole, once the open one closes.

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

  constructor(
    private readonly write: (text: string) => void,
    private readonly heldBytes = DEFAULT_HELD_BYTES,
  ) {}

  /** One line of `job`'s group (without its newline). */
  line(job: string, text: string): void {
    if (this.open === job) return this.write(`${text}\n`);
    if (this.open === undefined && !this.waiting.has(job)) {
      this.open = job;
      return this.write(`::group::${job}\n${text}\n`);
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
      this.write(`::endgroup::\n${trailer}\n`);
    } else {
      this.waitingOf(job).trailer = trailer;
    }
    this.drain();
  }

  /** The run is over: whatever is still open or waiting is written. */
  finish(): void {
    if (this.open !== undefined) this.write('::endgroup::\n');
    this.open = undefined;
    for (const [job, waiting] of this.waiting) this.writeGroup(job, waiting, true);
    this.waiting.clear();
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
    const dropped = waiting.dropped > 0 ? [`(${waiting.dropped} earlier lines left out of this log: over ${Math.round(this.heldBytes / 1024 / 1024)} MiB while another job's group was open)`] : [];
    const lines = [...dropped, ...waiting.lines];
    let text = lines.length > 0 ? `::group::${job}\n${lines.map((line) => `${line}\n`).join('')}` : '';
    if (close && lines.length > 0) text += '::endgroup::\n';
    if (close && waiting.trailer !== undefined) text += `${waiting.trailer}\n`;
    if (!close && lines.length === 0) text = `::group::${job}\n`;
    this.write(text);
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
