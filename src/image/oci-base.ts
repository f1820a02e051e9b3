// `image: node:22-bookworm`, `ghcr.io/o/r:tag`, `oci:DIR`, ...: pulled (or read from an archive)
// into verified blobs, then each layer extracted once into the store as a layer named by its
// uncompressed digest. An image already in the store is used without asking the registry
// (`docker run`'s default); `--pull always` asks it again, `--pull never` never asks it.
import { acquireBuildLock, type BuildLock } from '../store/lock.js';
import type { StorePaths } from '../store/paths.js';
import type { PullPolicy } from './resolve-base.js';
import { ensureExtractedLayer, findImage, saveImage, type ImageRecord } from '../store/images.js';
import { baseOf, type Base } from './base.js';
import { formatImageRef, openLayerTar, parseImageRef, pullImage, type PullProgress } from './oci/index.js';
import { LAYER_FORMAT } from '../store/layers.js';

export interface OciBaseOptions {
  readonly store: StorePaths;
  readonly insecureRegistries?: readonly string[] | undefined;
  readonly pull?: PullPolicy | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onStatus?: ((line: string) => void) | undefined;
}

export async function resolveOciBase(text: string, options: OciBaseOptions): Promise<Base> {
  const ref = parseImageRef(text);
  const canonical = formatImageRef(ref);
  // A registry image is looked up in the store first; a local archive or layout is re-read
  // (its blobs are stored once and its layers extracted once either way).
  const pull = options.pull ?? 'missing';
  if (ref.transport === 'docker' && pull !== 'always') {
    const found = findImage(options.store, canonical);
    if (found) return baseOf(found.record, found.layers);
    if (pull === 'never')
      throw new Error(`${canonical} is not in the layer store, and --pull never forbids asking the registry for it (run once without --pull never to pull it)`);
  }
  options.onStatus?.(`${text}: ${ref.transport === 'docker' ? 'pulling' : 'reading'}`);
  const pulled = await pullImage(ref, {
    blobsDir: options.store.blobs,
    insecureRegistries: options.insecureRegistries,
    signal: options.signal,
    onProgress: progressPrinter(text, options.onStatus),
    lockBlob: (digest, isPresent, signal) => lockBlob(options.store, digest, isPresent, signal),
  });
  const layerIds: string[] = [];
  let parent: string | null = null;
  for (const [index, layer] of pulled.layers.entries()) {
    const id = layer.diffId.replace(/^sha256:/, '');
    options.onStatus?.(`${text}: layer ${index + 1}/${pulled.layers.length} ${layer.diffId.slice(7, 19)}`);
    await ensureExtractedLayer(options.store, {
      id,
      parent,
      kind: 'image',
      description: `${pulled.ref} layer ${index + 1}/${pulled.layers.length}`,
      key: { format: LAYER_FORMAT, diffId: layer.diffId, blob: layer.digest, mediaType: layer.mediaType },
      signal: options.signal,
      open: () => openLayerTar(layer),
    });
    layerIds.push(id);
    parent = id;
  }
  const config = pulled.config.config;
  const runConfig = { workdir: config?.WorkingDir || '/', user: config?.User ?? '', cmd: config?.Cmd ?? null, entrypoint: config?.Entrypoint ?? null };
  const record: ImageRecord = { ref: canonical, kind: 'oci', digest: pulled.manifestDigest, layerIds, env: envOf(config?.Env ?? []), runConfig };
  saveImage(options.store, record);
  const stored = findImage(options.store, canonical);
  if (!stored) throw new Error(`image ${text}: its layers were removed from the store while it was being pulled`);
  return baseOf(stored.record, stored.layers);
}

/** Runners sharing a store download each blob once: the others wait on the store's lock for it. */
async function lockBlob(store: StorePaths, digest: string, isPresent: () => boolean, signal?: AbortSignal): Promise<'present' | BuildLock> {
  const held = await acquireBuildLock(store, `blob-${digest.replace(/^sha256:/, '')}`, () => (isPresent() ? ('present' as const) : undefined), signal);
  return 'value' in held ? held.value : held.lock;
}

function envOf(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/** One line per layer when it starts and when it is done, not per chunk: CI logs stay short. */
function progressPrinter(text: string, onStatus?: (line: string) => void): ((progress: PullProgress) => void) | undefined {
  if (!onStatus) return undefined;
  const reported = new Map<string, string>();
  return (progress) => {
    const short = progress.layer.replace(/^sha256:/, '').slice(0, 12);
    const state =
      progress.phase === 'cached' ? 'cached' : progress.done >= progress.total ? 'done' : progress.phase === 'retrying' ? 'retrying' : 'downloading';
    if (reported.get(progress.layer) === state) return;
    reported.set(progress.layer, state);
    const mb = (progress.total / 1e6).toFixed(1);
    onStatus(`${text}: blob ${short} ${state} (${mb} MB)`);
  };
}
