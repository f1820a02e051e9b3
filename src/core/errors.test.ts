// The catalog is the one list of codes: every class raises only its own codes, every code has one
// class, and the exit code an error ends the CLI with is the catalog's.
import { describe, expect, it } from 'vitest';
import { HostNotReadyError } from '../action/host.js';
import { ActionInputError } from '../action/inputs.js';
import * as image from '../image/oci/image-errors.js';
import { JunitMergeError } from '../junit/merge.js';
import { JunitReadError } from '../junit/read.js';
import {
  ConfigError,
  type CubicleError,
  ERROR_CATALOG,
  HostSetupError,
  PathConfinementError,
  SandboxSetupError,
  SandboxUnavailableError,
  StoreTransferError,
  UsageError,
  type ErrorCode,
  type HostErrorCode,
} from './errors.js';

const codes = Object.keys(ERROR_CATALOG) as ErrorCode[];
const hostCodes = codes.filter((code): code is HostErrorCode => ERROR_CATALOG[code].raisedBy === 'SandboxUnavailableError');

/** One error of every class (each host code of SandboxUnavailableError). */
function everyError(): CubicleError[] {
  const read = new JunitReadError('a.xml', 'no such file');
  return [
    new ConfigError(['jobs.unit.run: missing']),
    new UsageError('unknown command'),
    ...hostCodes.map((code) => new SandboxUnavailableError(code, 'cannot')),
    new SandboxSetupError('mount', 'cannot mount', 1),
    new PathConfinementError('a/b', 'is a symlink', 'nothing was written'),
    new image.InvalidImageRefError('x y', 'a space'),
    new image.ImageNotFoundError('gone'),
    new image.RegistryUnauthorizedError('no'),
    new image.DigestMismatchError('bad'),
    new image.RegistryUnreachableError('down'),
    new image.RegistryRefusedError('refused'),
    new image.PlatformNotFoundError('none', ['linux/amd64']),
    new image.InsecureRegistryError('http'),
    new image.InvalidImageError('not oci'),
    new image.ZstdUnavailableError('no zstd'),
    read,
    new JunitMergeError([read], 2),
    new ActionInputError(['memory: not a size']),
    new HostNotReadyError('no userns'),
    new HostSetupError('cannot delegate'),
    new StoreTransferError('cannot export'),
  ];
}

describe('the error catalog', () => {
  it('each error is raised by the class the catalog names for its code, and every code is raised', () => {
    const errors = everyError();
    for (const error of errors) expect(`${error.code} by ${error.name}`).toBe(`${error.code} by ${ERROR_CATALOG[error.code].raisedBy}`);
    expect(new Set(errors.map((error) => error.code))).toEqual(new Set(Object.keys(ERROR_CATALOG)));
  });

  it('exit codes: config, usage, image, JUnit and Action inputs 2; host and its setup 3; one job or a store transfer 1', () => {
    const byExit = (exitCode: number) =>
      everyError()
        .filter((error) => error.exitCode === exitCode)
        .map((error) => error.name);
    expect(new Set(byExit(1))).toEqual(new Set(['SandboxSetupError', 'PathConfinementError', 'StoreTransferError']));
    expect(new Set(byExit(3))).toEqual(new Set(['SandboxUnavailableError', 'HostNotReadyError', 'HostSetupError']));
    expect(byExit(2)).toHaveLength(everyError().length - 3 - hostCodes.length - 2);
  });
});
