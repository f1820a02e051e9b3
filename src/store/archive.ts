// `cache export FILE` / `cache import FILE`: the committed layers (and image index) as tar + zstd,
// so a store survives a CI cache round trip (actions/cache). tar runs as root of a user namespace:
// owners are recorded relative to it (0 = the user), so the archive moves between machines and
// users, and whiteouts (0/0 devices), xattrs (overlay's opaque marks), modes and links are kept.
// Import unpacks into tmp/, checks every layer's metadata as hostile and recomputes its digest, and
// moves the layers in only when all of them pass (store/import-check.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { replaceThroughTempAsync } from '../core/atomic-write.js';
import { StoreTransferError, UsageError } from '../core/errors.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { processTag } from '../core/process-tag.js';
import { removeStaleTemps } from '../confine/write-atomic.js';
import { checkImportedMeta, checkImportedRecord } from './import-check.js';
import { findLayer, LAYER_ID, listLayers, readLayerAt, type Layer, type LayerMeta } from './layers.js';
import { ensureStore, namesIn, tempPath, type StorePaths } from './paths.js';
import { runInStoreSandbox, storeNeedsUserns } from './tool.js';
import { checkLayer } from './verify.js';

const TAR_XATTRS = ['--xattrs', '--xattrs-include=user.*', '--xattrs-include=trusted.overlay.*'];

function requireZstd(): void {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new UsageError('the zstd command is not installed; nothing was exported or imported', {
      hint: 'Install it: apt-get install zstd (it is on every GitHub runner).',
    });
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface ExportResult {
  readonly layers: number;
  readonly bytes: number;
}

export async function exportStore(paths: StorePaths, file: string): Promise<ExportResult> {
  ensureStore(paths);
  const layers = listLayers(paths);
  await exportArchive(
    paths,
    layers.map((layer) => layer.meta.id),
    file,
    true,
  );
  return { layers: layers.length, bytes: fs.statSync(path.resolve(file)).size };
}

/** The layers `ids` alone, as an archive `cache import` (and importStore) takes: one layer of a registry cache. */
export async function exportLayers(paths: StorePaths, ids: readonly string[], file: string): Promise<ExportResult> {
  ensureStore(paths);
  await exportArchive(paths, ids, file, false);
  return { layers: ids.length, bytes: fs.statSync(path.resolve(file)).size };
}

async function exportArchive(paths: StorePaths, ids: readonly string[], file: string, withImages: boolean): Promise<void> {
  requireZstd();
  const target = path.resolve(file);
  const targetDir = path.dirname(target);
  fs.mkdirSync(targetDir, { recursive: true });
  // Named after this process, so a later export to the same file removes what a killed one left.
  const prefix = `.${path.basename(target)}.`;
  removeStaleTemps(targetDir, prefix, '.partial');
  const partial = path.join(targetDir, `${prefix}${processTag()}-${randomBytes(3).toString('hex')}.partial`);
  const members = [...ids.map((id) => `layers/${id}`), ...(withImages ? ['images'] : [])];
  const listFile = tempPath(paths, 'export-list');
  fs.writeFileSync(listFile, `${members.join('\n')}\n`);
  try {
    const script = [
      'set -o pipefail 2>/dev/null || true;',
      `tar --create --file=- --directory=${shellQuote(paths.root)} --numeric-owner --sparse ${TAR_XATTRS.map(shellQuote).join(' ')} --files-from=${shellQuote(listFile)}`,
      `| zstd -q -T0 -3 -o ${shellQuote(partial)}`,
    ].join(' ');
    await replaceThroughTempAsync(partial, target, () => runInStoreSandbox(['/bin/bash', '-c', script], { dirs: [paths.root, targetDir], inUserns: true }));
  } catch (error) {
    throw new StoreTransferError(`cannot export the layer store to ${target}: ${(error as Error).message}; nothing was written`, { cause: error });
  } finally {
    fs.rmSync(listFile, { force: true });
  }
}

export interface ImportResult {
  readonly imported: readonly Layer[];
  /** Already in the store: left as they were. */
  readonly present: number;
  readonly rejected: readonly { readonly id: string; readonly problem: string }[];
  /** Built on a base this machine does not have (another host's release): of no use here, left out. */
  readonly foreign: number;
}

export interface ImportOptions {
  /** A further check of each layer's checked metadata (a registry cache's annotations): a problem rejects the archive. */
  readonly accept?: ((meta: LayerMeta) => string | undefined) | undefined;
}

/** `baseIds`: bases that are no layer (the host's own), which a setup layer may name as its parent. */
export async function importStore(paths: StorePaths, file: string, baseIds: readonly string[], options: ImportOptions = {}): Promise<ImportResult> {
  requireZstd();
  const source = path.resolve(file);
  if (!fs.existsSync(source)) throw new UsageError(`${source} does not exist; nothing was imported`);
  ensureStore(paths);
  const staging = tempPath(paths, 'import');
  fs.mkdirSync(staging, { mode: 0o700 });
  try {
    // Without a subuid range only uid 0 exists inside; files keep the importing user as owner.
    const owners = storeNeedsUserns() ? ['--same-owner', '--numeric-owner'] : ['--no-same-owner'];
    const script = `set -o pipefail; zstd -q -dc ${shellQuote(source)} | tar --extract --file=- --directory=${shellQuote(staging)} --same-permissions ${owners.join(' ')} ${TAR_XATTRS.map(shellQuote).join(' ')}`;
    try {
      await runInStoreSandbox(['/bin/bash', '-c', script], { dirs: [staging], readOnly: [path.dirname(source)], inUserns: true });
    } catch (error) {
      throw new StoreTransferError(`cannot import ${source}: ${(error as Error).message}; nothing was imported`, {
        cause: error,
        hint: 'the file must be an archive made by `cubicle cache export` (tar, zstd-compressed)',
      });
    }
    return await adoptLayers(paths, staging, new Set(baseIds), options.accept);
  } finally {
    await removeTree(staging);
  }
}

/**
 * Moves the layers (and image index entries) of an unpacked archive into the store, all or none:
 * each layer's metadata is checked as hostile (import-check.ts), its parent must be in the store
 * or the archive, its digest must match; any problem and nothing is moved.
 */
async function adoptLayers(paths: StorePaths, staging: string, baseIds: ReadonlySet<string>, accept: ImportOptions['accept']): Promise<ImportResult> {
  const rejected: { id: string; problem: string }[] = [];
  const candidates = new Map<string, LayerMeta>();
  let present = 0;
  const stagedLayers = path.join(staging, 'layers');
  // `layers -> /home/you` in the archive would have its entries renamed out of your home.
  for (const top of ['layers', 'images']) {
    if (!plainDirOrAbsent(path.join(staging, top))) {
      return { imported: [], present, foreign: 0, rejected: [{ id: top, problem: 'is not a plain directory (a symlink?)' }] };
    }
  }
  for (const name of namesIn(stagedLayers)) {
    if (!LAYER_ID.test(name)) {
      rejected.push({ id: name, problem: 'not a layer id' });
      continue;
    }
    if (findLayer(paths, name)) {
      present += 1;
      continue;
    }
    const checked = checkImportedMeta(path.join(stagedLayers, name), name);
    const refused = 'problem' in checked ? checked.problem : accept?.(checked.meta);
    if (refused !== undefined) rejected.push({ id: name, problem: refused });
    else if ('meta' in checked) candidates.set(name, checked.meta);
  }
  // A parent is a key the id was derived from (import-check.ts); one that is nowhere here makes the layer useless, not hostile.
  let foreign = 0;
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const [id, meta] of candidates) {
      if (meta.parent === null || candidates.has(meta.parent) || baseIds.has(meta.parent) || findLayer(paths, meta.parent)) continue;
      candidates.delete(id);
      foreign += 1;
      dropped = true;
    }
  }
  for (const [id] of candidates) {
    const staged = readLayerAt(path.join(stagedLayers, id));
    const problem = staged ? await checkLayer(staged) : 'meta.json is missing or unreadable';
    if (problem) rejected.push({ id, problem });
  }
  const records: string[] = [];
  for (const name of namesIn(path.join(staging, 'images'))) {
    if (fs.existsSync(path.join(paths.images, name))) continue;
    const checked = checkImportedRecord(path.join(staging, 'images', name), name);
    if ('problem' in checked) rejected.push({ id: `images/${name}`, problem: checked.problem });
    else if (checked.record.layerIds.every((id) => candidates.has(id) || findLayer(paths, id))) records.push(name);
  }
  if (rejected.length > 0) return { imported: [], present, foreign, rejected };
  const imported: Layer[] = [];
  for (const id of candidates.keys()) {
    try {
      fs.renameSync(path.join(stagedLayers, id), path.join(paths.layers, id));
      const now = new Date();
      fs.utimesSync(path.join(paths.layers, id, 'meta.json'), now, now);
      imported.push(findLayer(paths, id)!);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') present += 1;
      else throw error;
    }
  }
  for (const name of records) {
    const target = path.join(paths.images, name);
    if (!fs.existsSync(target)) fs.copyFileSync(path.join(staging, 'images', name), target, fs.constants.COPYFILE_EXCL);
  }
  return { imported, present, foreign, rejected };
}

function plainDirOrAbsent(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory();
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
