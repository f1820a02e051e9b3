// Blobs land in BLOBS/sha256/<hex>: streamed into a temp file in the same dir while hashed,
// checked, fsync'd, then renamed, so a blob is either whole and verified or absent. A blob
// already there is not fetched again; two pulls in one process share one download. A pull
// killed midway leaves a temp file named after its process, which the next run removes.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DigestMismatchError, NOTHING_STORED } from './image-errors.js';
import { blobPathOf, digestHex } from './digest.js';
import { TransientError, withRetries } from './retry.js';
import type { BlobLocker } from './types.js';
import { processTag } from '../../core/process-tag.js';
import { TEMP_PREFIX } from '../../store/blobs.js';

export type BlobPhase = 'cached' | 'downloading' | 'retrying' | 'done';

/** A stream of the blob from byte `start`; the result's `start` is where it really begins (0: from scratch). */
export type BlobOpener = (start: number, signal?: AbortSignal) => Promise<{ body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; start: number }>;

export interface StoreBlobOptions {
  readonly blobsDir: string;
  /** sha256:<hex>; when absent (docker-archive layers) the digest is computed and becomes the name. */
  readonly digest: string | undefined;
  readonly size: number | undefined;
  readonly open: BlobOpener;
  /** For messages: `blob sha256:... of docker.io/library/node:22 from registry-1.docker.io`. */
  readonly describe: string;
  readonly signal?: AbortSignal | undefined;
  readonly retryDelaysMs?: readonly number[] | undefined;
  readonly onProgress?: ((done: number, total: number | undefined, phase: BlobPhase) => void) | undefined;
  readonly lock?: BlobLocker | undefined;
}

export interface StoredBlob {
  readonly digest: string;
  readonly size: number;
  readonly path: string;
}

/** Progress is told every 100 ms or every MiB, whichever comes first. */
const PROGRESS_INTERVAL_MS = 100;
const PROGRESS_BYTES = 1024 * 1024;
const WRITE_BATCH_BYTES = 1024 * 1024;
const inFlight = new Map<string, Promise<StoredBlob>>();

export async function storeBlob(options: StoreBlobOptions): Promise<StoredBlob> {
  if (options.digest === undefined) return downloadBlob(options);
  const finalPath = blobPathOf(options.blobsDir, options.digest);
  const present = storedSize(finalPath, options.size);
  if (present !== undefined) return cached(options, options.digest, present, finalPath);
  const running = inFlight.get(finalPath);
  if (running) {
    try {
      return await running;
    } catch (error) {
      // The other pull gave up (its own signal, or a sibling blob failed); this one goes on alone.
      if (options.signal?.aborted || (error as Error)?.name !== 'AbortError') throw error;
      return storeBlob(options);
    }
  }
  const download = lockedDownload(options, options.digest, finalPath).finally(() => inFlight.delete(finalPath));
  inFlight.set(finalPath, download);
  return download;
}

/** With a lock: one process downloads, the others wait for it and use what it stored. */
async function lockedDownload(options: StoreBlobOptions, digest: string, finalPath: string): Promise<StoredBlob> {
  if (!options.lock) return downloadBlob(options);
  const held = await options.lock(digest, () => storedSize(finalPath, options.size) !== undefined, options.signal);
  if (held === 'present') return cached(options, digest, fsSync.statSync(finalPath).size, finalPath);
  try {
    return await downloadBlob(options);
  } finally {
    held.release();
  }
}

/** Bytes already in memory (a manifest, a config): checked and stored the same way. */
export async function storeBlobBytes(blobsDir: string, digest: string, bytes: Buffer, describe: string): Promise<StoredBlob> {
  return storeBlob({
    blobsDir,
    digest,
    size: bytes.length,
    describe,
    open: async () => ({ body: [bytes], start: 0 }),
  });
}

/** A complete blob of the expected size: its size; a shorter file (never renamed so, but tampered) is fetched again. */
function storedSize(blobPath: string, size: number | undefined): number | undefined {
  const stat = fsSync.statSync(blobPath, { throwIfNoEntry: false });
  return stat?.isFile() && (size === undefined || stat.size === size) ? stat.size : undefined;
}

function cached(options: StoreBlobOptions, digest: string, size: number, blobPath: string): StoredBlob {
  options.onProgress?.(size, size, 'cached');
  return { digest, size, path: blobPath };
}

async function downloadBlob(options: StoreBlobOptions): Promise<StoredBlob> {
  const dir = path.join(options.blobsDir, 'sha256');
  await fs.mkdir(dir, { recursive: true });
  // Named after this process, so the next run removes what a killed pull left (reapTempBlobs).
  const tempPath = path.join(dir, `${TEMP_PREFIX}${processTag()}-${randomBytes(4).toString('hex')}`);
  const file = await fs.open(tempPath, 'w', 0o444);
  let closed = false;
  try {
    const { hash, done } = await writeWithRetries(file, options);
    const actual = `sha256:${hash.digest('hex')}`;
    if (options.digest !== undefined && actual !== options.digest) {
      throw new DigestMismatchError(`${options.describe}: the ${done} bytes received hash to ${actual}, not ${options.digest}; ${NOTHING_STORED}`, {
        hint: 'the source holds a corrupted or tampered blob: push or save the image again; if it keeps happening, check proxies between you and the registry',
      });
    }
    await file.sync();
    await file.close();
    closed = true;
    const finalPath = path.join(dir, digestHex(actual));
    await fs.rename(tempPath, finalPath);
    await syncDir(dir);
    return { digest: actual, size: done, path: finalPath };
  } catch (error) {
    if (!closed) await file.close().catch(() => {});
    await fs.rm(tempPath, { force: true });
    throw error;
  }
}

/** Appends to `file`, resuming where the last attempt stopped when the source can, restarting when not. */
async function writeWithRetries(file: fs.FileHandle, options: StoreBlobOptions): Promise<{ hash: Hash; done: number }> {
  let hash = createHash('sha256');
  let done = 0;
  let lastReport = 0;
  let lastReportedBytes = 0;
  const report = (phase: BlobPhase, force = false) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < PROGRESS_INTERVAL_MS && done - lastReportedBytes < PROGRESS_BYTES)) return;
    lastReport = now;
    lastReportedBytes = done;
    options.onProgress(done, options.size, phase);
  };
  report('downloading', true);
  await withRetries(
    async () => {
      const opened = await options.open(done, options.signal);
      if (opened.start !== done) {
        // The source ignored our Range: start over.
        await file.truncate(0);
        hash = createHash('sha256');
        done = 0;
      }
      // Written in batches: one write per 64 KiB chunk of fetch's body costs more than the hashing.
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batchBytes === 0) return;
        const data = batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch, batchBytes);
        await file.write(data, 0, data.length, done);
        hash.update(data);
        done += data.length;
        batch = [];
        batchBytes = 0;
        report('downloading');
      };
      try {
        for await (const chunk of opened.body) {
          if (options.size !== undefined && done + batchBytes + chunk.length > options.size) {
            throw new DigestMismatchError(`${options.describe}: the source sent more than the ${options.size} bytes the manifest gives; ${NOTHING_STORED}`, {
              hint: 'the source holds a corrupted or tampered blob: push or save the image again',
            });
          }
          batch.push(chunk);
          batchBytes += chunk.length;
          if (batchBytes >= WRITE_BATCH_BYTES) await flush();
        }
      } finally {
        // What arrived before a broken connection is kept, so the next attempt resumes after it.
        if (!(options.size !== undefined && done + batchBytes > options.size)) await flush();
      }
      if (options.size !== undefined && done < options.size) throw new TransientError(`the download ended after ${done} of ${options.size} bytes`);
    },
    { delaysMs: options.retryDelaysMs, signal: options.signal, onRetry: () => report('retrying', true) },
  );
  report('done', true);
  return { hash, done };
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
