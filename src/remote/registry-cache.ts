// Setup layers kept in an OCI registry, as BuildKit keeps its build cache (`--cache-to
// type=registry`): the registry teams already run becomes the store that CI machines share.
// A pull takes only the layers a step needs (the layer and the ancestors this machine lacks),
// checks each blob's digest on download, then imports it as `cache import` does (every meta.json
// hostile, the content digest recomputed) and checks the result against the manifest's
// annotations. A push uploads only what the registry lacks (HEAD first), then writes one
// manifest last, so a push that dies leaves the old cache as it was. Every registry failure
// is the caller's warning, never a failed run.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { hostBaseOf } from '../image/base.js';
import type { Credentials } from '../image/oci/credentials.js';
import { OCI_MANIFEST } from '../image/oci/media-types.js';
import { parseImageRef, type RegistryImageRef } from '../image/oci/ref.js';
import { RegistryClient } from '../image/oci/registry-client.js';
import { runLimited } from '../image/oci/run-limited.js';
import { downloadBlob, getManifest, putManifest, uploadBlob } from '../image/oci/registry-push.js';
import { parseJunit, serializeJunit } from '../junit/index.js';
import { exportLayers, importStore } from '../store/archive.js';
import { findLayer, type Layer, type LayerMeta } from '../store/layers.js';
import { ensureStore, tempPath, type StorePaths } from '../store/paths.js';
import { UsageError } from '../core/errors.js';
import { safeMessage } from '../core/message.js';
import {
  EMPTY_CONFIG,
  EMPTY_CONFIG_DESCRIPTOR,
  EMPTY_INDEX,
  entryOf,
  mergeEntries,
  parseCacheManifest,
  serializeCacheManifest,
  type CacheEntry,
  type CacheIndex,
} from './cache-manifest.js';

/** Blobs moved at once: enough to overlap one layer's export or import with another's transfer on two cores. */
const PARALLEL_TRANSFERS = 3;

class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(slots: number) {
    this.free = slots;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

export interface RegistryCacheOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly insecureRegistries: readonly string[];
  /** From `--password-stdin`; otherwise the docker/podman auth files, as pulls. */
  readonly credentials?: Credentials | undefined;
  readonly signal?: AbortSignal | undefined;
  /** One line per thing that did not work (a layer dropped, the registry down); the run goes on. */
  readonly warn: (message: string) => void;
  /** Tests: no waiting between attempts. */
  readonly retryDelaysMs?: readonly number[] | undefined;
}

export interface PushResult {
  readonly uploaded: number;
  /** Layers the registry already had. */
  readonly present: number;
  readonly bytes: number;
  readonly timings: boolean;
}

export interface PullResult {
  readonly imported: number;
  readonly present: number;
  /** Built on a base this machine does not have, or refused (each with a warning). */
  readonly skipped: number;
}

/** `host/repo[:tag]`: a registry reference with a tag (default latest), never a digest (a cache is rewritten). */
export function parseCacheRef(text: string, flag: string): RegistryImageRef {
  let ref;
  try {
    ref = parseImageRef(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}; nothing was run`, { cause: error });
  }
  if (ref.transport !== 'docker')
    throw new UsageError(`${flag}: expected a registry reference like ghcr.io/owner/repo/cubicle-cache, got ${JSON.stringify(text)}`);
  if (ref.digest) throw new UsageError(`${flag}: a cache is rewritten by every push, so it is named by a tag, not a digest: ${JSON.stringify(text)}`);
  return ref;
}

export class RegistryCache {
  readonly ref: RegistryImageRef;
  readonly name: string;
  private readonly options: RegistryCacheOptions;
  private client: RegistryClient | undefined;
  private indexRead: Promise<CacheIndex | undefined> | undefined;
  private readonly fetching = new Map<string, Promise<Layer | undefined>>();
  /** At most DOWNLOADS blobs in flight; imports are not limited (each is zstd | tar, then one digest). */
  private readonly downloads = new Semaphore(PARALLEL_TRANSFERS);

  constructor(ref: RegistryImageRef, options: RegistryCacheOptions) {
    this.ref = ref;
    this.name = `${ref.registry}/${ref.repository}:${this.tag}`;
    this.options = options;
  }

  private get tag(): string {
    return this.ref.tag ?? 'latest';
  }

  private registry(access: 'pull' | 'push'): RegistryClient {
    // A push client asks for pull,push; one client per cache, made for the widest access it needs.
    if (!this.client || (access === 'push' && this.clientAccess !== 'push')) {
      this.client = new RegistryClient(this.ref, {
        env: this.options.env,
        insecureRegistries: this.options.insecureRegistries,
        signal: this.options.signal,
        retryDelaysMs: this.options.retryDelaysMs,
        access,
        credentials: this.options.credentials,
      });
      this.clientAccess = access;
    }
    return this.client;
  }

  private clientAccess: 'pull' | 'push' = 'pull';

  private warn(message: string): void {
    this.options.warn(`registry cache ${safeMessage(this.name)}: ${message}`);
  }

  /**
   * The cache's index; undefined (with one warning) when the registry cannot be read, and from then on for
   * this run: every later step builds here without asking again. Empty when there is no cache yet.
   */
  index(): Promise<CacheIndex | undefined> {
    this.indexRead ??= this.readIndex('pull').catch((error: unknown) => {
      this.warn(`cannot be read (${describe(error)}); every layer is built here`);
      return undefined;
    });
    return this.indexRead;
  }

  private async readIndex(access: 'pull' | 'push'): Promise<CacheIndex> {
    const fetched = await getManifest(this.registry(access), this.tag, OCI_MANIFEST);
    if (!fetched) return EMPTY_INDEX;
    const { index, dropped } = parseCacheManifest(fetched.bytes);
    if (dropped > 0) this.warn(`${dropped} of its entries are not cubicle layers and were left out`);
    return index;
  }

  /**
   * The layer `id` from the registry, with the ancestors this store lacks, imported and checked;
   * undefined when the registry has no such layer or it could not be used (said in a warning).
   */
  fetchLayer(paths: StorePaths, id: string): Promise<Layer | undefined> {
    let running = this.fetching.get(id);
    if (!running) {
      running = this.fetchChain(paths, id);
      this.fetching.set(id, running);
    }
    return running;
  }

  private async fetchChain(paths: StorePaths, id: string): Promise<Layer | undefined> {
    const local = findLayer(paths, id);
    if (local) return local;
    const index = await this.index();
    if (!index) return undefined;
    const byId = new Map(index.entries.map((entry) => [entry.id, entry]));
    const bases = new Set([hostBaseOf().id]);
    const here = (layer: string | null) => layer === null || bases.has(layer) || findLayer(paths, layer) !== undefined;
    // The whole chain down to a layer or base this machine has must be in the cache, or nothing is downloaded.
    let depth = 0;
    for (let current = byId.get(id); current && !here(current.parent); current = byId.get(current.parent!)) {
      if (!byId.has(current.parent!) || ++depth > byId.size) return undefined;
    }
    const entry = byId.get(id);
    if (!entry) return undefined;
    // This layer downloads and imports while its ancestors do: a chain comes down in parallel. Its
    // import names the parent as known (the chain's own); should the parent fail, it is built here
    // under the same key, and this layer, keyed on that key, stays usable.
    const parentFetch = here(entry.parent) ? undefined : this.fetchLayer(paths, entry.parent!);
    const file = tempPath(paths, 'registry-layer');
    try {
      const imported =
        (await this.download(entry, file)) && (await this.importEntry(paths, entry, file, entry.parent ? new Set([...bases, entry.parent]) : bases));
      fs.rmSync(file, { force: true });
      const parentHere = parentFetch === undefined || (await parentFetch) !== undefined;
      return imported && parentHere ? findLayer(paths, id) : undefined;
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** A layer's archive into `file`, its digest checked on the way; false (with a warning) when it cannot be had. */
  private async download(entry: CacheEntry, file: string): Promise<boolean> {
    await this.downloads.acquire();
    try {
      await downloadBlob(this.registry('pull'), entry.blob.digest, file, entry.blob.size, { durable: false });
      return true;
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      this.warn(`layer ${entry.id.slice(0, 12)} (blob ${entry.blob.digest}) could not be downloaded (${describe(error)}); it is built here`);
      return false;
    } finally {
      this.downloads.release();
    }
  }

  /** One downloaded archive imported as `cache import` imports (meta.json checked, content digest recomputed), then held to the manifest. */
  private async importEntry(paths: StorePaths, entry: CacheEntry, file: string, bases: ReadonlySet<string>): Promise<boolean> {
    try {
      const result = await importStore(paths, file, [...bases], { accept: (meta) => mismatch(meta, entry) });
      if (result.rejected.length > 0) {
        const problems = result.rejected.map((rejected) => `${safeMessage(rejected.id).slice(0, 12)}: ${safeMessage(rejected.problem)}`).join('; ');
        this.warn(`layer ${entry.id.slice(0, 12)} was refused (${problems}); it is built here`);
        return false;
      }
      return findLayer(paths, entry.id) !== undefined;
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      this.warn(`layer ${entry.id.slice(0, 12)} could not be imported (${describe(error)}); it is built here`);
      return false;
    }
  }

  /** Every layer the cache holds that this machine can use (its parent is here or in the cache). */
  async pullAll(paths: StorePaths): Promise<PullResult> {
    const index = await this.readIndex('pull');
    this.indexRead = Promise.resolve(index);
    ensureStore(paths);
    const missing = index.entries.filter((entry) => !findLayer(paths, entry.id));
    // Every layer at once: fetchLayer shares each ancestor's fetch, and `downloads` bounds the transfers.
    const fetched = await Promise.all(missing.map((entry) => this.fetchLayer(paths, entry.id)));
    const imported = fetched.filter(Boolean).length;
    return { imported, present: index.entries.length - missing.length, skipped: missing.length - imported };
  }

  /** The JUnit report kept with the cache, written to `file`; false when there is none or it could not be read. */
  async fetchTimings(file: string): Promise<boolean> {
    const index = await this.index();
    if (!index?.timings) return false;
    try {
      await downloadBlob(this.registry('pull'), index.timings.digest, file, index.timings.size);
      return true;
    } catch (error) {
      this.warn(`its timings could not be downloaded (${describe(error)}); jobs are balanced without them`);
      return false;
    }
  }

  /**
   * Uploads the layers `ids` with their ancestors (those the registry lacks), and `timings` (a
   * JUnit report, merged with the one the cache holds: its suites replace same-named ones), then
   * writes the manifest. Throws on a registry failure: the caller warns.
   */
  async push(paths: StorePaths, ids: Iterable<string>, timings?: string): Promise<PushResult> {
    const client = this.registry('push');
    const before = await this.readIndex('push');
    const known = new Set(before.entries.map((entry) => entry.id));
    const layers = withAncestors(paths, ids);
    ensureStore(paths);
    // Exports (tar | zstd) and uploads of several layers overlap; the manifest keeps parents first.
    const added = await runLimited(
      layers.filter((layer) => !known.has(layer.meta.id)),
      PARALLEL_TRANSFERS,
      this.options.signal,
      async (layer) => {
        const file = tempPath(paths, 'registry-push');
        try {
          await exportLayers(paths, [layer.meta.id], file);
          const blob = await fileDigest(file);
          await uploadBlob(client, file, blob.digest, blob.size);
          return entryOf(layer.meta, blob);
        } finally {
          fs.rmSync(file, { force: true });
        }
      },
    );
    const bytes = added.reduce((sum, entry) => sum + entry.blob.size, 0);
    let timingsBlob = before.timings;
    if (timings) timingsBlob = await this.pushTimings(paths, client, before, timings);
    if (added.length === 0 && timingsBlob === before.timings) return { uploaded: 0, present: layers.length, bytes: 0, timings: false };
    await this.uploadBytes(paths, client, EMPTY_CONFIG, EMPTY_CONFIG_DESCRIPTOR.digest);
    // Read again just before writing: another machine's push since ours began keeps its layers.
    const latest = await this.readIndex('push');
    const entries = mergeEntries(latest.entries, added);
    await putManifest(client, this.tag, serializeCacheManifest({ entries, timings: timingsBlob }), OCI_MANIFEST);
    return { uploaded: added.length, present: layers.length - added.length, bytes, timings: timingsBlob !== before.timings };
  }

  private async pushTimings(paths: StorePaths, client: RegistryClient, before: CacheIndex, file: string): Promise<CacheIndex['timings']> {
    let report;
    try {
      report = parseJunit(fs.readFileSync(file, 'utf8'), file);
    } catch (error) {
      this.warn(`the timings report ${safeMessage(file)} could not be read (${describe(error)}); the cache keeps the timings it had`);
      return before.timings;
    }
    const names = new Set(report.map((suite) => suite.name));
    let kept: typeof report = [];
    if (before.timings) {
      const old = tempPath(paths, 'registry-timings');
      try {
        await downloadBlob(client, before.timings.digest, old, before.timings.size);
        kept = parseJunit(fs.readFileSync(old, 'utf8'), 'the cached timings').filter((suite) => !names.has(suite.name));
      } catch (error) {
        this.warn(`its old timings could not be read (${describe(error)}); they are replaced by this run's`);
      } finally {
        fs.rmSync(old, { force: true });
      }
    }
    const merged = Buffer.from(serializeJunit({ name: 'cubicle', suites: [...kept, ...report] }));
    const digest = `sha256:${createHash('sha256').update(merged).digest('hex')}`;
    await this.uploadBytes(paths, client, merged, digest);
    return { digest, size: merged.length };
  }

  private async uploadBytes(paths: StorePaths, client: RegistryClient, bytes: Buffer, digest: string): Promise<void> {
    const file = tempPath(paths, 'registry-bytes');
    try {
      fs.writeFileSync(file, bytes);
      await uploadBlob(client, file, digest, bytes.length);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
}

/** Why an imported layer is not the one the manifest named; undefined when it is. */
function mismatch(meta: LayerMeta, entry: CacheEntry): string | undefined {
  if (meta.id !== entry.id) return `the archive holds layer ${meta.id.slice(0, 12)}, not ${entry.id.slice(0, 12)} as the manifest says`;
  if (meta.digest !== entry.contentDigest) return `its content digest ${meta.digest} is not the manifest's ${entry.contentDigest}`;
  if (meta.parent !== entry.parent) return 'its parent is not the one the manifest names';
  if (meta.kind !== entry.kind) return `it is a ${meta.kind} layer, the manifest says ${entry.kind}`;
  return undefined;
}

/** The layers `ids` and every ancestor in the store, parents first. */
function withAncestors(paths: StorePaths, ids: Iterable<string>): Layer[] {
  const ordered: Layer[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const layer = findLayer(paths, id);
    if (!layer) return;
    if (layer.meta.parent) visit(layer.meta.parent);
    ordered.push(layer);
  };
  for (const id of ids) visit(id);
  return ordered;
}

async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function describe(error: unknown): string {
  return safeMessage((error as Error)?.message ?? String(error));
}
