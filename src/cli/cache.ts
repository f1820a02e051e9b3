// `cubicle cache ls|prune|verify|export|import`: the layer store, by hand or from CI.
import path from 'node:path';
import { parseDuration, parseSize, formatBytes } from '../core/units.js';
import { CubicleError, UsageError } from '../core/errors.js';
import type { Credentials } from '../image/oci/credentials.js';
import { parseCacheRef, RegistryCache } from '../remote/registry-cache.js';
import { warn } from './registry-cache.js';
import { safeMessage } from '../core/message.js';
import { hostBaseOf } from '../image/base.js';
import { exportStore, importStore } from '../store/archive.js';
import { listLayers, reapStore, treeSize } from '../store/layers.js';
import { ensureStore, namesIn, storePaths } from '../store/paths.js';
import { pruneStore } from '../store/prune.js';
import { storeRoot } from './edge.js';
import { defineCommand, positionals } from './command.js';
import { cacheDirOption } from './options.js';
import { verifyStore } from '../store/verify.js';

export const command = defineCommand({
  examples: [
    ['$0 cache ls', 'what is cached, newest use first'],
    ['$0 cache prune --keep-size 5g --older-than 7d', 'drop layers unused for a week, then the oldest until 5 GiB remain'],
    ['$0 cache export /tmp/layers.tar.zst', 'for actions/cache; `cache import` on the next run'],
    ['$0 cache push ghcr.io/owner/repo/cubicle-cache', 'every layer the registry cache lacks, then its manifest'],
    ['echo "$TOKEN" | $0 cache pull ghcr.io/owner/repo/cubicle-cache --username me --password-stdin', 'every layer this machine can use'],
  ],
  options: {
    json: { type: 'boolean', describe: 'ls: print the layers as JSON' },
    'keep-size': { type: 'string', describe: 'prune: remove least recently used layers until the store fits, e.g. 5g' },
    'older-than': { type: 'string', describe: 'prune: remove layers unused for this long, e.g. 7d' },
    all: { type: 'boolean', describe: 'prune: remove every layer' },
    username: { type: 'string', describe: 'push/pull: the registry user, with --password-stdin (default: docker/podman auth files)' },
    'password-stdin': { type: 'boolean', describe: 'push/pull: read the password or token from stdin (never from an argument or the environment)' },
    timings: { type: 'string', describe: 'push: a JUnit report kept with the cache, for --shard balancing on other machines' },
    'timings-to': { type: 'string', describe: 'pull: write the JUnit timings kept with the cache here (for run --timings)' },
    ...cacheDirOption,
  },
  run: (args) => {
    const [action, file, ...extra] = positionals(args);
    if (!action) throw new UsageError('name a cache action: ls, prune, verify, export FILE, import FILE, push REF or pull REF');
    if (extra.length > 0) throw new UsageError(`cache ${action}: unexpected arguments ${extra.join(' ')}`);
    return cacheCommand({
      action,
      file,
      json: args.json === true,
      keepSize: args['keep-size'],
      olderThan: args['older-than'],
      all: args.all === true,
      cacheDir: args['cache-dir'],
      username: args.username,
      passwordStdin: args['password-stdin'] === true,
      timings: args.timings,
      timingsTo: args['timings-to'],
    });
  },
});

export interface CacheCommandArgs {
  action: string;
  file?: string | undefined;
  json: boolean;
  keepSize?: string | undefined;
  olderThan?: string | undefined;
  all: boolean;
  /** --cache-dir; default: $CUBICLE_CACHE_DIR, else the XDG cache (edge.ts). */
  cacheDir?: string | undefined;
  username?: string | undefined;
  passwordStdin?: boolean;
  timings?: string | undefined;
  timingsTo?: string | undefined;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

export async function cacheCommand(args: CacheCommandArgs): Promise<number> {
  const paths = storePaths(storeRoot(args.cacheDir));
  ensureStore(paths);
  await reapStore(paths);
  switch (args.action) {
    case 'ls':
      return listCommand(paths, args.json);
    case 'prune':
      return pruneCommand(paths, args);
    case 'verify': {
      const result = await verifyStore(paths);
      for (const problem of result.problems) out(`corrupt  ${problem.id.slice(0, 12)}  ${problem.problem}`);
      const extra = result.dropped.length - result.problems.length;
      out(
        `${result.checked} layers checked, ${result.problems.length} corrupt; ${result.dropped.length} dropped${extra > 0 ? ` (${extra} built on a corrupt one)` : ''}`,
      );
      return result.problems.length === 0 ? 0 : 1;
    }
    case 'export': {
      const file = requireFile(args);
      const result = await exportStore(paths, file);
      out(`exported ${result.layers} layers to ${file} (${formatBytes(result.bytes)})`);
      return 0;
    }
    case 'import': {
      const file = requireFile(args);
      const result = await importStore(paths, file, [hostBaseOf().id]);
      for (const rejected of result.rejected) out(`rejected ${safeMessage(rejected.id).slice(0, 40)}  ${safeMessage(rejected.problem)}`);
      if (result.rejected.length > 0) {
        const rejected = `${result.rejected.length} of its entries rejected (an archive is taken whole or not at all)`;
        out(`nothing was imported from ${file}: ${rejected}; the store is as it was`);
        return 1;
      }
      const foreign = result.foreign > 0 ? `, ${result.foreign} left out (built on a base this machine does not have)` : '';
      out(`imported ${result.imported.length} layers from ${file}; ${result.present} already present${foreign}`);
      return result.rejected.length === 0 ? 0 : 1;
    }
    case 'push':
    case 'pull':
      return registryCacheCommand(paths, args);
    default:
      throw new UsageError(`unknown cache action "${args.action}": expected ls, prune, verify, export FILE, import FILE, push REF or pull REF`);
  }
}

/** `cache push REF` / `cache pull REF`: the whole store to or from a registry cache (remote/registry-cache.ts). */
async function registryCacheCommand(paths: ReturnType<typeof storePaths>, args: CacheCommandArgs): Promise<number> {
  if (!args.file) throw new UsageError(`cache ${args.action} needs a registry reference: \`cubicle cache ${args.action} ghcr.io/owner/repo/cubicle-cache\``);
  const ref = parseCacheRef(args.file, `cache ${args.action}`);
  if (args.timings !== undefined && args.action !== 'push') throw new UsageError('--timings is for cache push; cache pull writes them with --timings-to FILE');
  if (args.timingsTo !== undefined && args.action !== 'pull') throw new UsageError('--timings-to is for cache pull; cache push reads them with --timings FILE');
  const credentials = await credentialsFrom(args);
  const cache = new RegistryCache(ref, {
    env: process.env,
    insecureRegistries: [],
    credentials,
    warn,
  });
  try {
    if (args.action === 'push') {
      const result = await cache.push(
        paths,
        listLayers(paths).map((layer) => layer.meta.id),
        args.timings && path.resolve(args.timings),
      );
      out(
        `pushed ${result.uploaded} layers (${formatBytes(result.bytes)}) to ${cache.name}; ${result.present} already there${result.timings ? '; timings updated' : ''}`,
      );
      return 0;
    }
    const result = await cache.pullAll(paths);
    const timings = args.timingsTo ? await cache.fetchTimings(path.resolve(args.timingsTo)) : false;
    const skipped = result.skipped > 0 ? `, ${result.skipped} not usable here (built on a base this machine lacks, or refused: see the warnings)` : '';
    out(
      `pulled ${result.imported} layers from ${cache.name}; ${result.present} already here${skipped}${timings ? `; timings written to ${args.timingsTo}` : ''}`,
    );
    return 0;
  } catch (error) {
    const hint = error instanceof CubicleError && error.hint ? `\nhint: ${error.hint}` : '';
    process.stderr.write(`cubicle: registry cache ${safeMessage(cache.name)}: ${args.action} failed: ${safeMessage((error as Error).message)}${hint}\n`);
    return 1;
  }
}

/** `--username U --password-stdin`, as `docker login` reads a secret: stdin, one trailing newline dropped. */
async function credentialsFrom(args: CacheCommandArgs): Promise<Credentials | undefined> {
  if (!args.passwordStdin) {
    if (args.username !== undefined) throw new UsageError('--username needs --password-stdin (the password is never taken from an argument)');
    return undefined;
  }
  if (process.stdin.isTTY)
    throw new UsageError('--password-stdin: pipe the password in, e.g. `echo "$TOKEN" | cubicle cache pull REF --username me --password-stdin`');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw new UsageError('--password-stdin: stdin was empty; nothing was pushed or pulled');
  return { username: args.username ?? '', password, source: '--password-stdin' };
}

function requireFile(args: CacheCommandArgs): string {
  if (!args.file) throw new UsageError(`cache ${args.action} needs a FILE: \`cubicle cache ${args.action} layers.tar.zst\``);
  return args.file;
}

function listCommand(paths: ReturnType<typeof storePaths>, json: boolean): number {
  const layers = listLayers(paths).sort((a, b) => b.lastUsed.getTime() - a.lastUsed.getTime());
  if (json) {
    out(
      JSON.stringify(
        layers.map((layer) => ({ ...layer.meta, lastUsed: layer.lastUsed.toISOString() })),
        null,
        2,
      ),
    );
    return 0;
  }
  out(['ID'.padEnd(12), 'KIND'.padEnd(6), 'SIZE'.padStart(10), 'LAST USED'.padEnd(20), 'FROM'].join('  '));
  for (const layer of layers) {
    out(
      [
        layer.meta.id.slice(0, 12),
        layer.meta.kind.padEnd(6),
        formatBytes(layer.meta.sizeBytes).padStart(10),
        layer.lastUsed.toISOString().slice(0, 19).replace('T', ' ').padEnd(20),
        oneLine(layer.meta.description),
      ].join('  '),
    );
  }
  const total = layers.reduce((sum, layer) => sum + layer.meta.sizeBytes, 0);
  out(`${layers.length} layers, ${formatBytes(total)} in ${paths.root}`);
  // `caches:` dirs, one set per --cache-scope: which trust scopes this store holds.
  const scopes = namesIn(paths.caches).map((scope) => `${scope} (${formatBytes(treeSize(path.join(paths.caches, scope)))})`);
  if (scopes.length > 0) out(`caches by scope: ${scopes.map(safeMessage).join(', ')}`);
  return 0;
}

async function pruneCommand(paths: ReturnType<typeof storePaths>, args: CacheCommandArgs): Promise<number> {
  const keepSizeBytes = args.keepSize === undefined ? undefined : parseSize(args.keepSize);
  if (args.keepSize !== undefined && keepSizeBytes === undefined)
    throw new UsageError(`--keep-size: expected a size like 5g, got ${JSON.stringify(args.keepSize)}; nothing was removed`);
  const olderThanMs = args.olderThan === undefined ? undefined : parseDuration(args.olderThan);
  if (args.olderThan !== undefined && olderThanMs === undefined)
    throw new UsageError(`--older-than: expected a duration like 7d or 12h, got ${JSON.stringify(args.olderThan)}; nothing was removed`);
  if (keepSizeBytes === undefined && olderThanMs === undefined && !args.all) {
    throw new UsageError('cache prune needs --keep-size SIZE, --older-than AGE or --all; nothing was removed', {
      hint: 'e.g. `cubicle cache prune --keep-size 5g --older-than 7d`',
    });
  }
  const result = await pruneStore(paths, { keepSizeBytes, olderThanMs, all: args.all });
  for (const layer of result.removed)
    out(`removed  ${layer.meta.id.slice(0, 12)}  ${formatBytes(layer.meta.sizeBytes).padStart(10)}  ${oneLine(layer.meta.description)}`);
  out(`removed ${result.removed.length} layers (${formatBytes(result.freedBytes)}); ${formatBytes(result.keptBytes)} kept`);
  return 0;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
