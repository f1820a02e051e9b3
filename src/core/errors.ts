// Every error a user can see. Each carries a stable code and a hint naming the fix;
// only the CLI entry (src/cli/main.ts) turns them into exit codes. The codes are one typed union,
// grouped by the class that raises them (a code belongs to one class), with its exit code; the
// classes of a library folder (image/oci/errors.ts, junit/read.ts, junit/merge.ts, action/) take
// their codes from here. Errors that never leave their module (a retry signal, an XML reader's
// syntax error rewrapped as JunitReadError) are plain Error subclasses and have no code.
import { safeMessage } from './message.js';

/** ConfigError, exit 2. */
export type ConfigErrorCode = 'CONFIG_INVALID';
/** UsageError, exit 2. */
export type UsageErrorCode = 'USAGE';
/** SandboxUnavailableError, exit 3: the host cannot run a sandbox at all. */
export type HostErrorCode =
  | 'CGROUP_NOT_DELEGATED'
  | 'USERNS_DISABLED'
  | 'OVERLAY_UNSUPPORTED'
  | 'HELPER_MISSING'
  | 'CONFIG_SANDBOX_FAILED'
  | 'MMDEBSTRAP_MISSING'
  | 'OUTBOUND_NETWORK_MISSING';
/** SandboxSetupError, exit 1 (an error of one job). */
export type SandboxSetupErrorCode = 'SANDBOX_SETUP_FAILED';
/** PathConfinementError, exit 1. */
export type ConfinementErrorCode = 'PATH_NOT_CONFINED';
/** ImageError's subclasses (image/oci/errors.ts), exit 2. */
export type ImageErrorCode =
  | 'INVALID_IMAGE_REF'
  | 'IMAGE_NOT_FOUND'
  | 'REGISTRY_UNAUTHORIZED'
  | 'DIGEST_MISMATCH'
  | 'REGISTRY_UNREACHABLE'
  | 'PLATFORM_NOT_FOUND'
  | 'INSECURE_REGISTRY'
  | 'IMAGE_INVALID'
  | 'ZSTD_UNAVAILABLE';
/** JunitReadError (junit/read.ts) and JunitMergeError (junit/merge.ts), exit 2. */
export type JunitErrorCode = 'JUNIT_UNREADABLE' | 'JUNIT_MERGE_FAILED';
/** The Action's ActionInputError (action/inputs.ts, exit 2) and HostNotReadyError (action/host.ts, exit 3): they fail the step. */
export type ActionErrorCode = 'ACTION_INPUT_INVALID' | 'HOST_NOT_READY';

export type ErrorCode =
  | ConfigErrorCode
  | UsageErrorCode
  | HostErrorCode
  | SandboxSetupErrorCode
  | ConfinementErrorCode
  | ImageErrorCode
  | JunitErrorCode
  | ActionErrorCode;

export interface CubicleErrorOptions {
  hint?: string;
  cause?: unknown;
}

export abstract class CubicleError<Code extends ErrorCode = ErrorCode> extends Error {
  abstract readonly code: Code;
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
export class ConfigError extends CubicleError<ConfigErrorCode> {
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

export class UsageError extends CubicleError<UsageErrorCode> {
  readonly code = 'USAGE';
  readonly exitCode = 2;
}

/** The host cannot create the sandbox at all (exit 3); the hint says how to fix the host. */
export class SandboxUnavailableError extends CubicleError<HostErrorCode> {
  readonly exitCode = 3;
  readonly code: HostErrorCode;

  constructor(code: HostErrorCode, message: string, options: CubicleErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** The native helper failed while building one job's sandbox (a job status `error`, not a host problem). */
export class SandboxSetupError extends CubicleError<SandboxSetupErrorCode> {
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
export class PathConfinementError extends CubicleError<ConfinementErrorCode> {
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
