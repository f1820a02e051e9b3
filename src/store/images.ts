// Base images as layers in the store (image/ turns a record into a job's Base): each image layer extracted once (rootless, by
// native/layer's extractor) into a committed layer named by its uncompressed digest, reused by
// every image that contains it. A base is resolved from images/<ref hash>.json when the image is
// already there (as `docker run` does without --pull), else pulled.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { writeFileAtomically } from '../core/atomic-write.js';
import { acquireBuildLock } from './lock.js';
import { commitLayer, findLayer, stageLayer, type Layer } from './layers.js';
import { tempPath, type StorePaths } from './paths.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { runLayerTool, storeNeedsUserns } from './tool.js';

export interface ImageRecord {
  readonly ref: string;
  readonly kind: 'oci' | 'debian';
  /** The manifest digest (OCI) or the rootfs layer's digest (debian). */
  readonly digest: string;
  /** Bottom first. */
  readonly layerIds: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The image config's WorkingDir, User, Cmd and Entrypoint (a Dockerfile FROM it starts there); absent in records of older versions. */
  readonly runConfig?: ImageRunConfig;
}

export interface ImageRunConfig {
  readonly workdir: string;
  readonly user: string;
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
}

function recordPath(paths: StorePaths, ref: string): string {
  return path.join(paths.images, `${createHash('sha256').update(ref).digest('hex')}.json`);
}

/** The stored image for `ref` when every one of its layers is still in the store. */
export function findImage(paths: StorePaths, ref: string): { record: ImageRecord; layers: Layer[] } | undefined {
  let record: ImageRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordPath(paths, ref), 'utf8')) as ImageRecord;
  } catch {
    return undefined;
  }
  const layers = record.layerIds.map((id) => findLayer(paths, id));
  if (layers.some((layer) => layer === undefined)) return undefined;
  return { record, layers: layers as Layer[] };
}

export function saveImage(paths: StorePaths, record: ImageRecord): void {
  const target = recordPath(paths, record.ref);
  // In the store's tmp/ under this process's name: a kill mid-write leaves what the next run reaps.
  writeFileAtomically(target, `${JSON.stringify(record, null, 2)}\n`, tempPath(paths, 'image'));
}

export interface ExtractRequest {
  readonly id: string;
  readonly parent: string | null;
  readonly description: string;
  readonly kind: 'image' | 'debian';
  /** Opens the layer's uncompressed tar stream (called only when the layer must be built). */
  readonly open: () => Readable;
  readonly key: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal | undefined;
}

/** The layer `id`, extracted from its tar stream unless the store has it; built once across processes. */
export async function ensureExtractedLayer(paths: StorePaths, request: ExtractRequest): Promise<Layer> {
  const acquired = await acquireBuildLock(paths, request.id, () => findLayer(paths, request.id), request.signal);
  if ('value' in acquired) return acquired.value;
  try {
    const staged = stageLayer(paths, request.kind);
    try {
      // With a subuid range, extraction runs in the user namespace and keeps the image's owners;
      // without one, only uid 0 exists inside: every file becomes the user's (root in the job).
      const owners = storeNeedsUserns() || process.getuid?.() === 0 ? 'keep' : 'root';
      await runLayerTool(['extract', staged.root, '--owners', owners], { dirs: [staged.root], input: request.open() });
      return await commitLayer(paths, staged, {
        id: request.id,
        kind: request.kind,
        parent: request.parent,
        key: request.key,
        description: request.description,
      });
    } catch (error) {
      await removeTree(staged.dir);
      throw error;
    }
  } finally {
    acquired.lock.release();
  }
}
