// An image in an OCI image layout (image-spec image-layout.md): index.json names the images,
// blobs/sha256/<hex> holds them. The same for oci:DIR and oci-archive:FILE.
import { ImageNotFoundError, InvalidImageError, NOTHING_STORED } from './image-errors.js';
import { digestHex } from './digest.js';
import type { LayoutFiles } from './layout-files.js';
import { parseManifest, toFetchedManifest, type Descriptor, type FetchedManifest } from './manifest.js';
import { OCI_INDEX } from './media-types.js';
import type { ImageSource } from './source.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export function openLayoutSource(files: LayoutFiles, reference: string | undefined): ImageSource {
  const name = files.where;
  const blobName = (descriptor: Descriptor) => `blobs/sha256/${digestHex(descriptor.digest)}`;
  const missing = (what: string) =>
    new ImageNotFoundError(`image not found: ${name}: ${what}; ${NOTHING_STORED}`, {
      hint: 'check the path and the reference after it; `skopeo inspect` shows what the layout holds',
    });

  async function fetchManifest(descriptor: Descriptor): Promise<FetchedManifest> {
    const size = await files.size(blobName(descriptor));
    if (size === undefined) throw missing(`the manifest ${descriptor.digest} is not in it`);
    if (size > MAX_MANIFEST_BYTES)
      throw new InvalidImageError(`${name}: the manifest ${descriptor.digest} is over ${MAX_MANIFEST_BYTES} bytes; ${NOTHING_STORED}`, {
        hint: 'write the layout again with skopeo copy',
      });
    const bytes = (await files.read(blobName(descriptor))) as Buffer;
    return toFetchedManifest(bytes, descriptor.mediaType, descriptor.digest, `${name}: manifest ${descriptor.digest}`);
  }

  async function resolveRoot(): Promise<FetchedManifest> {
    const indexBytes = await files.read('index.json');
    if (!indexBytes) throw missing('there is no index.json, so this is not an OCI image layout');
    const indexFetched = toFetchedManifest(indexBytes, OCI_INDEX, undefined, `${name}: index.json`);
    const index = parseManifest(indexFetched, `${name}: index.json`);
    if (index.kind !== 'index')
      throw new InvalidImageError(`${name}: index.json is not an image index; ${NOTHING_STORED}`, { hint: 'write the layout again with skopeo copy' });
    const refNames = index.manifests.map((entry) => entry.annotations?.[REF_NAME]).filter((refName): refName is string => Boolean(refName));
    if (reference !== undefined) {
      const chosen = index.manifests.find((entry) => entry.annotations?.[REF_NAME] === reference || entry.digest === reference);
      if (!chosen) throw missing(`no image named ${JSON.stringify(reference)} (it has: ${refNames.join(', ') || 'no named images'})`);
      return fetchManifest(chosen);
    }
    const only = index.manifests.length === 1 ? index.manifests[0] : undefined;
    if (only) return fetchManifest(only);
    // Entries that all carry a platform: a multi-platform image; pullImage picks one.
    if (index.manifests.length > 0 && index.manifests.every((entry) => entry.platform)) return indexFetched;
    throw missing(
      index.manifests.length === 0
        ? 'index.json lists no images'
        : `it holds ${index.manifests.length} images; name one after the path (${refNames.map((refName) => `${name}:${refName}`).join(', ') || 'by digest'})`,
    );
  }

  return {
    name,
    resolveRoot,
    fetchManifest,
    openBlob: (descriptor) => async (start) => {
      if ((await files.size(blobName(descriptor))) === undefined) throw missing(`the blob ${descriptor.digest} is not in it`);
      return { body: files.open(blobName(descriptor), start), start };
    },
    describeFailure: (error) => error,
    close: () => files.close(),
  };
}
