import { describe, expect, it } from 'vitest';
import { resolvedJob } from '../../test/helpers/jobs.js';
import { jobsOfShard, parseShard, resolveShard, testFilesOfShard } from './shard.js';
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
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '', 'Auto']) expect(() => parseShard(bad)).toThrow(/--shard: expected i\/n .*, or auto/);
  });
});

describe('--shard auto', () => {
  const jobs = ['lint', 'unit', 'e2e', 'types', 'docs', 'build', 'api'].map((name) => job(name));
  const names = (env: Record<string, string>) => jobsOfShard(jobs, resolveShard('auto', env), new Map()).map((entry) => entry.name);
  const explicit = (text: string) => jobsOfShard(jobs, parseShard(text), new Map()).map((entry) => entry.name);
  const machines = [
    { ci: 'GitLab (1-based)', env: (i: number) => ({ GITLAB_CI: 'true', CI_NODE_INDEX: String(i), CI_NODE_TOTAL: '3' }) },
    { ci: 'Buildkite (0-based)', env: (i: number) => ({ BUILDKITE: 'true', BUILDKITE_PARALLEL_JOB: String(i - 1), BUILDKITE_PARALLEL_JOB_COUNT: '3' }) },
    { ci: 'CircleCI (0-based)', env: (i: number) => ({ CIRCLECI: 'true', CIRCLE_NODE_INDEX: String(i - 1), CIRCLE_NODE_TOTAL: '3' }) },
  ];

  for (const { ci, env } of machines) {
    it(`${ci}: machine i of 3 runs the jobs of --shard i/3`, () => {
      for (const i of [1, 2, 3]) {
        expect(resolveShard('auto', env(i))).toMatchObject({ index: i, count: 3 });
        expect(names(env(i))).toEqual(explicit(`${i}/3`));
      }
      expect([1, 2, 3].flatMap((i) => names(env(i))).sort()).toEqual(jobs.map((entry) => entry.name).sort());
    });
  }

  it('says where the shard came from', () => {
    expect(resolveShard('auto', machines[0]!.env(2)).from).toBe('GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=3');
    expect(resolveShard(' auto ', machines[1]!.env(1)).from).toBe('Buildkite BUILDKITE_PARALLEL_JOB=0, BUILDKITE_PARALLEL_JOB_COUNT=3');
    expect(resolveShard('2/3', machines[0]!.env(1))).toEqual({ index: 2, count: 3 }); // an explicit shard wins over the CI's
  });

  it('a CI without parallel machines (GitLab without parallel:) is the only shard, and says so', () => {
    const only = resolveShard('auto', { GITLAB_CI: 'true' });
    expect(only).toMatchObject({ index: 1, count: 1 });
    expect(only.from).toContain('CI_NODE_INDEX and CI_NODE_TOTAL unset');
    // What GitLab really sets on a job without parallel: no index, a total of 1.
    expect(resolveShard('auto', { GITLAB_CI: 'true', CI_NODE_TOTAL: '1' })).toEqual({
      index: 1,
      count: 1,
      from: 'GitLab without parallel machines: CI_NODE_INDEX unset, CI_NODE_TOTAL=1, so this is the only shard',
    });
    expect(resolveShard('auto', { CIRCLECI: 'true', CIRCLE_NODE_INDEX: '', CIRCLE_NODE_TOTAL: '' })).toMatchObject({ index: 1, count: 1 });
  });

  it('refuses an unknown CI, naming every variable it reads', () => {
    for (const env of [{}, { CI: 'true', JENKINS_URL: 'http://ci' }, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' }, { GITLAB_CI: 'false' }]) {
      expect(() => resolveShard('auto', env)).toThrow(/--shard auto: no CI that numbers its parallel machines was found/);
    }
    let message = '';
    try {
      resolveShard('auto', { GITHUB_ACTIONS: 'true' });
    } catch (error) {
      message = (error as Error).message;
      expect(error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    }
    for (const name of ['GITLAB_CI', 'CI_NODE_INDEX', 'CI_NODE_TOTAL', 'BUILDKITE', 'BUILDKITE_PARALLEL_JOB', 'BUILDKITE_PARALLEL_JOB_COUNT', 'CIRCLECI']) {
      expect(message).toContain(name);
    }
    expect(message).toContain('CIRCLE_NODE_INDEX and CIRCLE_NODE_TOTAL');
    expect(message).toContain('GitHub Actions sets no shard variable: a matrix job gives its own, e.g. --shard ${{ matrix.shard }}/3');
  });

  it('refuses malformed values, naming the variable and its value', () => {
    const gitlab = (index: string, total: string) => ({ GITLAB_CI: 'true', CI_NODE_INDEX: index, CI_NODE_TOTAL: total });
    const circle = (index: string, total: string) => ({ CIRCLECI: 'true', CIRCLE_NODE_INDEX: index, CIRCLE_NODE_TOTAL: total });
    const refusals: [Record<string, string>, string][] = [
      [gitlab('0', '3'), 'CI_NODE_INDEX="0" is out of range: with CI_NODE_TOTAL=3 it counts 1 to 3'],
      [gitlab('4', '3'), 'CI_NODE_INDEX="4" is out of range'],
      [gitlab('two', '3'), 'CI_NODE_INDEX="two" is not a whole number'],
      [gitlab('1', '-3'), 'CI_NODE_TOTAL="-3" is not a whole number'],
      [gitlab('1', '0'), 'CI_NODE_TOTAL="0" is below 1'],
      [circle('3', '3'), 'CIRCLE_NODE_INDEX="3" is out of range: with CIRCLE_NODE_TOTAL=3 it counts 0 to 2'],
      [{ GITLAB_CI: 'true', CI_NODE_TOTAL: '3' }, 'GitLab set CI_NODE_TOTAL but not CI_NODE_INDEX'],
      [{ BUILDKITE: 'true', BUILDKITE_PARALLEL_JOB: '1' }, 'Buildkite set BUILDKITE_PARALLEL_JOB but not BUILDKITE_PARALLEL_JOB_COUNT'],
      [{ ...gitlab('1', '3'), BUILDKITE: 'true' }, 'GitLab (GITLAB_CI=true) and Buildkite (BUILDKITE=true) are all set'],
    ];
    for (const [env, message] of refusals) expect(() => resolveShard('auto', env), message).toThrow(message);
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
