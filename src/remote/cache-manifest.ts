// The registry cache's manifest: an OCI 1.1 artifact (artifactType, the empty config) whose layers
// are cubicle's own layer archives (one `cache export` archive of one layer each, tar + zstd), each
// annotated with its layer id (a setup step's key), parent, kind and content digest, and the
// timings of the last trusted run as one more blob. What a registry sends back is hostile input:
// parsed strictly here before anything is downloaded.
import * as z from 'zod';
import { sha256Digest } from '../image/oci/digest.js';
import { OCI_MANIFEST } from '../image/oci/media-types.js';
import type { LayerKind, LayerMeta } from '../store/layers.js';

export const CACHE_ARTIFACT_TYPE = 'application/vnd.cubicle.cache.v1+json';
export const LAYER_MEDIA_TYPE = 'application/vnd.cubicle.layer.v1.tar+zstd';
export const TIMINGS_MEDIA_TYPE = 'application/vnd.cubicle.timings.v1+xml';
/** The OCI 1.1 empty descriptor: the config of an artifact that needs none. */
export const EMPTY_CONFIG = Buffer.from('{}');
export const EMPTY_CONFIG_DESCRIPTOR = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: sha256Digest(EMPTY_CONFIG),
  size: EMPTY_CONFIG.length,
} as const;

const ANNOTATION = {
  id: 'dev.cubicle.layer.id',
  parent: 'dev.cubicle.layer.parent',
  kind: 'dev.cubicle.layer.kind',
  digest: 'dev.cubicle.layer.digest',
  timings: 'dev.cubicle.timings',
} as const;

/**
 * Registries refuse manifests over 4 MiB (distribution's default); an entry is about 600 bytes.
 * The oldest entries go first when a push would pass this many.
 */
export const MAX_ENTRIES = 2000;

/** A layer the registry holds. */
export interface CacheEntry {
  readonly id: string;
  /** null: a base image's bottom layer. */
  readonly parent: string | null;
  readonly kind: LayerKind;
  /** The layer's content digest (meta.json's, native/layer digest): checked again after the import. */
  readonly contentDigest: string;
  /** The archive blob. */
  readonly blob: { readonly digest: string; readonly size: number };
}

export interface CacheIndex {
  /** Parents before children, oldest first. */
  readonly entries: readonly CacheEntry[];
  readonly timings: { readonly digest: string; readonly size: number } | undefined;
}

export const EMPTY_INDEX: CacheIndex = { entries: [], timings: undefined };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const size = z
  .number()
  .int()
  .min(0)
  .max(2 ** 45);

const descriptorSchema = z.object({
  mediaType: z.string().max(255),
  digest,
  size,
  annotations: z.record(z.string().max(255), z.string().max(4096)).optional(),
});

const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(OCI_MANIFEST).optional(),
  artifactType: z.literal(CACHE_ARTIFACT_TYPE),
  layers: z.array(descriptorSchema).max(MAX_ENTRIES + 1),
});

const layerAnnotations = z.object({
  [ANNOTATION.id]: hex64,
  [ANNOTATION.parent]: z.union([hex64, z.literal('')]),
  [ANNOTATION.kind]: z.enum(['setup', 'image', 'debian']),
  [ANNOTATION.digest]: digest,
});

/** Thrown for a manifest at the cache's reference that is not a cubicle cache, or not a well-formed one. */
export class NotACacheError extends Error {
  override readonly name = 'NotACacheError';
}

/** The index of a manifest's bytes; entries whose annotations do not parse are left out (`dropped`). */
export function parseCacheManifest(bytes: Buffer): { index: CacheIndex; dropped: number } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new NotACacheError('its manifest is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const type = (json as { artifactType?: unknown } | null)?.artifactType;
    throw new NotACacheError(
      type === CACHE_ARTIFACT_TYPE
        ? `its manifest is malformed (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`
        : `it is not a cubicle cache (artifactType ${JSON.stringify(type ?? null)}, expected ${CACHE_ARTIFACT_TYPE})`,
    );
  }
  const entries: CacheEntry[] = [];
  const seen = new Set<string>();
  let timings: CacheIndex['timings'];
  let dropped = 0;
  for (const layer of parsed.data.layers) {
    if (layer.mediaType === TIMINGS_MEDIA_TYPE && layer.annotations?.[ANNOTATION.timings] === 'junit') {
      timings ??= { digest: layer.digest, size: layer.size };
      continue;
    }
    const annotations = layerAnnotations.safeParse(layer.annotations ?? {});
    if (layer.mediaType !== LAYER_MEDIA_TYPE || !annotations.success) {
      dropped += 1;
      continue;
    }
    const id = annotations.data[ANNOTATION.id];
    if (seen.has(id)) continue;
    seen.add(id);
    const parent = annotations.data[ANNOTATION.parent];
    entries.push({
      id,
      parent: parent === '' ? null : parent,
      kind: annotations.data[ANNOTATION.kind],
      contentDigest: annotations.data[ANNOTATION.digest],
      blob: { digest: layer.digest, size: layer.size },
    });
  }
  return { index: { entries, timings }, dropped };
}

/** The entry a local layer's archive blob gets. */
export function entryOf(meta: LayerMeta, blob: { digest: string; size: number }): CacheEntry {
  return { id: meta.id, parent: meta.parent, kind: meta.kind, contentDigest: meta.digest, blob };
}

/** `older` then `newer` (by id, the newer entry wins), keeping the newest MAX_ENTRIES. */
export function mergeEntries(older: readonly CacheEntry[], newer: readonly CacheEntry[]): CacheEntry[] {
  const fresh = new Set(newer.map((entry) => entry.id));
  const merged = [...older.filter((entry) => !fresh.has(entry.id)), ...newer];
  return merged.slice(Math.max(0, merged.length - MAX_ENTRIES));
}

/** The manifest's bytes: the empty config, then every layer, then the timings. */
export function serializeCacheManifest(index: CacheIndex, created = new Date()): Buffer {
  const layers = index.entries.map((entry) => ({
    mediaType: LAYER_MEDIA_TYPE,
    digest: entry.blob.digest,
    size: entry.blob.size,
    annotations: {
      [ANNOTATION.id]: entry.id,
      [ANNOTATION.parent]: entry.parent ?? '',
      [ANNOTATION.kind]: entry.kind,
      [ANNOTATION.digest]: entry.contentDigest,
    },
  }));
  if (index.timings) layers.push({ mediaType: TIMINGS_MEDIA_TYPE, ...index.timings, annotations: { [ANNOTATION.timings]: 'junit' } } as never);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: CACHE_ARTIFACT_TYPE,
    config: EMPTY_CONFIG_DESCRIPTOR,
    layers,
    annotations: { 'org.opencontainers.image.created': created.toISOString() },
  };
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}
