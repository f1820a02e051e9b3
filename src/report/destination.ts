// Where --junit and --json go. A regular path gets the confined temp + rename of ../confine/write.ts;
// `-`, /dev/stdout and a special file outside the checkout (/dev/null, a FIFO, a tty) cannot take
// a temp file beside them (in /dev), so they are written directly: there is nothing to replace.
import fs from 'node:fs';
import path from 'node:path';
import { rootFor } from '../confine/index.js';
import { PathConfinementError } from '../core/errors.js';
import { writeAtomically } from '../confine/write-atomic.js';

const STDOUT_NAMES = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);
const STDERR_NAMES = new Set(['/dev/stderr', '/dev/fd/2', '/proc/self/fd/2']);

/** The report's destination as given on the command line: `-` stays `-`, a path is made absolute. */
export function resolveReportPath(cwd: string, given: string): string {
  return given === '-' ? given : path.resolve(cwd, given);
}

/** Whether the report goes to this process's stdout (so the console view must not). */
export function isStdout(file: string): boolean {
  return STDOUT_NAMES.has(file);
}

/** Writes a report: to stdout/stderr through the stream, to a special file directly, else atomically and confined. */
export async function writeReport(file: string, content: string, checkout: string | undefined): Promise<void> {
  // Through the stream, not by opening /dev/stdout: that would truncate a file stdout is redirected to.
  if (STDOUT_NAMES.has(file)) return writeStream(process.stdout, content);
  if (STDERR_NAMES.has(file)) return writeStream(process.stderr, content);
  if (isSpecialOutside(file, checkout)) {
    try {
      fs.writeFileSync(file, content, { flag: 'w' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PathConfinementError(file, `could not be written (${code ?? (error as Error).message})`, 'the report was not written', { cause: error });
    }
    return;
  }
  writeAtomically(file, content, undefined, checkout);
}

/** A char device or FIFO outside the checkout; beneath it, a planted one is replaced, never written through. */
function isSpecialOutside(file: string, checkout: string | undefined): boolean {
  if (rootFor(file, checkout).root === checkout) return false;
  try {
    const stat = fs.statSync(file);
    return stat.isCharacterDevice() || stat.isFIFO();
  } catch {
    return false;
  }
}

function writeStream(stream: NodeJS.WriteStream, content: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(content, (error) => (error ? reject(error) : resolve())));
}
