// `cache prune`: least recently used layers first, until the store fits --keep-size, and every
// layer unused for --older-than. A layer's descendants go with it (they are diffs on top of it).
import fs from 'node:fs';
import path from 'node:path';
import { listLayers, removeLayer, type Layer } from './layers.js';
import type { StorePaths } from './paths.js';

export interface PruneOptions {
  readonly keepSizeBytes?: number | undefined;
  readonly olderThanMs?: number | undefined;
  readonly all?: boolean;
  readonly now?: Date;
}

export interface PruneResult {
  readonly removed: readonly Layer[];
  readonly keptBytes: number;
  readonly freedBytes: number;
}

export async function pruneStore(paths: StorePaths, options: PruneOptions): Promise<PruneResult> {
  const now = (options.now ?? new Date()).getTime();
  const layers = listLayers(paths).filter((layer) => !isLocked(paths, layer.meta.id));
  const doomed = new Set<string>();
  for (const layer of layers) {
    if (options.all || (options.olderThanMs !== undefined && now - layer.lastUsed.getTime() > options.olderThanMs)) doomed.add(layer.meta.id);
  }
  closeOverChildren(layers, doomed);
  if (options.keepSizeBytes !== undefined) {
    const byAge = [...layers].sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
    let total = sizeOf(layers.filter((layer) => !doomed.has(layer.meta.id)));
    for (const layer of byAge) {
      if (total <= options.keepSizeBytes) break;
      if (doomed.has(layer.meta.id)) continue;
      doomed.add(layer.meta.id);
      closeOverChildren(layers, doomed);
      total = sizeOf(layers.filter((candidate) => !doomed.has(candidate.meta.id)));
    }
  }
  const removed = layers.filter((layer) => doomed.has(layer.meta.id));
  for (const layer of removed) await removeLayer(paths, layer.meta.id);
  return { removed, freedBytes: sizeOf(removed), keptBytes: sizeOf(layers.filter((layer) => !doomed.has(layer.meta.id))) };
}

/** Adds every layer whose parent is doomed, transitively. */
export function closeOverChildren(layers: readonly Layer[], doomed: Set<string>): void {
  let grew = true;
  while (grew) {
    grew = false;
    for (const layer of layers) {
      if (!doomed.has(layer.meta.id) && layer.meta.parent !== null && doomed.has(layer.meta.parent)) {
        doomed.add(layer.meta.id);
        grew = true;
      }
    }
  }
}

function sizeOf(layers: readonly Layer[]): number {
  return layers.reduce((sum, layer) => sum + layer.meta.sizeBytes, 0);
}

function isLocked(paths: StorePaths, id: string): boolean {
  return fs.existsSync(path.join(paths.locks, id));
}
