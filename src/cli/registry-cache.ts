// `run --cache-from REF --cache-to REF`: the registry cache around one run. Every registry failure
// is a warning and the run goes on building here: a cache makes a run faster, never red.
import fs from 'node:fs';
import type { ResolvedConfig } from '../config/resolve.js';
import { safeMessage } from '../core/message.js';
import { formatBytes } from '../core/units.js';
import type { TimingsFile } from '../plan/timings-file.js';
import { readTimingsFile } from '../plan/timings-file.js';
import { parseCacheRef, RegistryCache } from '../remote/registry-cache.js';
import type { LayerSource } from '../run/prepare.js';
import { ensureStore, tempPath, type StorePaths } from '../store/paths.js';

export function warn(message: string): void {
  process.stderr.write(`cubicle: warning: ${message}\n`);
}

export interface RunRegistryCaches {
  readonly from: RegistryCache | undefined;
  readonly to: RegistryCache | undefined;
}

/** The caches `--cache-from` and `--cache-to` name (checked before anything runs); one client when both name the same. */
export function openRunCaches(
  from: string | undefined,
  to: string | undefined,
  config: Pick<ResolvedConfig, 'insecureRegistries'>,
  signal: AbortSignal,
): RunRegistryCaches {
  const open = (text: string, flag: string) =>
    new RegistryCache(parseCacheRef(text, flag), { env: process.env, insecureRegistries: config.insecureRegistries, signal, warn });
  const fromCache = from ? open(from, '--cache-from') : undefined;
  const toCache = to ? (to === from ? fromCache : open(to, '--cache-to')) : undefined;
  return { from: fromCache, to: toCache };
}

export function layerSourceOf(cache: RegistryCache, store: StorePaths): LayerSource {
  return { name: `registry cache ${cache.name}`, fetch: (id) => cache.fetchLayer(store, id) };
}

/** The JUnit timings kept with the cache, read as `--timings FILE` is; undefined (said why) when there are none. */
export async function cachedTimings(cache: RegistryCache, store: StorePaths): Promise<TimingsFile | undefined> {
  ensureStore(store);
  const file = tempPath(store, 'registry-timings');
  try {
    if (!(await cache.fetchTimings(file))) return undefined;
    return readTimingsFile(file, undefined);
  } catch (error) {
    warn(`registry cache ${safeMessage(cache.name)}: its timings are unreadable (${safeMessage((error as Error).message)}); jobs are balanced without them`);
    return undefined;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** After the run: this run's layers (with their ancestors) and its JUnit report go to the cache. */
export async function pushAfterRun(cache: RegistryCache, store: StorePaths, layers: ReadonlySet<string>, junit: string | undefined): Promise<void> {
  try {
    const timings = junit && fs.existsSync(junit) && fs.statSync(junit).isFile() ? junit : undefined;
    const result = await cache.push(store, layers, timings);
    const said = `${result.uploaded} ${result.uploaded === 1 ? 'layer' : 'layers'} pushed (${formatBytes(result.bytes)}), ${result.present} already there${result.timings ? ', timings updated' : ''}`;
    process.stderr.write(`cubicle: registry cache ${safeMessage(cache.name)}: ${said}\n`);
  } catch (error) {
    warn(`registry cache ${safeMessage(cache.name)}: push failed (${safeMessage((error as Error).message)}); the run's result stands, the cache is as it was`);
  }
}
