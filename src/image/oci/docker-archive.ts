// `docker save` and `skopeo copy ... docker-archive:` output: manifest.json names a config
// file and layer files (often uncompressed tars). A layer's blob digest is the sha256 of its
// file; where the file's name or the config's diff_id tells the digest beforehand, it is checked.
import path from 'node:path';
import { storeBlob, storeBlobBytes } from './blob-store.js';
import { sniffCompression, type Compression } from './decompress.js';
import { DigestMismatchError, ImageNotFoundError, InvalidImageError, NOTHING_STORED } from './image-errors.js';
import { sha256Digest } from './digest.js';
import { openTarFiles, type LayoutFiles } from './layout-files.js';
import { parseImageConfig } from './manifest.js';
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_LAYER_TAR, OCI_LAYER_ZSTD, OCI_MANIFEST } from './media-types.js';
import { checkPlatform, hostPlatform } from './platform.js';
import { runLimited } from './run-limited.js';
import type { PullOptions, PulledImage, PulledLayer } from './types.js';
import { formatImageRef, parseImageRef, type LocalImageRef } from './ref.js';

interface ArchiveEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

const LAYER_MEDIA_TYPES: Record<Compression, string> = { none: OCI_LAYER_TAR, gzip: OCI_LAYER_GZIP, zstd: OCI_LAYER_ZSTD };

/** `blobs/sha256/<hex>` (docker 25+), `<hex>.json`, `<hex>.tar` (skopeo): the name is the content's digest. */
function digestFromName(name: string): string | undefined {
  const match = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(name) ?? /^([a-f0-9]{64})\.(?:json|tar)$/.exec(path.posix.basename(name));
  return match?.[1] ? `sha256:${match[1]}` : undefined;
}

function canonical(tag: string): string {
  try {
    return formatImageRef(parseImageRef(tag));
  } catch {
    return tag;
  }
}

function selectEntry(entries: ArchiveEntry[], reference: string | undefined, where: string): ArchiveEntry {
  const tagsOf = (entry: ArchiveEntry) =>
    Array.isArray(entry.RepoTags) ? (entry.RepoTags as unknown[]).filter((tag): tag is string => typeof tag === 'string') : [];
  const all = entries.flatMap(tagsOf);
  const notFound = (why: string) =>
    new ImageNotFoundError(`image not found: ${where}: ${why}; ${NOTHING_STORED}`, {
      hint: `name an image after the path: ${all.map((tag) => `docker-archive:FILE:${tag}`).join(', ') || 'docker-archive:FILE:@0'}`,
    });
  if (reference === undefined) {
    if (entries.length === 1 && entries[0]) return entries[0];
    throw notFound(entries.length === 0 ? 'manifest.json lists no images' : `it holds ${entries.length} images (${all.join(', ') || 'untagged'})`);
  }
  const index = /^@(\d+)$/.exec(reference)?.[1];
  const chosen =
    index !== undefined
      ? entries[Number(index)]
      : entries.find((entry) => tagsOf(entry).some((tag) => tag === reference || canonical(tag) === canonical(reference)));
  if (!chosen) throw notFound(`no image ${JSON.stringify(reference)} in it (it has: ${all.join(', ') || 'untagged images'})`);
  return chosen;
}

async function headOf(files: LayoutFiles, name: string): Promise<Buffer> {
  for await (const chunk of files.open(name, 0)) return Buffer.from(chunk as Buffer).subarray(0, 4);
  return Buffer.alloc(0);
}

export async function pullDockerArchive(ref: LocalImageRef, options: PullOptions): Promise<PulledImage> {
  const absolute = path.resolve(ref.path);
  const where = formatImageRef({ ...ref, path: absolute });
  const files = await openTarFiles(absolute, where, options.blobsDir);
  const invalid = (why: string) =>
    new InvalidImageError(`${where}: ${why}; ${NOTHING_STORED}`, {
      hint: 'write the archive again (docker save -o FILE IMAGE, or skopeo copy ... docker-archive:FILE)',
    });
  try {
    const manifestBytes = await files.read('manifest.json');
    if (!manifestBytes) throw invalid('there is no manifest.json, so this is not a docker-archive (for an OCI archive use oci-archive:)');
    let entries: unknown;
    try {
      entries = JSON.parse(manifestBytes.toString('utf8'));
    } catch {
      throw invalid('manifest.json is not JSON');
    }
    if (!Array.isArray(entries)) throw invalid('manifest.json is not a list');
    const entry = selectEntry(entries as ArchiveEntry[], ref.reference, where);
    if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers) || !entry.Layers.every((layer) => typeof layer === 'string')) {
      throw invalid('a manifest.json entry lacks Config or Layers');
    }
    const layerNames = entry.Layers as string[];

    const configBytes = await files.read(entry.Config);
    if (!configBytes) throw invalid(`the config ${entry.Config} is missing`);
    const configDigest = sha256Digest(configBytes);
    const namedDigest = digestFromName(entry.Config);
    if (namedDigest && namedDigest !== configDigest) {
      throw new DigestMismatchError(`${where}: the config ${entry.Config} hashes to ${configDigest}; ${NOTHING_STORED}`, {
        hint: 'the archive is corrupted or was tampered with: write it again',
      });
    }
    const config = parseImageConfig(configBytes, `${where}: ${entry.Config}`, layerNames.length);
    checkPlatform(config, options.platform ?? hostPlatform(), where);
    await storeBlobBytes(options.blobsDir, configDigest, configBytes, `config of ${where}`);

    const items = layerNames.map((name, index) => ({ name, index }));
    const layers = await runLimited(items, options.concurrency ?? 4, options.signal, async ({ name, index }, signal): Promise<PulledLayer> => {
      const size = await files.size(name);
      if (size === undefined) throw invalid(`the layer ${name} is missing`);
      const diffId = config.rootfs.diff_ids[index] as string;
      const compression = sniffCompression(await headOf(files, name));
      const expected = digestFromName(name) ?? (compression === 'none' ? diffId : undefined);
      const stored = await storeBlob({
        blobsDir: options.blobsDir,
        digest: expected,
        size,
        open: async (start) => ({ body: files.open(name, start), start }),
        describe: `layer ${name} of ${where}`,
        signal,
        onProgress: (done, total, phase) => options.onProgress?.({ layer: expected ?? name, done, total: total ?? size, phase }),
        lock: options.lockBlob,
      });
      return { digest: stored.digest, diffId, mediaType: LAYER_MEDIA_TYPES[compression], size: stored.size, blobPath: stored.path };
    });

    // There is no registry manifest: the digest names the OCI manifest these blobs make up.
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
        layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
      }),
    );
    const manifestDigest = sha256Digest(manifest);
    await storeBlobBytes(options.blobsDir, manifestDigest, manifest, `manifest of ${where}`);
    return { ref: where, manifestDigest, configDigest, config, layers };
  } finally {
    await files.close();
  }
}
