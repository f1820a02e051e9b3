// Bounds on how much output a report carries, in UTF-8 bytes, so that a job printing 200 MB
// (or a test report holding it) cannot make a 100 MB report. Output keeps its tail, where the
// failure usually is; a message keeps its head, where the reason usually is.
import { formatBytes } from '../core/units.js';
import { xmlSafe } from './xml.js';

/** The default for `outputCapBytes`: the job's own output kept in its suite. */
export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;

/** The last `maxBytes` bytes of `text`, cut on a character boundary, led by a line saying what was cut. */
export function tailBytes(raw: string, maxBytes: number): string {
  // Made XML-safe first: a NUL becomes U+FFFD (3 bytes), which must count against the cap.
  const text = xmlSafe(raw);
  // Each UTF-16 unit is at least one UTF-8 byte: a longer string is over the cap without counting.
  if (text.length <= maxBytes && Buffer.byteLength(text) <= maxBytes) return text;
  const totalBytes = Buffer.byteLength(text);
  const note = `[cubicle: ${formatBytes(totalBytes)} of output; only the last ${formatBytes(maxBytes)} kept]\n`;
  const room = maxBytes - Buffer.byteLength(note);
  if (room <= 0) return note;
  const window = Buffer.from(text.slice(-room));
  let start = Math.max(0, window.length - room);
  while (start < window.length && (window[start]! & 0xc0) === 0x80) start++; // not mid-character
  return note + window.subarray(start).toString();
}

/** The first `maxBytes` bytes of `text`, cut on a character boundary. */
export function headBytes(raw: string, maxBytes: number): string {
  const text = xmlSafe(raw);
  if (text.length <= maxBytes && Buffer.byteLength(text) <= maxBytes) return text;
  const window = Buffer.from(text.slice(0, maxBytes));
  let end = Math.min(window.length, Math.max(0, maxBytes - 3)); // room for the ellipsis
  while (end > 0 && (window[end]! & 0xc0) === 0x80) end--;
  return `${window.subarray(0, end).toString()}…`;
}

/** The last `count` lines of `text`, at most `maxBytes` bytes of them. */
export function lastLines(text: string, count: number, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const lines = text.slice(-maxBytes).replace(/\n$/, '').split('\n');
  return tailBytes(lines.slice(-count).join('\n'), maxBytes);
}

/**
 * One job's allowance for the texts of its own test reports (system-out, system-err, failure
 * bodies, messages): each text at most `perText` bytes, all of them together at most `total`.
 * Texts are taken in report order; once the allowance is spent, later ones say so instead.
 */
export class OutputBudget {
  private remaining: number;

  constructor(
    total: number,
    private readonly perText: number,
  ) {
    this.remaining = total;
  }

  tail(text: string | undefined): string | undefined {
    return text === undefined ? undefined : this.spend(tailBytes(text, this.allowance(text)));
  }

  head(text: string | undefined, maxBytes: number): string | undefined {
    return text === undefined ? undefined : this.spend(headBytes(text, Math.min(maxBytes, this.allowance(text))));
  }

  private allowance(text: string): number {
    const allowed = Math.min(this.perText, this.remaining);
    return allowed > 0 || text === '' ? allowed : 0;
  }

  private spend(kept: string): string {
    this.remaining -= Buffer.byteLength(kept);
    return kept;
  }
}
