// sha256 digests: the names of blobs, here and in registries.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InvalidImageError } from './image-errors.js';

const SHA256_DIGEST = /^sha256:([a-f0-9]{64})$/;

export function isDigest(text: unknown): text is string {
  return typeof text === 'string' && SHA256_DIGEST.test(text);
}

/** The hex part of `sha256:<hex>`; other algorithms are refused, since blobs are stored by sha256. */
export function digestHex(digest: string, what = 'blob'): string {
  const match = SHA256_DIGEST.exec(digest);
  if (!match?.[1])
    throw new InvalidImageError(
      `the ${what} digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>; the image was not pulled and nothing partial was stored`,
      { hint: 'cubicle stores blobs by sha256 only; push the image with sha256 digests (the default of every registry and builder)' },
    );
  return match[1];
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Where a blob lives in a blobs dir (the OCI image layout's own scheme: blobs/sha256/<hex>). */
export function blobPathOf(blobsDir: string, digest: string): string {
  return path.join(blobsDir, 'sha256', digestHex(digest));
}
