// `cache verify`: every layer's digest recomputed; a layer that does not match its meta.json (or
// has none) is reported and dropped, with its descendants, so no job ever runs on it.
import fs from 'node:fs';
import path from 'node:path';
import { LAYER_ID, listLayers, removeLayer, type Layer } from './layers.js';
import { namesIn, type StorePaths } from './paths.js';
import { closeOverChildren } from './prune.js';
import { digestTrees } from './tool.js';

export interface VerifyProblem {
  readonly id: string;
  readonly problem: string;
}

export interface VerifyResult {
  readonly checked: number;
  readonly problems: readonly VerifyProblem[];
  /** Ids removed: the corrupt layers and the layers built on them. */
  readonly dropped: readonly string[];
}

export async function verifyStore(paths: StorePaths, options: { drop?: boolean } = {}): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  const layers = listLayers(paths);
  const known = new Set(layers.map((layer) => layer.meta.id));
  for (const name of namesIn(paths.layers)) {
    if (!LAYER_ID.test(name)) problems.push({ id: name, problem: 'not a layer id' });
    else if (!known.has(name)) problems.push({ id: name, problem: 'meta.json is missing or unreadable' });
  }
  for (const layer of layers) {
    const problem = await checkLayer(layer);
    if (problem) problems.push({ id: layer.meta.id, problem });
  }
  const doomed = new Set(problems.map((problem) => problem.id));
  closeOverChildren(layers, doomed);
  if (options.drop !== false) for (const id of doomed) await removeLayer(paths, id);
  return { checked: layers.length, problems, dropped: [...doomed] };
}

export async function checkLayer(layer: Layer): Promise<string | null> {
  if (layer.meta.id !== path.basename(layer.dir)) return `meta.json names ${layer.meta.id}`;
  if (!fs.existsSync(layer.root) || !fs.existsSync(layer.ws)) return 'root/ or ws/ is missing';
  let digest: string;
  try {
    digest = await digestTrees([layer.root, layer.ws]);
  } catch (error) {
    return `cannot be read: ${(error as Error).message}`;
  }
  return digest === layer.meta.digest ? null : `content changed: digest ${digest}, recorded ${layer.meta.digest}`;
}
