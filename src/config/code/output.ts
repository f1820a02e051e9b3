// What a code config's evaluation prints: anything on stdout, and once, between two random
// marker lines, the config as ASCII-only JSON in lines short enough that the sandbox's line
// reader never splits them (src/sandbox/spawn.ts cuts lines at 64 KiB). Only that block is
// kept, and only up to a cap: a config that prints gigabytes costs the runner nothing.

/** Characters of JSON per payload line, well under spawn.ts's 64 KiB line limit. */
export const PAYLOAD_LINE_CHARS = 16 * 1024;

/** A config's JSON beyond this is refused (a real one is a few KiB). */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

export interface Markers {
  readonly start: string;
  readonly end: string;
}

export type Payload =
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'too-big'; readonly limitBytes: number };

/** Collects the last complete marked block of stdout, dropping everything else as it arrives. */
export class PayloadReader {
  private open: string[] | null = null;
  private openBytes = 0;
  private overflowed = false;
  private complete: string | null = null;
  private completeOverflowed = false;

  constructor(
    private readonly markers: Markers,
    private readonly limitBytes = MAX_PAYLOAD_BYTES,
  ) {}

  push(line: string): void {
    if (line === this.markers.start) {
      this.open = [];
      this.openBytes = 0;
      this.overflowed = false;
    } else if (line === this.markers.end && this.open) {
      this.complete = this.overflowed ? null : this.open.join('');
      this.completeOverflowed = this.overflowed;
      this.open = null;
    } else if (this.open && !this.overflowed) {
      this.openBytes += line.length;
      if (this.openBytes > this.limitBytes) {
        this.overflowed = true;
        this.open = [];
      } else {
        this.open.push(line);
      }
    }
  }

  payload(): Payload {
    if (this.completeOverflowed) return { kind: 'too-big', limitBytes: this.limitBytes };
    if (this.complete === null) return { kind: 'missing' };
    return { kind: 'json', text: this.complete };
  }
}

/** Keeps the last lines of a stream, each cut short, for an error message. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly maxLines = 20,
    private readonly maxChars = 400,
  ) {}

  push(line: string): void {
    // Untrusted text quoted in a message: no control characters (escape sequences) in it.
    this.lines.push(line.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, this.maxChars));
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  text(): string {
    return this.lines.filter((line) => line.trim()).join('\n');
  }
}
