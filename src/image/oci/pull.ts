// pullImage: reference -> source -> (index -> this platform) -> manifest -> config -> layers,
// every blob verified and stored in BLOBS/sha256/<hex>, layers downloaded in parallel.
import fs from 'node:fs/promises';
import path from 'node:path';
import { storeBlob, storeBlobBytes, type BlobPhase, type StoredBlob } from './blob-store.js';
import { pullDockerArchive } from './docker-archive.js';
import { InvalidImageError, NOTHING_STORED } from './image-errors.js';
import { openDirFiles, openTarFiles } from './layout-files.js';
import { openLayoutSource } from './layout-source.js';
import { parseImageConfig, parseManifest, type Descriptor, type ImageManifest, type Platform } from './manifest.js';
import type { PullOptions, PulledImage } from './types.js';
import { checkPlatform, hostPlatform, selectPlatform } from './platform.js';
import { runLimited } from './run-limited.js';
import { formatImageRef, type ImageRef } from './ref.js';
import { openRegistrySource } from './registry-source.js';
import type { ImageSource } from './source.js';

const DEFAULT_CONCURRENCY = 4;
const MAX_INDEX_DEPTH = 3;

export async function pullImage(ref: ImageRef, options: PullOptions): Promise<PulledImage> {
  if (ref.transport === 'docker-archive') return pullDockerArchive(ref, options);
  const source = await openSource(ref, options);
  try {
    return await pullFromSource(source, options);
  } finally {
    await source.close();
  }
}

async function openSource(ref: ImageRef, options: PullOptions): Promise<ImageSource> {
  if (ref.transport === 'docker') {
    return openRegistrySource(ref, {
      insecureRegistries: options.insecureRegistries ?? [],
      env: options.env ?? process.env,
      signal: options.signal,
      retryDelaysMs: options.retryDelaysMs,
    });
  }
  const absolute = path.resolve(ref.path);
  const where = formatImageRef({ ...ref, path: absolute });
  const files = ref.transport === 'oci' ? await openDirFiles(absolute, where) : await openTarFiles(absolute, where, options.blobsDir);
  return openLayoutSource(files, ref.reference);
}

/** Follows indexes to the manifest for `platform`. */
async function resolveManifest(source: ImageSource, platform: Platform): Promise<{ manifest: ImageManifest; digest: string; bytes: Buffer; chosen: boolean }> {
  let fetched = await source.resolveRoot();
  let chosen = false;
  for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
    const parsed = parseManifest(fetched, `manifest of ${source.name}`);
    if (parsed.kind === 'manifest') return { manifest: parsed, digest: fetched.digest, bytes: fetched.bytes, chosen };
    fetched = await source.fetchManifest(selectPlatform(parsed, platform, source.name));
    chosen = true;
  }
  throw new InvalidImageError(`${source.name}: indexes nested more than ${MAX_INDEX_DEPTH} deep; ${NOTHING_STORED}`, {
    hint: 'push the image again with docker buildx, podman or skopeo',
  });
}

export async function pullFromSource(source: ImageSource, options: PullOptions): Promise<PulledImage> {
  const platform = options.platform ?? hostPlatform();
  const { blobsDir } = options;
  const store = (
    descriptor: Descriptor,
    signal: AbortSignal | undefined,
    onProgress?: (done: number, total: number | undefined, phase: BlobPhase) => void,
  ): Promise<StoredBlob> =>
    storeBlob({
      blobsDir,
      digest: descriptor.digest,
      size: descriptor.size,
      open: source.openBlob(descriptor),
      describe: `blob ${descriptor.digest} of ${source.name}`,
      signal,
      retryDelaysMs: source.retryDelaysMs,
      onProgress,
      lock: options.lockBlob,
    }).catch((error: unknown) => {
      throw source.describeFailure(error, `download blob ${descriptor.digest} of ${source.name}`);
    });

  const { manifest, digest: manifestDigest, bytes: manifestBytes, chosen } = await resolveManifest(source, platform);
  const configBlob = await store(manifest.config, options.signal);
  const config = parseImageConfig(await fs.readFile(configBlob.path), `config ${manifest.config.digest} of ${source.name}`, manifest.layers.length);
  if (!chosen) checkPlatform(config, platform, source.name);
  await storeBlobBytes(blobsDir, manifestDigest, manifestBytes, `manifest of ${source.name}`);

  const stored = await runLimited(manifest.layers, options.concurrency ?? DEFAULT_CONCURRENCY, options.signal, (layer, signal) =>
    store(layer, signal, (done, total, phase) => options.onProgress?.({ layer: layer.digest, done, total: total ?? layer.size, phase })),
  );
  return {
    ref: source.name,
    manifestDigest,
    configDigest: manifest.config.digest,
    config,
    layers: manifest.layers.map((layer, index) => ({
      digest: layer.digest,
      diffId: config.rootfs.diff_ids[index] as string,
      mediaType: layer.mediaType,
      size: layer.size,
      blobPath: (stored[index] as StoredBlob).path,
    })),
  };
}
