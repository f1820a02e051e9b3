// GitHub's runner takes workflow commands from every line a step prints, a job's output
// included: `::add-mask::`, `::error::`, `::stop-commands::`, `##[...]` anywhere in a line, on
// stdout and stderr alike. Job output is printed inside a fence: `::stop-commands::TOKEN` stops
// command processing until a line `::TOKEN::`. The runner resumes on that exact token only (case
// aside), so the token is 128 random bits, new for every fence: a job cannot guess it, and
// cannot learn it in time (it sees none of cubicle's output). The runner masks it in the log.
import { randomBytes } from 'node:crypto';

/** Writes cubicle's own text as it is, and the text a job controls inside a fence (when fencing). */
export interface FencedWriter {
  /** Text a job controls, whole lines: inside a fence, opened first if none is. */
  untrusted(text: string): void;
  /** cubicle's own text, whole lines (group commands among them): after the open fence, if any, is closed. */
  own(text: string): void;
  /** Closes the open fence, if any: nothing may be left stopped for what prints after cubicle. */
  close(): void;
}

/** A fresh token: 128 bits, hex (the runner compares tokens ignoring case). */
export function fenceToken(): string {
  return randomBytes(16).toString('hex');
}

/** A writer that fences untrusted text when `fence` is true, else writes everything as it is. */
export function fencedWriter(write: (text: string) => void, fence: boolean): FencedWriter {
  if (!fence) return { untrusted: write, own: write, close: () => undefined };
  let token: string | undefined;
  const close = () => {
    if (token === undefined) return;
    write(`::${token}::\n`);
    token = undefined;
  };
  return {
    untrusted(text) {
      if (token !== undefined) return write(text);
      token = fenceToken();
      write(`::stop-commands::${token}\n${text}`);
    },
    own(text) {
      if (token === undefined) return write(text);
      const open = token;
      token = undefined;
      write(`::${open}::\n${text}`);
    },
    close,
  };
}

/** `text` (whole lines) inside a fence of its own: for one block of untrusted lines written at once. */
export function fenced(text: string): string {
  const token = fenceToken();
  return `::stop-commands::${token}\n${text}::${token}::\n`;
}
