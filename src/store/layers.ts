// Committed layers: immutable directories named by id, each with root/ (the image filesystem's
// diff), ws/ (the checkout's diff) and meta.json. A layer is built in tmp/ and renamed into
// layers/ whole, so a layer that is there is complete; last use is meta.json's mtime.
import fs from 'node:fs';
import path from 'node:path';
import { removeTree } from '../sandbox/remove-tree.js';
import { isStaleRunName } from '../core/process-tag.js';
import { reapTempBlobs } from './blobs.js';
import { reapStaleLocks } from './lock.js';
import { ensureStore, namesIn, tempPath, type StorePaths } from './paths.js';
import { digestTrees } from './tool.js';

/** Bumped when the layout of a layer or the meaning of a key changes (plan/step-key.ts, image/*.ts). */
export const LAYER_FORMAT = 1;

export type LayerKind = 'setup' | 'image' | 'debian';

export interface LayerMeta {
  readonly id: string;
  readonly kind: LayerKind;
  /** sha256 of the trees' content and metadata (native/layer digest), checked by `cache verify`. */
  readonly digest: string;
  /** The layer below (a setup step's previous step or base image top layer); null for a base. */
  readonly parent: string | null;
  /** What the id was computed from, for `cache ls` and debugging a miss. */
  readonly key: Readonly<Record<string, unknown>>;
  /** What made it: the step's command, the image reference. */
  readonly description: string;
  readonly sizeBytes: number;
  readonly created: string;
}

export interface Layer {
  readonly meta: LayerMeta;
  readonly dir: string;
  readonly root: string;
  readonly ws: string;
  /** Last use (meta.json's mtime). */
  readonly lastUsed: Date;
}

export const LAYER_ID = /^[0-9a-f]{64}$/;

/** The layer in `dir` (in layers/, or staged by an import); undefined without a readable meta.json. */
export function readLayerAt(dir: string): Layer | undefined {
  try {
    const metaPath = path.join(dir, 'meta.json');
    const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as LayerMeta;
    return { meta, dir, root: path.join(dir, 'root'), ws: path.join(dir, 'ws'), lastUsed: fs.statSync(metaPath).mtime };
  } catch {
    return undefined;
  }
}

export function findLayer(paths: StorePaths, id: string): Layer | undefined {
  return readLayerAt(path.join(paths.layers, id));
}

export function listLayers(paths: StorePaths): Layer[] {
  return namesIn(paths.layers)
    .filter((name) => LAYER_ID.test(name))
    .flatMap((name) => readLayerAt(path.join(paths.layers, name)) ?? []);
}

/** Marks a layer used now (for prune's least-recently-used order). */
export function touchLayer(layer: Layer): void {
  const now = new Date();
  try {
    fs.utimesSync(path.join(layer.dir, 'meta.json'), now, now);
  } catch {
    // pruned meanwhile: the caller holds its trees open through the mount already
  }
}

/** A fresh dir under tmp/ to build a layer in, with empty root/ and ws/. */
export function stageLayer(paths: StorePaths, label: string): { dir: string; root: string; ws: string } {
  ensureStore(paths);
  const dir = tempPath(paths, label);
  fs.mkdirSync(dir, { mode: 0o700 });
  const root = path.join(dir, 'root');
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(root, { mode: 0o755 });
  fs.mkdirSync(ws, { mode: 0o755 });
  return { dir, root, ws };
}

export interface CommitRequest {
  readonly id: string;
  readonly kind: LayerKind;
  readonly parent: string | null;
  readonly key: Readonly<Record<string, unknown>>;
  readonly description: string;
  /** --no-cache: a layer already under this id is replaced, not reused. */
  readonly replace?: boolean;
}

/**
 * Commits a staged layer: digest, meta.json, then one rename into layers/. If the id is already
 * there (another process committed it first), the staged copy is dropped and theirs returned.
 */
export async function commitLayer(paths: StorePaths, staged: { dir: string; root: string; ws: string }, request: CommitRequest): Promise<Layer> {
  const { replace, ...described } = request;
  const target = path.join(paths.layers, request.id);
  try {
    const digest = await digestTrees([staged.root, staged.ws]);
    const meta: LayerMeta = { ...described, digest, sizeBytes: treeSize(staged.dir), created: new Date().toISOString() };
    const metaPath = path.join(staged.dir, 'meta.json');
    fs.writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    syncFile(metaPath);
    if (replace) await removeLayer(paths, request.id);
    fs.renameSync(staged.dir, target);
  } catch (error) {
    // Whatever failed (a full disk, most likely), nothing half-made stays behind.
    await removeTree(staged.dir).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  syncFile(paths.layers);
  const layer = findLayer(paths, request.id);
  if (!layer) throw new Error(`layer ${request.id} vanished right after its commit`);
  return layer;
}

/** Removes a layer: renamed out of layers/ first, so no reader ever sees half of it. */
export async function removeLayer(paths: StorePaths, id: string): Promise<void> {
  const grave = tempPath(paths, 'removed');
  try {
    fs.renameSync(path.join(paths.layers, id), grave);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await removeTree(grave);
}

/** Bytes of the files in a tree (lstat sizes; dirs we cannot read count as what we could). */
export function treeSize(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else {
        try {
          total += fs.lstatSync(full).size;
        } catch {
          // gone or unreadable
        }
      }
    }
  }
  return total;
}

function syncFile(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort: some filesystems refuse fsync on a directory
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Removes what killed processes left: in tmp/ (half-built layers, imports), partial blob downloads, locks; returns how many. */
export async function reapStore(paths: StorePaths): Promise<number> {
  let removed = 0;
  for (const name of namesIn(paths.tmp).filter((entry) => isStaleRunName(entry))) {
    await removeTree(path.join(paths.tmp, name));
    removed += 1;
  }
  return removed + (await reapTempBlobs(paths.blobs)) + reapStaleLocks(paths);
}
