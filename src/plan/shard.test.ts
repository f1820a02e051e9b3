import { describe, expect, it } from 'vitest';
import { resolvedJob } from '../../test/helpers/jobs.js';
import { jobsOfShard, parseShard, testFilesOfShard } from './shard.js';
import { fileTimes } from './timings-file.js';

const job = resolvedJob;

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

describe('testFilesOfShard (--shard-by test)', () => {
  const files = Array.from({ length: 10 }, (_, i) => `tests/test_${i}.py`);

  it('deals every file to exactly one shard, by count without history', () => {
    const parts = [1, 2, 3].map((index) => testFilesOfShard(files, { index, count: 3 }, () => undefined));
    expect(parts.flat().sort()).toEqual([...files].sort());
    expect(parts.map((part) => part.length).sort()).toEqual([3, 3, 4]);
  });

  it('balances by the last report: one slow file gets a shard of its own', () => {
    const ms = (file: string) => (file === 'tests/test_0.py' ? 9000 : 1000);
    const parts = [1, 2].map((index) => testFilesOfShard(files, { index, count: 2 }, ms));
    expect(parts.find((part) => part.includes('tests/test_0.py'))).toEqual(['tests/test_0.py']);
    expect(parts.flat()).toHaveLength(10);
  });

  it('gives a file never timed the average of the timed ones', () => {
    const ms = (file: string) => (file === 'tests/new.py' ? undefined : 1000);
    const parts = [1, 2].map((index) => testFilesOfShard(['tests/a.py', 'tests/b.py', 'tests/c.py', 'tests/new.py'], { index, count: 2 }, ms));
    expect(parts.map((part) => part.length)).toEqual([2, 2]);
  });
});

describe('fileTimes', () => {
  it("reads a file's time from `file` attributes, pytest's dotted classnames and Vitest's file classnames", () => {
    const timeOf = fileTimes([
      { classname: 'tests.test_api.TestUsers', ms: 300 },
      { classname: 'tests.test_api', ms: 200 },
      { classname: 'tests.test_api_extra', ms: 5000 },
      { classname: 'test_root', ms: 40 },
      { classname: 'src/a.test.ts', ms: 70 },
      { classname: 'ignored', file: './spec/b.spec.js', ms: 11 },
    ]);
    expect(timeOf('tests/test_api.py')).toBe(500);
    expect(timeOf('tests/test_api_extra.py')).toBe(5000);
    expect(timeOf('test_root.py')).toBe(40);
    expect(timeOf('src/a.test.ts')).toBe(70);
    expect(timeOf('spec/b.spec.js')).toBe(11);
    expect(timeOf('tests/test_new.py')).toBeUndefined();
  });
});
