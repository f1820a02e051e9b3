// Every error a user can see. Each carries a stable code and a hint naming the fix;
// only the CLI entry (src/cli/main.ts) turns them into exit codes. ERROR_CATALOG lists every code
// with its exit code and the one class that raises it; ErrorCode is their union. The classes of a
// library folder (image/oci/image-errors.ts, junit/read.ts, junit/merge.ts, action/) take their codes
// and exit codes from here. Errors that never leave their module (a retry signal, an XML reader's
// syntax error rewrapped as JunitReadError) are plain Error subclasses and have no code.
import { safeMessage } from './message.js';

/**
 * Every code cubicle raises: the exit code the CLI ends with when it reaches main, the one class
 * that raises it, and the file that class is in. A code belongs to exactly one class.
 */
export const ERROR_CATALOG = {
  // the config file or the command line is wrong; nothing was run
  CONFIG_INVALID: { exitCode: 2, raisedBy: 'ConfigError', in: 'core/errors.ts' },
  USAGE: { exitCode: 2, raisedBy: 'UsageError', in: 'core/errors.ts' },
  // the host cannot run a sandbox at all; the hint says how to fix the host
  CGROUP_NOT_DELEGATED: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  USERNS_DISABLED: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  OVERLAY_UNSUPPORTED: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  HELPER_MISSING: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  CONFIG_SANDBOX_FAILED: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  MMDEBSTRAP_MISSING: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  OUTBOUND_NETWORK_MISSING: { exitCode: 3, raisedBy: 'SandboxUnavailableError', in: 'core/errors.ts' },
  // `cubicle setup` could not prepare (or undo) the host for a user; what was done is kept in its record
  HOST_SETUP_FAILED: { exitCode: 3, raisedBy: 'HostSetupError', in: 'core/errors.ts' },
  // `cubicle cache export` / `import` failed; nothing was written or imported
  STORE_TRANSFER_FAILED: { exitCode: 1, raisedBy: 'StoreTransferError', in: 'core/errors.ts' },
  // an error of one job
  SANDBOX_SETUP_FAILED: { exitCode: 1, raisedBy: 'SandboxSetupError', in: 'core/errors.ts' },
  PATH_NOT_CONFINED: { exitCode: 1, raisedBy: 'PathConfinementError', in: 'core/errors.ts' },
  // pulling an image; nothing was run
  INVALID_IMAGE_REF: { exitCode: 2, raisedBy: 'InvalidImageRefError', in: 'image/oci/image-errors.ts' },
  IMAGE_NOT_FOUND: { exitCode: 2, raisedBy: 'ImageNotFoundError', in: 'image/oci/image-errors.ts' },
  REGISTRY_UNAUTHORIZED: { exitCode: 2, raisedBy: 'RegistryUnauthorizedError', in: 'image/oci/image-errors.ts' },
  DIGEST_MISMATCH: { exitCode: 2, raisedBy: 'DigestMismatchError', in: 'image/oci/image-errors.ts' },
  REGISTRY_UNREACHABLE: { exitCode: 2, raisedBy: 'RegistryUnreachableError', in: 'image/oci/image-errors.ts' },
  REGISTRY_REFUSED: { exitCode: 2, raisedBy: 'RegistryRefusedError', in: 'image/oci/image-errors.ts' },
  PLATFORM_NOT_FOUND: { exitCode: 2, raisedBy: 'PlatformNotFoundError', in: 'image/oci/image-errors.ts' },
  INSECURE_REGISTRY: { exitCode: 2, raisedBy: 'InsecureRegistryError', in: 'image/oci/image-errors.ts' },
  IMAGE_INVALID: { exitCode: 2, raisedBy: 'InvalidImageError', in: 'image/oci/image-errors.ts' },
  ZSTD_UNAVAILABLE: { exitCode: 2, raisedBy: 'ZstdUnavailableError', in: 'image/oci/image-errors.ts' },
  // JUnit reports that cannot be read or merged
  JUNIT_UNREADABLE: { exitCode: 2, raisedBy: 'JunitReadError', in: 'junit/read.ts' },
  JUNIT_MERGE_FAILED: { exitCode: 2, raisedBy: 'JunitMergeError', in: 'junit/merge.ts' },
  // the Action's step fails before anything runs
  ACTION_INPUT_INVALID: { exitCode: 2, raisedBy: 'ActionInputError', in: 'action/inputs.ts' },
  HOST_NOT_READY: { exitCode: 3, raisedBy: 'HostNotReadyError', in: 'action/host.ts' },
} as const satisfies Record<string, { exitCode: number; raisedBy: string; in: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** The codes raised by `Class`. */
export type CodeOf<Class extends string> = { [Code in ErrorCode]: (typeof ERROR_CATALOG)[Code]['raisedBy'] extends Class ? Code : never }[ErrorCode];
/** The codes raised by the classes of one file. */
export type CodeIn<File extends string> = { [Code in ErrorCode]: (typeof ERROR_CATALOG)[Code]['in'] extends File ? Code : never }[ErrorCode];

/** SandboxUnavailableError's: the host cannot run a sandbox at all. */
export type HostErrorCode = CodeOf<'SandboxUnavailableError'>;
/** image/oci/image-errors.ts's classes. */
export type ImageErrorCode = CodeIn<'image/oci/image-errors.ts'>;

export interface CubicleErrorOptions {
  hint?: string;
  cause?: unknown;
}

export abstract class CubicleError<Code extends ErrorCode = ErrorCode> extends Error {
  abstract readonly code: Code;
  readonly hint: string | undefined;

  constructor(message: string, options: CubicleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }

  /** The exit code the CLI ends with when this error reaches it: the catalog's, for this code. */
  get exitCode(): number {
    return ERROR_CATALOG[this.code].exitCode;
  }
}

/** The config file or the command line is wrong; nothing was run (exit 2). */
export class ConfigError extends CubicleError<'CONFIG_INVALID'> {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: CubicleErrorOptions & { source?: string } = {}) {
    const where = options.source ? ` in ${options.source}` : '';
    const noun = problems.length === 1 ? 'problem' : 'problems';
    // A problem quotes the config (a job name, a path): each stays on its own line, inert.
    super(`${problems.length} ${noun}${where}; nothing was run:\n${problems.map((p) => `  - ${safeMessage(p)}`).join('\n')}`, options);
    this.problems = problems;
  }
}

export class UsageError extends CubicleError<'USAGE'> {
  readonly code = 'USAGE';
}

/** The host cannot create the sandbox at all (exit 3); the hint says how to fix the host. */
export class SandboxUnavailableError extends CubicleError<HostErrorCode> {
  readonly code: HostErrorCode;

  constructor(code: HostErrorCode, message: string, options: CubicleErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** `cubicle setup --user` (or `--undo`) could not do a step; the message says which and what was not done (exit 3). */
export class HostSetupError extends CubicleError<'HOST_SETUP_FAILED'> {
  readonly code = 'HOST_SETUP_FAILED';
}

/** Exporting or importing the layer store failed; the store and the target are as they were (exit 1). */
export class StoreTransferError extends CubicleError<'STORE_TRANSFER_FAILED'> {
  readonly code = 'STORE_TRANSFER_FAILED';
}

/** The native helper failed while building one job's sandbox (a job status `error`, not a host problem). */
export class SandboxSetupError extends CubicleError<'SANDBOX_SETUP_FAILED'> {
  readonly code = 'SANDBOX_SETUP_FAILED';
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
export class PathConfinementError extends CubicleError<'PATH_NOT_CONFINED'> {
  readonly code = 'PATH_NOT_CONFINED';
  readonly path: string;

  constructor(pathText: string, reason: string, notDone: string, options: CubicleErrorOptions = {}) {
    super(`${safeMessage(pathText)}: ${reason}; ${notDone}`, {
      hint: 'paths the checkout controls must stay beneath their root, with no symlink leading out of it; replace the symlink or the path',
      ...options,
    });
    this.path = pathText;
  }
}
