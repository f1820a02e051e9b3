// What can go wrong while pulling an OCI image. Every message says what happened and that no
// partial blob was kept; every hint says how to fix it. Nothing was run, so the CLI exits 2.
import { CubicleError, type CubicleErrorOptions, type ImageErrorCode } from '../../core/errors.js';

/** Appended to every pull failure: verified blobs may stay, half-written ones never do. */
export const NOTHING_STORED = 'the image was not pulled and nothing partial was stored';

/** Appended to every push failure: uploads are whole or discarded by the registry, and the manifest comes last. */
export const NOTHING_PUSHED = 'no manifest was written (blobs uploaded before stay in the registry, unreferenced)';

export abstract class ImageError extends CubicleError<ImageErrorCode> {}

export class InvalidImageRefError extends ImageError {
  readonly code = 'INVALID_IMAGE_REF';
  readonly text: string;

  constructor(text: string, why: string, options: CubicleErrorOptions = {}) {
    super(`invalid image reference ${JSON.stringify(text)}: ${why}; nothing was pulled`, {
      hint:
        options.hint ??
        'write it as NAME[:TAG][@sha256:DIGEST] (node:22-bookworm, ghcr.io/owner/repo:tag, localhost:5000/app@sha256:...), or oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF]',
      cause: options.cause,
    });
    this.text = text;
  }
}

export class ImageNotFoundError extends ImageError {
  readonly code = 'IMAGE_NOT_FOUND';
}

export class RegistryUnauthorizedError extends ImageError {
  readonly code = 'REGISTRY_UNAUTHORIZED';
}

export class DigestMismatchError extends ImageError {
  readonly code = 'DIGEST_MISMATCH';
}

/** The registry answered a push or a cache pull with an error that another try would not mend (a manifest it refuses). */
export class RegistryRefusedError extends ImageError {
  readonly code = 'REGISTRY_REFUSED';
}

export class RegistryUnreachableError extends ImageError {
  readonly code = 'REGISTRY_UNREACHABLE';
}

export class PlatformNotFoundError extends ImageError {
  readonly code = 'PLATFORM_NOT_FOUND';
  readonly available: readonly string[];

  constructor(message: string, available: readonly string[], options: CubicleErrorOptions = {}) {
    super(message, options);
    this.available = available;
  }
}

export class InsecureRegistryError extends ImageError {
  readonly code = 'INSECURE_REGISTRY';
}

/** A manifest, index, config or archive that does not follow the OCI or Docker formats. */
export class InvalidImageError extends ImageError {
  readonly code = 'IMAGE_INVALID';
}

/** A zstd layer on a Node without zlib zstd, and no `zstd` program to fall back on. */
export class ZstdUnavailableError extends ImageError {
  readonly code = 'ZSTD_UNAVAILABLE';
}
