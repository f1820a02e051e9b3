// A pulled layer as the uncompressed tar that extraction reads, checked against the config's
// diff_id as it streams: a mismatch errors the stream at its end, so extraction must be discarded.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { decompressStream, sniffCompression, type Compression } from './decompress.js';
import { CubicleError } from '../../core/errors.js';
import { DigestMismatchError, InvalidImageError } from './image-errors.js';
import type { PulledLayer } from './types.js';

function readHead(file: string): Buffer {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    const bytesRead = fs.readSync(fd, head, 0, 4, 0);
    return head.subarray(0, bytesRead);
  } finally {
    fs.closeSync(fd);
  }
}

/** Passes the tar through and errors at the end unless its sha256 is `diffId`. */
export function createDiffIdCheck(layer: Pick<PulledLayer, 'digest' | 'diffId' | 'blobPath'>): Transform {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual === layer.diffId) return callback();
      callback(
        new DigestMismatchError(
          `layer ${layer.digest} uncompresses to ${bytes} bytes with sha256 ${actual}, but the image config says diff_id ${layer.diffId}; the layer is corrupt and what was extracted from it must be discarded`,
          {
            hint: `remove ${layer.blobPath} and pull the image again; if it happens again, the image itself is broken: push it again`,
          },
        ),
      );
    },
  });
}

/** The blob matched its digest, so the image itself carries a broken layer. */
function undecompressable(layer: Pick<PulledLayer, 'digest' | 'blobPath'>, compression: Compression, cause: Error): InvalidImageError {
  return new InvalidImageError(
    `layer ${layer.digest} (${compression}) could not be decompressed: ${cause.message}; what was extracted from it must be discarded`,
    {
      hint: 'the image was pushed with a broken layer: build and push it again',
      cause,
    },
  );
}

/** The layer's uncompressed tar: gzip, zstd or plain, told by its first bytes. */
export function openLayerTar(layer: Pick<PulledLayer, 'digest' | 'diffId' | 'blobPath'>): Readable {
  const compression = sniffCompression(readHead(layer.blobPath));
  const tar = decompressStream(fs.createReadStream(layer.blobPath), compression);
  const check = createDiffIdCheck(layer);
  tar.on('error', (error) => check.destroy(error instanceof CubicleError ? error : undecompressable(layer, compression, error)));
  check.on('close', () => tar.destroy());
  return tar.pipe(check);
}
