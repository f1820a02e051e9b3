// Where an image comes from: a registry, an OCI layout dir, or an OCI layout in a tar.
// pullImage walks any of them the same way: root -> (index -> platform) -> manifest -> blobs.
import type { BlobOpener } from './blob-store.js';
import type { Descriptor, FetchedManifest } from './manifest.js';

export interface ImageSource {
  /** The canonical reference, for messages: `docker.io/library/node:22`, `oci-archive:/tmp/x.tar`. */
  readonly name: string;
  /** The manifest or index that the reference names. */
  resolveRoot(): Promise<FetchedManifest>;
  /** A manifest named by an index entry, checked against the entry's digest. */
  fetchManifest(descriptor: Descriptor): Promise<FetchedManifest>;
  openBlob(descriptor: Descriptor): BlobOpener;
  /** Turns a failure into the error the user sees (e.g. retries spent -> REGISTRY_UNREACHABLE). */
  describeFailure(error: unknown, doing: string): unknown;
  readonly retryDelaysMs?: readonly number[] | undefined;
  close(): Promise<void>;
}
