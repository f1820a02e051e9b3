// `--shard i/n`: each CI machine takes a deterministic part of the jobs. Jobs joined by `needs`
// stay together (a shard never waits on another machine). Groups are dealt longest first to the
// least loaded shard (LPT), by recorded durations; without any, by count.
import type { ResolvedJob } from '../config/resolve.js';
import { UsageError } from '../core/errors.js';
import type { Timings } from '../store/timings.js';
import { shardFromCi } from './ci-shard.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `--shard` as given: i/n, or `auto` (the CI's own variables in `env`, said in `from`). */
export function resolveShard(text: string, env: Readonly<Record<string, string | undefined>>): Shard & { readonly from?: string } {
  return text.trim() === 'auto' ? shardFromCi(env) : parseShard(text);
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard: expected i/n with 1 <= i <= n, like 2/3, or auto, got ${JSON.stringify(text)}; nothing was run`);
  }
  return { index, count };
}

/** The jobs of shard `shard`, in their config order. */
export function jobsOfShard(jobs: readonly ResolvedJob[], shard: Shard, timings: Timings): ResolvedJob[] {
  const groups = connectedGroups(jobs);
  const fallback = averageOr1([...timings.values()]);
  const dealt = dealLongestFirst(
    groups.map((group) => ({ name: group[0]!.name, cost: group.reduce((sum, job) => sum + (timings.get(job.name) ?? fallback), 0) })),
    shard.count,
  );
  const mine = new Set(groups.filter((_, i) => dealt[i] === shard.index - 1).flatMap((group) => group.map((job) => job.name)));
  return jobs.filter((job) => mine.has(job.name));
}

/** `--shard auto`: the shard this machine took, and the variables that said so. */
export function autoShardNote(shard: Shard & { readonly from?: string | undefined }): string {
  return `cubicle: --shard auto: shard ${shard.index}/${shard.count} (${shard.from ?? 'the CI'})\n`;
}

/**
 * `--shard i/n` dealt this shard no job (fewer job groups than shards): exit 0 is right for a CI
 * matrix wider than the config, but it must be said, with the way to split one job's tests.
 */
export function emptyShardNote(shard: Shard, jobCount: number): string {
  const jobs = `${jobCount} job${jobCount === 1 ? '' : 's'}`;
  return (
    `cubicle: --shard ${shard.index}/${shard.count}: no job falls to this shard: jobs are dealt whole to the ${shard.count} shards ` +
    `(jobs joined by needs together) and this run has ${jobs}, so nothing ran.\n` +
    'hint: to split the tests of each job between the shards instead, run with --shard-by test ' +
    '(a job with testFiles: gets its part of the files as arguments; others get CUBICLE_TEST_SHARD, e.g. for vitest --shard).\n'
  );
}

/** A job's part of its test files under `--shard-by test`, and how many it has in all. */
export interface TestFilesOfShard {
  readonly mine: readonly string[];
  readonly total: number;
}

/**
 * `--shard-by test`: this shard's part of a job's test files (sorted), dealt longest first by
 * `msOf` (the last report's time per file); files never timed count as the average.
 */
export function testFilesOfShard(files: readonly string[], shard: Shard, msOf: (file: string) => number | undefined): string[] {
  const known = files.map(msOf);
  const fallback = averageOr1(known.filter((ms): ms is number => ms !== undefined));
  const dealt = dealLongestFirst(
    files.map((name, i) => ({ name, cost: known[i] ?? fallback })),
    shard.count,
  );
  return files.filter((_, i) => dealt[i] === shard.index - 1).sort();
}

/** A thing never seen counts as the average of those seen, or 1 when none is (a split by count). */
function averageOr1(known: readonly number[]): number {
  return known.length > 0 ? known.reduce((sum, ms) => sum + ms, 0) / known.length : 1;
}

/**
 * Longest-processing-time first: the costliest item goes to the least loaded shard (the lowest
 * index on a tie; names break ties in cost), so every machine deals the same hands.
 * Returns each item's shard, 0-based.
 */
function dealLongestFirst(items: readonly { readonly name: string; readonly cost: number }[], count: number): number[] {
  const order = items
    .map((_, i) => i)
    .sort((a, b) => items[b]!.cost - items[a]!.cost || (items[a]!.name < items[b]!.name ? -1 : items[a]!.name > items[b]!.name ? 1 : 0));
  const loads = Array.from({ length: count }, () => 0);
  const dealt: number[] = Array.from({ length: items.length }, () => 0);
  for (const i of order) {
    let target = 0;
    for (let candidate = 1; candidate < count; candidate++) if (loads[candidate]! < loads[target]!) target = candidate;
    loads[target]! += items[i]!.cost;
    dealt[i] = target;
  }
  return dealt;
}

/** Jobs linked by `needs`, in either direction, form one group (sorted by name for determinism). */
function connectedGroups(jobs: readonly ResolvedJob[]): ResolvedJob[][] {
  const parent = new Map(jobs.map((job) => [job.name, job.name]));
  const find = (name: string): string => {
    let root = name;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(name, root);
    return root;
  };
  for (const job of jobs) for (const need of job.needs) if (parent.has(need)) parent.set(find(job.name), find(need));
  const groups = new Map<string, ResolvedJob[]>();
  for (const job of [...jobs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const root = find(job.name);
    groups.set(root, [...(groups.get(root) ?? []), job]);
  }
  return [...groups.values()];
}
