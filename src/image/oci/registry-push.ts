// What a cache push (and its pull) asks of a registry beyond an image pull: blob uploads (monolithic, or PATCH
// chunks for big blobs, as the Distribution API allows), manifests put and got by tag, and a blob streamed to a
// file while hashed. Each upload attempt starts a fresh session, so a transient failure restarts it cleanly.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { DigestMismatchError, NOTHING_PUSHED, RegistryRefusedError } from './image-errors.js';
import { sha256Digest, isDigest } from './digest.js';
import type { RegistryClient } from './registry-client.js';
import { registrySaid } from './registry-client.js';
import { TransientError } from './retry.js';

export interface UploadOptions {
  /** Blobs up to this size go in one PUT; bigger ones in PATCH chunks of this size (or the registry's OCI-Chunk-Min-Length). */
  readonly chunkBytes?: number | undefined;
}

export interface FetchedRegistryManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

export const DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const OCTET_STREAM = 'application/octet-stream';
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Read a file to upload in 1 MiB pieces, not fs streams' default 64 KiB. */
const READ_PIECE_BYTES = 1024 * 1024;

const blobPath = (client: RegistryClient, digest: string) => `/v2/${client.repository}/blobs/${digest}`;
const manifestPath = (client: RegistryClient, reference: string) => `/v2/${client.repository}/manifests/${reference}`;

export async function blobExists(client: RegistryClient, digest: string): Promise<boolean> {
  return client.withRetries(`look up blob ${digest}`, async () => {
    const response = await client.request(blobPath(client, digest), { method: 'HEAD' });
    await response.body?.cancel();
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw await refused(client, response, `HEAD of blob ${digest}`, 'nothing was uploaded');
  });
}

export async function uploadBlob(
  client: RegistryClient,
  file: string,
  digest: string,
  size: number,
  options: UploadOptions = {},
): Promise<'uploaded' | 'present'> {
  if (!isDigest(digest)) throw new RegistryRefusedError(`blob digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>; ${NOTHING_PUSHED}`);
  const actualSize = (await fsp.stat(file)).size;
  if (actualSize !== size) {
    throw new DigestMismatchError(`${file} holds ${actualSize} bytes, not the ${size} of blob ${digest}; it was not uploaded and ${NOTHING_PUSHED}`, {
      hint: 'the file changed after its digest was taken: export the layer again',
    });
  }
  if (await blobExists(client, digest)) return 'present';
  const chunkBytes = Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  await client.withRetries(`upload blob ${digest} (${size} bytes)`, () => uploadOnce(client, file, digest, size, chunkBytes));
  return 'uploaded';
}

/** POST a session, send the bytes, close it with PUT ?digest=; a session left open by a failure is DELETEd, best-effort. */
async function uploadOnce(client: RegistryClient, file: string, digest: string, size: number, chunkBytes: number): Promise<void> {
  const started = await client.request(`/v2/${client.repository}/blobs/uploads/`, { method: 'POST' });
  await started.body?.cancel();
  if (started.status !== 202) throw await refused(client, started, `the start of an upload of blob ${digest}`);
  let location = locationOf(client, started, digest);
  try {
    const minChunk = Number(started.headers.get('oci-chunk-min-length')) || 0;
    const chunk = Math.max(chunkBytes, minChunk);
    if (size <= chunk) {
      await closeUpload(client, location, digest, { start: 0, end: size - 1, size, file });
      return;
    }
    for (let start = 0; start < size; start += chunk) {
      const end = Math.min(start + chunk, size) - 1;
      const response = await client.request(location, {
        method: 'PATCH',
        headers: { 'content-type': OCTET_STREAM, 'content-length': String(end - start + 1), 'content-range': `${start}-${end}` },
        body: () => fs.createReadStream(file, { start, end, highWaterMark: READ_PIECE_BYTES }),
      });
      await response.body?.cancel();
      // A session the registry lost (restarted without shared storage) or a range it disagrees with: start over.
      if (response.status === 404 || response.status === 416)
        throw new TransientError(`PATCH of bytes ${start}-${end} of blob ${digest} answered ${response.status}`);
      if (response.status !== 202) throw await refused(client, response, `PATCH of bytes ${start}-${end} of blob ${digest}`);
      const range = /^(?:bytes=)?0-(\d+)$/.exec(response.headers.get('range') ?? '');
      if (range && Number(range[1]) !== end) throw new TransientError(`after bytes ${start}-${end} of blob ${digest} the registry holds 0-${range[1]}`);
      location = locationOf(client, response, digest);
    }
    await closeUpload(client, location, digest, undefined);
  } catch (error) {
    await cancelUpload(client, location);
    throw error;
  }
}

/** PUT location?digest=, with the whole blob (monolithic) or nothing (after the PATCHes). */
async function closeUpload(
  client: RegistryClient,
  location: string,
  digest: string,
  whole: { start: number; end: number; size: number; file: string } | undefined,
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const response = await client.request(url.href, {
    method: 'PUT',
    headers: { 'content-type': OCTET_STREAM, 'content-length': String(whole?.size ?? 0) },
    body: whole && whole.size > 0 ? () => fs.createReadStream(whole.file, { start: whole.start, end: whole.end, highWaterMark: READ_PIECE_BYTES }) : undefined,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    throw new TransientError(`the upload session of blob ${digest} was lost (404)`);
  }
  if (response.status === 400) {
    const said = await registrySaid(response);
    if (said.includes('DIGEST_INVALID') || said.includes('SIZE_INVALID')) {
      throw new DigestMismatchError(`registry ${client.registry} refused blob ${digest}: its bytes do not hash to that digest${said}; ${NOTHING_PUSHED}`, {
        hint: 'the exported layer changed after its digest was taken: export it again',
      });
    }
    throw refusedWith(client, response.status, said, `the closing PUT of blob ${digest}`);
  }
  if (response.status !== 201) throw await refused(client, response, `the closing PUT of blob ${digest}`);
  await response.body?.cancel();
  const stored = response.headers.get('docker-content-digest');
  if (stored && stored !== digest) {
    throw new DigestMismatchError(`registry ${client.registry} stored blob ${digest} as ${stored}; ${NOTHING_PUSHED}`, {
      hint: 'a proxy or the registry changed the bytes on the way: push again, and check what stands between you and the registry',
    });
  }
}

async function cancelUpload(client: RegistryClient, location: string): Promise<void> {
  try {
    const response = await client.request(location, { method: 'DELETE' });
    await response.body?.cancel();
  } catch {
    // best-effort: the registry drops stale sessions itself
  }
}

/** The session's next URL: Location may be relative (`/v2/...`) or absolute, and may carry its own query string. */
function locationOf(client: RegistryClient, response: Response, digest: string): string {
  const location = response.headers.get('location');
  if (!location) throw new RegistryRefusedError(`registry ${client.registry} answered an upload of blob ${digest} without a Location; ${NOTHING_PUSHED}`);
  return new URL(location, response.url || undefined).href;
}

export async function getManifest(client: RegistryClient, reference: string, accept: string): Promise<FetchedRegistryManifest | undefined> {
  return client.withRetries(`fetch manifest ${reference} of ${client.repository}`, async () => {
    const response = await client.request(manifestPath(client, reference), { accept });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      const said = await registrySaid(response);
      if (said.includes('MANIFEST_UNKNOWN') || said.includes('NAME_UNKNOWN')) return undefined;
      throw refusedWith(client, response.status, said, `GET of manifest ${reference}`, 'nothing was used');
    }
    if (Number(response.headers.get('content-length')) > MAX_MANIFEST_BYTES) {
      await response.body?.cancel();
      throw new RegistryRefusedError(`registry ${client.registry} sent over ${MAX_MANIFEST_BYTES} bytes as manifest ${reference} of ${client.repository}`, {
        hint: 'this reference does not name a cubicle cache: check it',
      });
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const digest = sha256Digest(bytes);
    const claimed = isDigest(reference) ? reference : (response.headers.get('docker-content-digest') ?? undefined);
    if (claimed && isDigest(claimed) && claimed !== digest) {
      throw new DigestMismatchError(`manifest ${reference} of ${client.registry}/${client.repository} hashes to ${digest}, not ${claimed}; it was not used`, {
        hint: 'the registry holds a corrupted or tampered manifest, or a proxy changed it: push the cache again',
      });
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() || mediaTypeIn(bytes);
    return { bytes, mediaType, digest };
  });
}

function mediaTypeIn(bytes: Buffer): string {
  try {
    const { mediaType } = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    return typeof mediaType === 'string' ? mediaType : '';
  } catch {
    return '';
  }
}

export async function putManifest(client: RegistryClient, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  const digest = sha256Digest(bytes);
  return client.withRetries(`put manifest ${reference} of ${client.repository}`, async () => {
    const response = await client.request(manifestPath(client, reference), { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes });
    if (response.status !== 201 && response.status !== 200) {
      const said = await registrySaid(response);
      if (!said.includes('MANIFEST_BLOB_UNKNOWN')) throw refusedWith(client, response.status, said, `PUT of manifest ${reference}`);
      throw new RegistryRefusedError(
        `registry ${client.registry} refused manifest ${reference} of ${client.repository}: it names a blob the repository lacks${said}; ${NOTHING_PUSHED}`,
        {
          hint: 'upload every blob the manifest names before it, its config too (the empty descriptor is the 2-byte blob {}), to this same repository',
        },
      );
    }
    await response.body?.cancel();
    const stored = response.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new DigestMismatchError(`registry ${client.registry} stored manifest ${reference} as ${stored}, not ${digest}`, {
        hint: 'the registry rewrote the manifest (an old registry converting OCI to Docker schema): use a registry that keeps OCI manifests as sent',
      });
    }
    return digest;
  });
}

export interface DownloadOptions {
  /** false: a temp file consumed right away (an import), which a crash loses anyway: no fsync. Default true. */
  readonly durable?: boolean | undefined;
}

export async function downloadBlob(client: RegistryClient, digest: string, file: string, size?: number, options: DownloadOptions = {}): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await client.withRetries(`download blob ${digest}`, async () => {
      const response = await client.request(blobPath(client, digest));
      if (!response.ok || !response.body) throw await refused(client, response, `GET of blob ${digest}`, 'nothing was kept');
      const hash = createHash('sha256');
      let received = 0;
      const out = await fsp.open(partial, 'w', 0o644);
      try {
        // Written in batches: a write per 64 KiB piece of fetch's body costs more than hashing it.
        let batch: Uint8Array[] = [];
        let batchBytes = 0;
        const flush = async () => {
          const data = Buffer.concat(batch, batchBytes);
          batch = [];
          batchBytes = 0;
          hash.update(data);
          await out.write(data);
        };
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          received += chunk.length;
          if (size !== undefined && received > size) {
            throw new DigestMismatchError(
              `blob ${digest} of ${client.registry}/${client.repository} is longer than the ${size} bytes its manifest gives; it was not kept`,
              { hint: 'the registry holds a corrupted or tampered blob: push the cache again' },
            );
          }
          batch.push(chunk);
          batchBytes += chunk.length;
          if (batchBytes >= WRITE_BATCH_BYTES) await flush();
        }
        await flush();
        if (options.durable !== false) await out.sync();
      } finally {
        await out.close();
      }
      if (size !== undefined && received < size) throw new TransientError(`the download of blob ${digest} ended after ${received} of ${size} bytes`);
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) {
        throw new DigestMismatchError(
          `blob ${digest} of ${client.registry}/${client.repository}: the ${received} bytes received hash to ${actual}; it was not kept`,
          {
            hint: 'the registry holds a corrupted or tampered blob: push the cache again; if it keeps happening, check proxies between you and the registry',
          },
        );
      }
    });
    await fsp.rename(partial, file);
  } finally {
    await fsp.rm(partial, { force: true });
  }
}

async function refused(client: RegistryClient, response: Response, doing: string, tail = NOTHING_PUSHED): Promise<RegistryRefusedError> {
  return refusedWith(client, response.status, await registrySaid(response), doing, tail);
}

function refusedWith(client: RegistryClient, status: number, said: string, doing: string, tail = NOTHING_PUSHED): RegistryRefusedError {
  return new RegistryRefusedError(`registry ${client.registry} answered HTTP ${status} to ${doing} in ${client.repository}${said}; ${tail}`, {
    hint: `check that ${client.registry} is a Distribution API v2 registry that accepts OCI 1.1 artifacts, and that the reference is right`,
  });
}
