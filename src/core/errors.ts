// Every error a user can see. Each carries a stable code and a hint naming the fix;
// only the CLI entry (src/cli/main.ts) turns them into exit codes.
import { safeMessage } from './message.js';

export interface CubicleErrorOptions {
  hint?: string;
  cause?: unknown;
}

export abstract class CubicleError extends Error {
  abstract readonly code: string;
  /** The exit code the CLI ends with when this error reaches it. */
  abstract readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: CubicleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** The config file or the command line is wrong; nothing was run (exit 2). */
export class ConfigError extends CubicleError {
  readonly code = 'CONFIG_INVALID';
  readonly exitCode = 2;
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: CubicleErrorOptions & { source?: string } = {}) {
    const where = options.source ? ` in ${options.source}` : '';
    const noun = problems.length === 1 ? 'problem' : 'problems';
    // A problem quotes the config (a job name, a path): each stays on its own line, inert.
    super(`${problems.length} ${noun}${where}; nothing was run:\n${problems.map((p) => `  - ${safeMessage(p)}`).join('\n')}`, options);
    this.problems = problems;
  }
}

export class UsageError extends CubicleError {
  readonly code = 'USAGE';
  readonly exitCode = 2;
}

/** The host cannot create the sandbox at all (exit 3); the hint says how to fix the host. */
export class SandboxUnavailableError extends CubicleError {
  readonly exitCode = 3;
  readonly code: string;

  constructor(code: string, message: string, options: CubicleErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** The native helper failed while building one job's sandbox (a job status `error`, not a host problem). */
export class SandboxSetupError extends CubicleError {
  readonly code = 'SANDBOX_SETUP_FAILED';
  readonly exitCode = 1;
  readonly stage: string;
  readonly errno: number | undefined;

  constructor(stage: string, message: string, errno?: number, options: CubicleErrorOptions = {}) {
    super(message, options);
    this.stage = stage;
    this.errno = errno;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof CubicleError) {
    return error.hint ? `${error.message}\nhint: ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

/**
 * A path the checkout controls (a config path or glob, an env value used as a host path, a file
 * a job left) would have led the runner outside its root, through a symlink, or onto something
 * that is not a plain file or dir. Names the path and what was not done.
 */
export class PathConfinementError extends CubicleError {
  readonly code = 'PATH_NOT_CONFINED';
  readonly exitCode = 1;
  readonly path: string;

  constructor(pathText: string, reason: string, notDone: string, options: CubicleErrorOptions = {}) {
    super(`${safeMessage(pathText)}: ${reason}; ${notDone}`, {
      hint: 'paths the checkout controls must stay beneath their root, with no symlink leading out of it; replace the symlink or the path',
      ...options,
    });
    this.path = pathText;
  }
}
