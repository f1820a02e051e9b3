// What pullImage takes and gives.
import type { BlobPhase } from './blob-store.js';
import type { ImageConfig, Platform } from './manifest.js';

export interface PullProgress {
  /** The layer's digest. */
  readonly layer: string;
  readonly done: number;
  readonly total: number;
  /** cached: already in blobsDir; retrying: a network error, another try follows. */
  readonly phase: BlobPhase;
}

export interface PullOptions {
  /** Blobs are stored in BLOBS/sha256/<hex>. */
  readonly blobsDir: string;
  /** Default: linux and this machine's architecture. */
  readonly platform?: Platform | undefined;
  /** Registries (host, host:port or IPv4 CIDR) that may be reached over plain HTTP; loopback always may. */
  readonly insecureRegistries?: readonly string[] | undefined;
  /** Where auth files are looked up (REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, DOCKER_CONFIG, HOME); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: PullProgress) => void) | undefined;
  /** Layers downloaded at once; default 4. */
  readonly concurrency?: number | undefined;
  /** Waits before each retry of a failed request; default 0.5 s, 1 s, 2 s. */
  readonly retryDelaysMs?: readonly number[] | undefined;
  /** Other processes sharing blobsDir: see BlobLocker. Default: none (one process per blobsDir). */
  readonly lockBlob?: BlobLocker | undefined;
}

/**
 * Holds a blob's download against other processes: resolves `present` when, once it may go
 * on, the blob is already stored (another process fetched it meanwhile), else the lock to
 * release when this process is done with it.
 */
export type BlobLocker = (digest: string, isPresent: () => boolean, signal?: AbortSignal) => Promise<'present' | { release(): void }>;

export interface PulledLayer {
  /** The blob's digest, as the manifest names it (compressed). */
  readonly digest: string;
  /** The sha256 of the uncompressed tar, from the config's rootfs.diff_ids. */
  readonly diffId: string;
  readonly mediaType: string;
  readonly size: number;
  readonly blobPath: string;
}

export interface PulledImage {
  /** The reference pulled, in canonical form: `docker.io/library/node:22-bookworm`. */
  readonly ref: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly config: ImageConfig;
  readonly layers: readonly PulledLayer[];
}
