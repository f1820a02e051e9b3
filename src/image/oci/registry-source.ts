// An image in a registry: manifests by tag or digest, blobs with Range resume.
import type { BlobOpener } from './blob-store.js';
import { unauthorizedError } from './auth.js';
import { RegistryUnreachableError, NOTHING_STORED } from './image-errors.js';
import { toFetchedManifest, type Descriptor, type FetchedManifest } from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { formatImageRef, type RegistryImageRef } from './ref.js';
import { RegistryClient, notFoundError, registrySaid, type RegistryClientOptions } from './registry-client.js';
import type { ImageSource } from './source.js';
import { findCredentials } from './credentials.js';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export function openRegistrySource(ref: RegistryImageRef, options: RegistryClientOptions): ImageSource {
  const client = new RegistryClient(ref, options);
  const name = formatImageRef(ref);
  const blobsPath = `/v2/${ref.repository}/blobs/`;

  async function failWith(response: Response, what: string): Promise<never> {
    const said = await registrySaid(response);
    if (response.status === 404) throw notFoundError(what, said);
    if (response.status === 403)
      throw unauthorizedError(ref.registry, await findCredentials(ref.registry, ref.repository, options.env), `HTTP 403 for ${ref.repository}${said}`);
    throw new RegistryUnreachableError(`registry ${ref.registry} answered HTTP ${response.status} for ${what}${said}; ${NOTHING_STORED}`, {
      hint: `check that ${ref.registry} is a Distribution API v2 registry and that the image reference is right`,
    });
  }

  async function fetchManifest(reference: string, expectedDigest: string | undefined, what: string): Promise<FetchedManifest> {
    return client.withRetries(`fetch the manifest of ${what}`, async () => {
      const response = await client.request(`/v2/${ref.repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT });
      if (!response.ok) return failWith(response, what);
      if (Number(response.headers.get('content-length')) > MAX_MANIFEST_BYTES) {
        await response.body?.cancel();
        throw new RegistryUnreachableError(`registry ${ref.registry} sent a manifest over ${MAX_MANIFEST_BYTES} bytes for ${what}; ${NOTHING_STORED}`, {
          hint: 'this is not an image manifest: check the image reference',
        });
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      return toFetchedManifest(bytes, mediaType, expectedDigest, `manifest of ${what}`);
    });
  }

  function openBlob(descriptor: Descriptor): BlobOpener {
    return async (start, signal) => {
      let response = await client.request(`${blobsPath}${descriptor.digest}`, start > 0 ? { range: `bytes=${start}-`, signal } : { signal });
      if (response.status === 416) {
        await response.body?.cancel();
        response = await client.request(`${blobsPath}${descriptor.digest}`, { signal });
      }
      if (!response.ok) return failWith(response, `blob ${descriptor.digest} of ${name}`);
      const resumedAt = response.status === 206 ? Number(/^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1] ?? 0) : 0;
      if (response.status === 206 && resumedAt !== start) {
        // A range we did not ask for: ask again for the whole blob.
        await response.body?.cancel();
        response = await client.request(`${blobsPath}${descriptor.digest}`, { signal });
        if (!response.ok) return failWith(response, `blob ${descriptor.digest} of ${name}`);
        return { body: response.body ?? [], start: 0 };
      }
      return { body: response.body ?? [], start: resumedAt };
    };
  }

  return {
    name,
    resolveRoot: () => fetchManifest(ref.digest ?? ref.tag ?? 'latest', ref.digest, name),
    fetchManifest: (descriptor) => fetchManifest(descriptor.digest, descriptor.digest, `${name} (${descriptor.digest})`),
    openBlob,
    describeFailure: (error, doing) => client.describeFailure(error, doing),
    retryDelaysMs: options.retryDelaysMs,
    close: async () => {},
  };
}
