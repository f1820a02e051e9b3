// The README's .gitlab-ci.yml, taken from README.md itself (so the two cannot drift), run as
// GitLab would run its `parallel: 3` machines: each script line in sh with GitLab's variables,
// `npm ci` left out and `npx cubicle` the CLI of this checkout. The registry is a closed port:
// a registry that is down is a warning, never a failed run.
import { execa, execaSync } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { findCredentials } from '../../src/image/oci/credentials.js';
import { parseJunit } from '../../src/junit/index.js';
import { CLI } from '../helpers/paths.js';
import { makeProject, removeProjects } from '../helpers/project.js';
import { tempDirs } from '../helpers/temp.js';
import { readmeExample } from '../helpers/readme.js';

const homes = tempDirs('cubicle-gitlab');
afterAll(() => {
  removeProjects();
  homes.removeAll();
});

interface GitlabJob {
  image: string;
  parallel: number;
  script: string[];
  artifacts: { when: string; reports: { junit: string } };
}

const { test: job } = load(readmeExample('## Other CIs')) as { test: GitlabJob };
// The registry flags come with the registry cache (issue 16, items 1-4); until then the script cannot run as written.
const hasRegistryCache = execaSync(process.execPath, [CLI, 'run', '--help'], { reject: false }).stdout.includes('--cache-from');
if (!hasRegistryCache) console.log("skipped: the README's .gitlab-ci.yml run as written (this cubicle's run has no --cache-from yet)");

const NAMES = ['lint', 'types', 'unit', 'api', 'e2e', 'docs', 'build'];
const CONFIG = `jobs:\n${NAMES.map((name) => `  ${name}:\n    run: echo ${name}`).join('\n')}\n`;

/** One of GitLab's machines: its variables (a closed port for the registry), the CI markers of whoever runs this suite cleared. */
function gitlabEnv(index: number, home: string): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    GITHUB_ACTIONS: '',
    BUILDKITE: '',
    CIRCLECI: '',
    NO_COLOR: '1',
    HOME: home,
    GITLAB_CI: 'true',
    CI_NODE_INDEX: String(index),
    CI_NODE_TOTAL: String(job.parallel),
    CI_BUILDS_DIR: home,
    CI_REGISTRY: '127.0.0.1:9',
    CI_REGISTRY_IMAGE: '127.0.0.1:9/team/app',
    CI_REGISTRY_USER: 'gitlab-ci-token',
    CI_REGISTRY_PASSWORD: 'job-token',
    CI_COMMIT_BRANCH: 'main',
    CI_DEFAULT_BRANCH: 'main',
  };
}

/** The script as the runner's shell runs it, one line after another, stopping at the first that fails. */
function shellScript(lines: readonly string[]): string {
  const npx = `npx() { [ "$1" = cubicle ] || return 127; shift; "${process.execPath}" "${CLI}" "$@"; }`;
  return ['set -e', npx, ...lines.filter((line) => line !== 'npm ci')].join('\n');
}

describe("README's .gitlab-ci.yml", () => {
  it('shards with parallel:, reports JUnit where artifacts: reports: junit: looks, and writes an auth file cubicle reads', async () => {
    expect(job.parallel).toBe(3);
    expect(job.script.join('\n')).toContain('npx cubicle run --shard auto');
    expect(job.script.join('\n')).toContain(`--junit ${job.artifacts.reports.junit}`);
    expect(job.artifacts.when).toBe('always');
    // Only the auth file's lines: they run on any cubicle.
    const home = homes.make();
    const authLines = job.script.filter((line) => !line.includes('npx cubicle') && line !== 'npm ci');
    const auth = await execa('sh', ['-c', shellScript(authLines)], { env: gitlabEnv(1, home), reject: false });
    expect(auth.exitCode, auth.stderr).toBe(0);
    const found = await findCredentials('127.0.0.1:9', 'team/app/cubicle-cache', { HOME: home });
    expect(found.credentials).toMatchObject({ username: 'gitlab-ci-token', password: 'job-token' });
  });

  it.runIf(hasRegistryCache)(
    '3 machines run as written: every job once, the registry down is a warning',
    async () => {
      const project = makeProject(CONFIG);
      const seen: string[] = [];
      for (const index of [1, 2, 3]) {
        const home = homes.make();
        const result = await execa('sh', ['-c', shellScript(job.script)], { cwd: project.dir, env: gitlabEnv(index, home), reject: false });
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stderr).toContain(`shard ${index}/3 (GitLab CI_NODE_INDEX=${index}, CI_NODE_TOTAL=3)`);
        expect(fs.existsSync(path.join(home, '.cubicle')), 'the store sits in CUBICLE_CACHE_DIR').toBe(true);
        seen.push(...parseJunit(project.read(job.artifacts.reports.junit), 'report').map((suite) => suite.name));
      }
      expect(seen.sort()).toEqual([...NAMES].sort());
    },
    120_000,
  );
});
