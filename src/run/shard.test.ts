import { describe, expect, it } from 'vitest';
import type { ResolvedJob } from '../config/resolve.js';
import { jobsOfShard, parseShard } from './shard.js';

function job(name: string, needs: string[] = []): ResolvedJob {
  return { name, image: 'host', command: ['true'], env: {}, network: 'none', junit: [], artifacts: [], needs, retries: 0, limits: {}, setup: [], caches: [], seccomp: 'default', services: [], user: null };
}

describe('jobsOfShard', () => {
  const uneven = [50_000, 41_000, 33_000, 30_000, 22_000, 19_000, 15_000, 12_000, 9_000, 7_000, 5_000, 3_000, 2_000, 1_000];
  const jobs = uneven.map((_, i) => job(`j${i}`));
  const timings = new Map(uneven.map((ms, i) => [`j${i}`, ms]));

  it('deals every job to exactly one shard, deterministically', () => {
    const parts = [1, 2, 3].map((index) => jobsOfShard(jobs, { index, count: 3 }, timings).map((entry) => entry.name));
    expect(parts.flat().sort()).toEqual(jobs.map((entry) => entry.name).sort());
    expect([1, 2, 3].map((index) => jobsOfShard(jobs, { index, count: 3 }, timings).map((entry) => entry.name))).toEqual(parts);
  });

  it('balances recorded durations within 20% (longest processing time first)', () => {
    const totals = [1, 2, 3].map((index) => jobsOfShard(jobs, { index, count: 3 }, timings).reduce((sum, entry) => sum + timings.get(entry.name)!, 0));
    expect(Math.max(...totals) / Math.min(...totals)).toBeLessThan(1.2);
  });

  it('splits by count without history, and keeps jobs joined by needs on one shard', () => {
    const linked = [job('a'), job('b', ['a']), job('c'), job('d'), job('e', ['d']), job('f')];
    const parts = [1, 2].map((index) => jobsOfShard(linked, { index, count: 2 }, new Map()).map((entry) => entry.name));
    expect(parts.map((part) => part.length)).toEqual([3, 3]);
    expect(parts.find((part) => part.includes('a'))).toContain('b');
    expect(parts.find((part) => part.includes('d'))).toContain('e');
  });

  it('parses i/n and refuses the rest', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '']) expect(() => parseShard(bad)).toThrow(/--shard: expected i\/n/);
  });
});
