// `--shard auto` on the real CLI: three machines of a GitLab `parallel: 3` job (CI_NODE_INDEX
// 1..3) run every job exactly once, as the explicit --shard i/3 split does; each says which
// shard it took and from which variables; without a CI that numbers its machines, exit 2.
import { afterAll, describe, expect, it } from 'vitest';
import { parseJunit } from '../../src/junit/index.js';
import { makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

/** The runner's own CI markers (this suite may run under GitHub Actions, or GitLab) are cleared: each test says which CI it is. */
const NO_CI = {
  GITHUB_ACTIONS: '',
  GITLAB_CI: '',
  CI_NODE_INDEX: '',
  CI_NODE_TOTAL: '',
  BUILDKITE: '',
  BUILDKITE_PARALLEL_JOB: '',
  BUILDKITE_PARALLEL_JOB_COUNT: '',
  CIRCLECI: '',
  CIRCLE_NODE_INDEX: '',
  CIRCLE_NODE_TOTAL: '',
};

const NAMES = ['lint', 'types', 'unit', 'api', 'e2e', 'docs', 'build'];
// `e2e` needs `build`: the two stay on one machine, so 7 jobs make 6 groups for 3 shards.
const jobYaml = (name: string) => `  ${name}:\n    run: echo "${name} ran in $CUBICLE_SHARD"${name === 'e2e' ? '\n    needs: [build]' : ''}`;
const CONFIG = `jobs:\n${NAMES.map(jobYaml).join('\n')}\n`;
const VARIABLES = [
  'GITLAB_CI',
  'CI_NODE_INDEX',
  'CI_NODE_TOTAL',
  'BUILDKITE',
  'BUILDKITE_PARALLEL_JOB_COUNT',
  'CIRCLECI',
  'CIRCLE_NODE_INDEX',
  'CIRCLE_NODE_TOTAL',
];
const suiteNames = (xml: string) => parseJunit(xml, 'junit').map((suite) => suite.name);

const sortedNames = (jobs: readonly { name: string }[]) => jobs.map((job) => job.name).sort();

describe('--shard auto', () => {
  it('3 machines under GitLab parallel: 3 run every job exactly once, as --shard i/3 does, and say where the shard came from', async () => {
    const project = makeProject(CONFIG);
    const byAuto: string[][] = [];
    const byHand: string[][] = [];
    for (const index of [1, 2, 3]) {
      const gitlab = { ...NO_CI, GITLAB_CI: 'true', CI_NODE_INDEX: String(index), CI_NODE_TOTAL: '3' };
      const auto = await project.cubicle(['run', '--shard', 'auto', '--json', 'results.json', '--junit', `shard-${index}.xml`], { env: gitlab });
      expect(auto.exitCode, auto.stderr).toBe(0);
      expect(auto.stderr).toContain(`cubicle: --shard auto: shard ${index}/3 (GitLab CI_NODE_INDEX=${index}, CI_NODE_TOTAL=3)`);
      const { jobs } = project.results();
      expect(jobs.every((job) => job.status === 'passed')).toBe(true);
      byAuto.push(sortedNames(jobs));
      // The JUnit report holds the same jobs, and each job saw the resolved shard, not "auto".
      expect(suiteNames(project.read(`shard-${index}.xml`)).sort()).toEqual(byAuto.at(-1));
      for (const name of byAuto.at(-1)!) expect(auto.stdout).toContain(`${name} ran in ${index}/3`);

      const explicit = await project.cubicle(['run', '--shard', `${index}/3`, '--json', 'results.json'], { env: NO_CI });
      expect(explicit.exitCode, explicit.stderr).toBe(0);
      expect(explicit.stderr).not.toContain('--shard auto');
      byHand.push(sortedNames(project.results().jobs));
    }
    expect(byAuto.flat().sort()).toEqual([...NAMES].sort());
    expect(byAuto).toEqual(byHand);
    expect(byAuto.every((names) => names.length >= 2)).toBe(true);
    expect(byAuto.find((names) => names.includes('build'))).toContain('e2e');
  }, 180_000);

  it('Buildkite counts from 0: BUILDKITE_PARALLEL_JOB=0 of 3 is shard 1/3', async () => {
    const project = makeProject(CONFIG);
    const env = { ...NO_CI, BUILDKITE: 'true', BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '3' };
    const auto = await project.cubicle(['run', '--shard', 'auto', '--json', 'results.json'], { env });
    expect(auto.exitCode, auto.stderr).toBe(0);
    expect(auto.stderr).toContain('cubicle: --shard auto: shard 1/3 (Buildkite BUILDKITE_PARALLEL_JOB=0, BUILDKITE_PARALLEL_JOB_COUNT=3)');
    const first = project.results().jobs.map((job) => job.name);
    await project.cubicle(['run', '--shard', '1/3', '--json', 'results.json'], { env: NO_CI });
    expect(first).toEqual(project.results().jobs.map((job) => job.name));
  }, 60_000);

  it('without a CI that numbers its machines: exit 2, naming every variable it reads, and nothing runs', async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle(['run', '--shard', 'auto'], { env: { ...NO_CI, CI: 'true', JENKINS_URL: 'http://jenkins.invalid/' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--shard auto: no CI that numbers its parallel machines was found');
    for (const name of VARIABLES) expect(result.stderr).toContain(name);
    expect(result.stderr).toContain('--shard i/n');
    expect(result.stdout).not.toContain(' ran in ');
  });

  it('a malformed CI value: exit 2 naming the variable and its value', async () => {
    const project = makeProject(CONFIG);
    const env = { ...NO_CI, GITLAB_CI: 'true', CI_NODE_INDEX: '4', CI_NODE_TOTAL: '3' };
    const result = await project.cubicle(['run', '--shard', 'auto'], { env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--shard auto: CI_NODE_INDEX="4" is out of range: with CI_NODE_TOTAL=3 it counts 1 to 3; nothing was run');
  });
});
