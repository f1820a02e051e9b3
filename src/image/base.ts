// A job's base: what its filesystem starts from before setup layers. `host` is the host's own
// system dirs; OCI and debian bases are stacks of layers in the store (image/oci.ts, debian.ts).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { ImageRecord, ImageRunConfig } from '../store/images.js';
import { touchLayer, type Layer } from '../store/layers.js';

export interface Base {
  readonly kind: 'host' | 'oci' | 'debian';
  /** What setup keys build on: changes when the base's content may have changed. */
  readonly id: string;
  /** The image's layers' root trees, top first (empty for host). */
  readonly rootLowers: readonly string[];
  /** The image config's Env (empty for host: the host's PATH is passed instead). */
  readonly env: Readonly<Record<string, string>>;
  /** The manifest digest of an OCI image, the layer digest of a debian base; null for host. */
  readonly digest: string | null;
  /** An OCI image's WorkingDir, User, Cmd, Entrypoint (what a Dockerfile FROM it starts with). */
  readonly runConfig?: ImageRunConfig | undefined;
}

let hostBase: Base | undefined;

/**
 * The host base's id covers the distribution release and the architecture. Tools the host
 * updates in place (a new node in /usr/bin) are not part of it: `--no-cache` rebuilds then.
 */
export function hostBaseOf(): Base {
  if (hostBase) return hostBase;
  let release = '';
  try {
    release = fs.readFileSync('/etc/os-release', 'utf8');
  } catch {
    // a host without os-release: its id is just the architecture
  }
  const id = createHash('sha256')
    .update(JSON.stringify({ base: 'host', release, arch: os.arch() }))
    .digest('hex');
  hostBase = { kind: 'host', id, rootLowers: [], env: {}, digest: null };
  return hostBase;
}

/** The Base of a stored image; its layers' last use is now (the store prunes the least recently used). */
export function baseOf(record: ImageRecord, layers: readonly Layer[]): Base {
  for (const layer of layers) touchLayer(layer);
  return {
    kind: record.kind,
    id: createHash('sha256')
      .update(JSON.stringify({ base: record.kind, digest: record.digest }))
      .digest('hex'),
    rootLowers: layers.map((layer) => layer.root).reverse(),
    env: record.env,
    digest: record.digest,
    runConfig: record.runConfig,
  };
}
