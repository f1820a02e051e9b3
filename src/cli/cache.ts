// `cubicle cache ls|prune|verify|export|import`: the layer store, by hand or from CI.
import path from 'node:path';
import { parseDuration, parseSize, formatBytes } from '../core/units.js';
import { UsageError } from '../core/errors.js';
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
  ],
  options: {
    json: { type: 'boolean', describe: 'ls: print the layers as JSON' },
    'keep-size': { type: 'string', describe: 'prune: remove least recently used layers until the store fits, e.g. 5g' },
    'older-than': { type: 'string', describe: 'prune: remove layers unused for this long, e.g. 7d' },
    all: { type: 'boolean', describe: 'prune: remove every layer' },
    ...cacheDirOption,
  },
  run: (args) => {
    const [action, file, ...extra] = positionals(args);
    if (!action) throw new UsageError('name a cache action: ls, prune, verify, export FILE or import FILE');
    if (extra.length > 0) throw new UsageError(`cache ${action}: unexpected arguments ${extra.join(' ')}`);
    return cacheCommand({
      action,
      file,
      json: args.json === true,
      keepSize: args['keep-size'],
      olderThan: args['older-than'],
      all: args.all === true,
      cacheDir: args['cache-dir'],
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
    default:
      throw new UsageError(`unknown cache action "${args.action}": expected ls, prune, verify, export FILE or import FILE`);
  }
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
