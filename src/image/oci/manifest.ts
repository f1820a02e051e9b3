// Manifests, indexes and image configs: parsed and checked before anything is trusted.
import { DigestMismatchError, InvalidImageError, NOTHING_STORED } from './image-errors.js';
import { isDigest, sha256Digest } from './digest.js';
import { DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED, OCI_INDEX, OCI_MANIFEST, isIndexMediaType, isManifestMediaType } from './media-types.js';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A manifest or index exactly as the source sent it; `digest` is the sha256 of `bytes`. */
export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** The OCI image config (image-spec config.md); Docker's is the same shape. */
export interface ImageConfig {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly config?: {
    readonly Env?: readonly string[];
    readonly Cmd?: readonly string[];
    readonly Entrypoint?: readonly string[];
    readonly WorkingDir?: string;
    readonly User?: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly ExposedPorts?: Readonly<Record<string, object>>;
    readonly Volumes?: Readonly<Record<string, object>>;
    readonly StopSignal?: string;
  };
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: readonly object[];
  readonly created?: string;
}

function invalid(where: string, why: string): InvalidImageError {
  return new InvalidImageError(`${where}: ${why}; ${NOTHING_STORED}`, {
    hint: 'the image was pushed or saved in a broken form; push or save it again with docker, podman, buildah or skopeo',
  });
}

export function parseJson(bytes: Buffer, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalid(where, `not JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(where, 'not a JSON object');
  return value as Record<string, unknown>;
}

export function parseDescriptor(value: unknown, where: string): Descriptor {
  const entry = value as Partial<Descriptor> | null;
  if (!entry || typeof entry !== 'object') throw invalid(where, 'a descriptor is not an object');
  if (!isDigest(entry.digest)) throw invalid(where, `the digest ${JSON.stringify(entry.digest)} is not sha256:<64 hex digits>`);
  if (!Number.isSafeInteger(entry.size) || (entry.size as number) < 0) throw invalid(where, `the size of ${entry.digest} is not a byte count`);
  if (typeof entry.mediaType !== 'string') throw invalid(where, `${entry.digest} has no mediaType`);
  return entry as Descriptor;
}

/** An index or an image manifest; schema 1 and anything else is refused. */
export function parseManifest(fetched: FetchedManifest, where: string): ImageIndex | ImageManifest {
  const json = parseJson(fetched.bytes, where);
  if (json.schemaVersion === 1 || fetched.mediaType === DOCKER_MANIFEST_V1 || fetched.mediaType === DOCKER_MANIFEST_V1_SIGNED) {
    throw invalid(where, 'Docker schema 1 manifests are not supported (deprecated since 2017)');
  }
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : guessMediaType(json, fetched.mediaType);
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(json.manifests)) throw invalid(where, 'the index has no manifests list');
    return { kind: 'index', mediaType, manifests: json.manifests.map((entry) => parseDescriptor(entry, where)) };
  }
  if (isManifestMediaType(mediaType)) {
    if (!Array.isArray(json.layers)) throw invalid(where, 'the manifest has no layers list');
    return { kind: 'manifest', mediaType, config: parseDescriptor(json.config, where), layers: json.layers.map((entry) => parseDescriptor(entry, where)) };
  }
  throw invalid(where, `unsupported manifest media type ${JSON.stringify(mediaType)}`);
}

/** OCI allows an absent mediaType; the registry's Content-Type or the fields then tell. */
function guessMediaType(json: Record<string, unknown>, contentType: string): string {
  if (isIndexMediaType(contentType) || isManifestMediaType(contentType)) return contentType;
  if (Array.isArray(json.manifests)) return OCI_INDEX;
  if (json.config && Array.isArray(json.layers)) return OCI_MANIFEST;
  return contentType;
}

export function parseImageConfig(bytes: Buffer, where: string, layerCount: number): ImageConfig {
  const json = parseJson(bytes, where) as Partial<ImageConfig>;
  const diffIds = json.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every(isDigest)) throw invalid(where, 'rootfs.diff_ids is missing or holds a digest that is not sha256');
  if (diffIds.length !== layerCount) throw invalid(where, `the config lists ${diffIds.length} diff_ids but the manifest ${layerCount} layers`);
  return json as ImageConfig;
}

/** Bytes read as a manifest, checked against the digest that named them (by digest, or an index entry). */
export function toFetchedManifest(bytes: Buffer, mediaType: string, expectedDigest: string | undefined, where: string): FetchedManifest {
  const digest = sha256Digest(bytes);
  if (expectedDigest !== undefined && digest !== expectedDigest) {
    throw new DigestMismatchError(`${where}: the manifest's bytes hash to ${digest}, not ${expectedDigest}; ${NOTHING_STORED}`, {
      hint: 'the source holds a corrupted or tampered manifest: push or save the image again, and check proxies between you and the registry',
    });
  }
  return { bytes, digest, mediaType };
}
