// The layer store through the workflow cache: `cubicle cache import` after a restore, and
// `cubicle cache prune --keep-size` then `cubicle cache export` before a save. Every failure
// here is reported and returned, never thrown: a cache is an optimisation, as in actions/cache.
import fs from 'node:fs';
import type { Cli } from './cli.js';

export interface LayerCacheLog {
  info(message: string): void;
  warning(message: string): void;
}

/** The ids of the layers in the store, or undefined (with a warning) when it cannot be listed. */
export async function listLayerIds(cli: Cli, log: LayerCacheLog): Promise<string[] | undefined> {
  const result = await cli.run(['cache', 'ls', '--json'], { capture: true });
  try {
    if (result.exitCode !== 0) throw new Error(`exited with ${result.exitCode}`);
    const layers = JSON.parse(result.stdout) as { id: string }[];
    return layers.map((layer) => layer.id).sort();
  } catch (error) {
    log.warning(`cubicle cache ls --json failed (${(error as Error).message}); the layer cache is not saved for this run`);
    return undefined;
  }
}

/** Imports an archive a restore brought; true when every layer in it went in. */
export async function importLayers(cli: Cli, archive: string, log: LayerCacheLog): Promise<boolean> {
  const result = await cli.run(['cache', 'import', archive]);
  fs.rmSync(archive, { force: true }); // the layers are in the store now: free the runner's disk
  if (result.exitCode !== 0) {
    log.warning(`cubicle cache import exited with ${result.exitCode} (its output is above); the layers it rejected are built again`);
    return false;
  }
  return true;
}

/** Prunes the store to `keepSize`, then exports it; true when `archive` was written. */
export async function exportLayers(cli: Cli, archive: string, keepSize: string, log: LayerCacheLog): Promise<boolean> {
  const prune = await cli.run(['cache', 'prune', '--keep-size', keepSize]);
  if (prune.exitCode !== 0) {
    log.warning(`cubicle cache prune --keep-size ${keepSize} exited with ${prune.exitCode} (its output is above); the layer cache is not saved`);
    return false;
  }
  const result = await cli.run(['cache', 'export', archive]);
  if (result.exitCode !== 0) {
    log.warning(`cubicle cache export exited with ${result.exitCode} (its output is above); the layer cache is not saved`);
    return false;
  }
  return true;
}
