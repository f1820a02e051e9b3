// The blobs dir of the store (BLOBS/sha256/<hex>) and its partial downloads: a pull streams a
// blob into `.tmp-PID-STARTTIME-RANDOM` beside its final name (image/oci/blob-store.ts); one whose
// process is gone is removed when the store is reaped.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isStaleRunName } from '../core/process-tag.js';

export const TEMP_PREFIX = '.tmp-';

/** A download in progress, or one a killed process left: `.tmp-PID-STARTTIME-RANDOM`. */
export function isTempBlobName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** Removes the partial downloads in BLOBS/sha256 whose process is gone; returns how many. */
export async function reapTempBlobs(blobsDir: string): Promise<number> {
  const dir = path.join(blobsDir, 'sha256');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  const stale = names.filter((name) => isTempBlobName(name) && isStaleRunName(name.slice(TEMP_PREFIX.length)));
  await Promise.all(stale.map((name) => fs.rm(path.join(dir, name), { force: true })));
  return stale.length;
}
