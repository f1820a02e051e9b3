// `--shard i/n`: each CI machine takes a deterministic part of the jobs. Jobs joined by `needs`
// stay together (a shard never waits on another machine). Groups are dealt longest first to the
// least loaded shard (LPT), by recorded durations; without any, by count.
import type { ResolvedJob } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import type { Timings } from './timings.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard: expected i/n with 1 <= i <= n, like 2/3, got ${JSON.stringify(text)}; nothing was run`);
  }
  return { index, count };
}

/** The jobs of shard `shard`, in their config order. */
export function jobsOfShard(jobs: readonly ResolvedJob[], shard: Shard, timings: Timings): ResolvedJob[] {
  const groups = connectedGroups(jobs);
  const known = [...timings.values()];
  // A job never seen counts as the average of those seen (or 1 when none is: by count).
  const fallback = known.length > 0 ? known.reduce((sum, ms) => sum + ms, 0) / known.length : 1;
  const cost = (group: readonly ResolvedJob[]) => group.reduce((sum, job) => sum + (timings.get(job.name) ?? fallback), 0);
  const ordered = groups
    .map((group) => ({ group, cost: cost(group), first: group[0]!.name }))
    .sort((a, b) => b.cost - a.cost || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const loads = Array.from({ length: shard.count }, () => 0);
  const mine = new Set<string>();
  for (const { group, cost: groupCost } of ordered) {
    let target = 0;
    for (let i = 1; i < loads.length; i++) if (loads[i]! < loads[target]!) target = i;
    loads[target]! += groupCost;
    if (target === shard.index - 1) for (const job of group) mine.add(job.name);
  }
  return jobs.filter((job) => mine.has(job.name));
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
