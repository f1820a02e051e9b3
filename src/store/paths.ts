// Where the layer store keeps things. Only src/store/ writes under these paths.
//
//   layers/<id>/        one committed layer: root/ (the image filesystem's diff),
//                       ws/ (the checkout's diff, setup steps only), meta.json. The id is
//                       a setup step's cache key, or an image layer's uncompressed digest.
//   images/<ref hash>   an image reference -> its manifest and layer ids
//   blobs/sha256/<hex>  compressed OCI blobs, each stored once
//   caches/<scope>/<project>/  `caches:` directories of one trust scope (--cache-scope), mounted
//                       read-write into jobs' commands (never into setup steps)
//   locks/<name>/       a layer being built (owner inside), see lock.ts
//   tmp/                layers being built or imported; renamed into layers/ when complete
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { processTag } from '../core/process-tag.js';

export interface StorePaths {
  readonly root: string;
  readonly layers: string;
  readonly images: string;
  readonly blobs: string;
  readonly caches: string;
  readonly locks: string;
  readonly tmp: string;
}

/**
 * A store inside the checkout cannot work: a job sees the checkout as an overlay lower layer, and
 * overlayfs refuses layers (and upper dirs) inside another layer ("Too many levels of symbolic
 * links"); every job would also see the store, and setup inputs could hash it.
 */
export function refuseStoreInCheckout(paths: StorePaths, projectDir: string): void {
  const relative = path.relative(realPath(projectDir), realPath(paths.root));
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new UsageError(
      `the layer store ${paths.root} is inside the checkout ${projectDir}: jobs see the checkout through an overlay, which cannot have the store's layers inside it; give --cache-dir (or CUBICLE_CACHE_DIR) a directory outside it, like ~/.cache/cubicle or $RUNNER_TEMP/cubicle; nothing was run`,
    );
  }
}

/** The real path of `dir`, or of its nearest existing ancestor joined with the rest (the store may not exist yet). */
function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    const parent = path.dirname(dir);
    return parent === dir ? dir : path.join(realPath(parent), path.basename(dir));
  }
}

/** The store's paths under `cacheDir` (--cache-dir, else $CUBICLE_CACHE_DIR or the XDG cache: chosen by the CLI). */
export function storePaths(cacheDir: string): StorePaths {
  const root = path.resolve(cacheDir);
  return Object.freeze({
    root,
    layers: path.join(root, 'layers'),
    images: path.join(root, 'images'),
    blobs: path.join(root, 'blobs'),
    caches: path.join(root, 'caches'),
    locks: path.join(root, 'locks'),
    tmp: path.join(root, 'tmp'),
  });
}

/** Creates the store's dirs; the root is 0700 because layers may hold setuid files of an image. */
export function ensureStore(paths: StorePaths): void {
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  fs.chmodSync(paths.root, 0o700);
  for (const dir of [paths.layers, paths.images, paths.blobs, paths.caches, paths.locks, paths.tmp]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/** A fresh path under tmp/ named after this process (reapStore removes it once we are gone). */
export function tempPath(paths: StorePaths, label: string): string {
  return path.join(paths.tmp, `${processTag()}-${randomBytes(4).toString('hex')}-${label}`);
}

/** A dir's entry names; none when it cannot be read. */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
