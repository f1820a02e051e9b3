// The live part of the terminal view: a few lines at the bottom of a TTY, redrawn in place with
// plain ANSI (cursor up and down, erase line), with permanent lines written above them. No
// dependency: the whole protocol is a few escape sequences.
import type { Writable } from 'node:stream';
import { sanitizeOutputLine, withoutColours } from './sanitize.js';

export type TerminalStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const ERASE_LINE = '\x1b[2K';
const DOWN = '\x1b[B';

export class LiveRegion {
  private height = 0;
  private cursorHidden = false;
  private readonly restoreCursor = () => this.out.write(SHOW_CURSOR);

  constructor(private readonly out: TerminalStream) {}

  /** Columns a live line may use: one less than the terminal's, so that no line ever wraps. */
  get width(): number {
    return Math.max(20, (this.out.columns || 80) - 1);
  }

  /** Live lines that fit: the region must stay below the top of the screen to be redrawn. */
  get maxLines(): number {
    return Math.max(3, (this.out.rows || 24) - 2);
  }

  /** Writes `permanent` (whole lines, or nothing) above the region and redraws the region as `lines`. */
  draw(lines: readonly string[], permanent = ''): void {
    if (!this.cursorHidden && lines.length > 0) {
      this.cursorHidden = true;
      process.once('exit', this.restoreCursor);
      permanent = HIDE_CURSOR + permanent;
    }
    // Each line of the old region is erased on its own (EL), never the screen below the cursor
    // (ED): from the top-left corner ED clears the whole screen, which tmux 3.3+ (scroll-on-clear)
    // and others first push into the scrollback, leaving every frame drawn at the top of a pane there.
    const up = this.height > 0 ? `\r\x1b[${this.height}A${`${ERASE_LINE}${DOWN}`.repeat(this.height)}\x1b[${this.height}A` : '';
    this.out.write(up + permanent + lines.map((line) => `${line}\n`).join(''));
    this.height = lines.length;
  }

  /** Erases the region and gives the cursor back; later writes land where the region was. */
  close(): void {
    this.draw([]);
    if (this.cursorHidden) {
      this.out.write(SHOW_CURSOR);
      process.off('exit', this.restoreCursor);
      this.cursorHidden = false;
    }
  }
}

/** What a line of job output shows once a terminal has drawn it: the text after its last \r, without escapes. */
export function visibleText(line: string): string {
  return withoutColours(sanitizeOutputLine(line)).replaceAll('\t', ' ');
}
