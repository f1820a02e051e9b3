// `cubicle init` on fixture checkouts: the config it writes is read by the real CLI (run where
// the toolchain is on this host and needs no network: npm with no dependencies, make, go),
// and it never replaces a config without --force.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { outboundUnavailable } from '../helpers/host.js';
import { makeProject, removeProjects, type Project } from '../helpers/project.js';

afterAll(removeProjects);

const HAVE_GO = spawnSync('go', ['version']).status === 0;
/** The generated setup steps take a setup step's default network, `outbound`. */
const NO_OUTBOUND = outboundUnavailable();

/** A checkout with `files` and no cubicle config. */
function checkout(files: Record<string, string>): Project {
  const project = makeProject('', files);
  fs.rmSync(project.file('cubicle.config.yaml'));
  return project;
}

/** The config is valid as a whole: asking for an unknown job lists exactly that one problem, and the jobs. */
async function expectValidConfig(project: Project, jobs: string[]): Promise<void> {
  const result = await project.cubicle(['run', 'no-such-job']);
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stderr).toContain(`1 problem in ${project.file('cubicle.config.yaml')}`);
  expect(result.stderr).toContain(`the config defines ${jobs.map((job) => `"${job}"`).join(', ')}`);
}

describe('cubicle init', () => {
  it('node (npm): a setup step `npm ci` and `npm test`, which `cubicle run` then passes, offline', async () => {
    const project = checkout({
      'package.json': JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, scripts: { test: 'node -e 0' } }),
      'package-lock.json': JSON.stringify({
        name: 'fixture',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'fixture', version: '1.0.0' } },
      }),
    });
    const init = await project.cubicle(['init']);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain('found package.json and package-lock.json (npm)');
    expect(init.stdout).toContain('wrote cubicle.config.yaml: job node (npm ci --no-audit --no-fund, then npm test)');
    const config = project.read('cubicle.config.yaml');
    expect(config).toContain('inputs: [package.json, package-lock.json]');
    expect(config).toContain('caches: [~/.npm]');
    if (NO_OUTBOUND) return console.log(`skipped: running the node job (its setup step's default network: outbound): ${NO_OUTBOUND}`);
    const run = await project.cubicle(['run', '--json', 'results.json']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('[node] [setup 1/1] running: npm ci --no-audit --no-fund');
    expect(project.results().jobs.map((job) => [job.name, job.status])).toEqual([['node', 'passed']]);
  });

  it('refuses to replace a config (exit 2, nothing written) unless --force', async () => {
    const project = checkout({ Makefile: 'check:\n\t@echo checked\n' });
    fs.writeFileSync(project.file('.cubiclerc.yaml'), 'jobs: { mine: { run: "true" } }\n');
    const refused = await project.cubicle(['init']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('.cubiclerc.yaml already exists');
    expect(refused.stderr).toContain('nothing was written');
    expect(refused.stderr).toContain('--force');
    expect(fs.existsSync(project.file('cubicle.config.yaml'))).toBe(false);
    fs.rmSync(project.file('.cubiclerc.yaml'));
    expect((await project.cubicle(['init'])).exitCode).toBe(0);
    fs.writeFileSync(project.file('cubicle.config.yaml'), '# mine\n');
    expect((await project.cubicle(['init'])).exitCode).toBe(2);
    expect(project.read('cubicle.config.yaml')).toBe('# mine\n');
    const forced = await project.cubicle(['init', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(project.read('cubicle.config.yaml')).toContain('run: make check');
  });

  it('make: `make check`, which runs', async () => {
    const project = checkout({ Makefile: 'all:\n\ttrue\ncheck:\n\t@echo checked-by-make\n' });
    expect((await project.cubicle(['init'])).stdout).toContain('found Makefile with a check target (make)');
    const run = await project.cubicle(['run']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('[make] checked-by-make');
  });

  it('go: `go mod download` as a setup step and `go test ./...`; run where go is installed', async () => {
    const project = checkout({
      'go.mod': 'module example.com/fixture\n\ngo 1.19\n',
      'one_test.go': 'package fixture\n\nimport "testing"\n\nfunc TestOne(t *testing.T) {}\n',
    });
    expect((await project.cubicle(['init'])).exitCode).toBe(0);
    expect(project.read('cubicle.config.yaml')).toContain('run: go test ./...');
    await expectValidConfig(project, ['go']);
    if (!HAVE_GO) return console.warn('skipped: running the go job needs go on this host');
    if (NO_OUTBOUND) return console.log(`skipped: running the go job (its setup step's default network: outbound): ${NO_OUTBOUND}`);
    const run = await project.cubicle(['run'], { timeoutMs: 55_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[go\] ok\s+example\.com\/fixture/);
  });

  it('python: a venv in the checkout and pytest writing JUnit (read, not run: pip needs the network)', async () => {
    const project = checkout({ 'requirements.txt': 'pytest\n', 'test_one.py': 'def test_one():\n    pass\n' });
    const init = await project.cubicle(['init']);
    expect(init.stdout).toContain('found requirements.txt (pip, pytest)');
    const config = project.read('cubicle.config.yaml');
    expect(config).toContain('- run: python3 -m venv --system-site-packages .venv && .venv/bin/pip install -r requirements.txt\n');
    expect(config).toContain('run: .venv/bin/python -m pytest --junitxml=reports/junit.xml\n');
    expect(config).toContain('junit: reports/*.xml\n');
    await expectValidConfig(project, ['python']);
  });

  it('finds each thing in a mixed checkout; writes a placeholder, said out loud, in an empty one', async () => {
    const mixed = checkout({ 'package.json': '{"scripts":{"test":"node -e 0"}}', 'pyproject.toml': '[project]\nname = "x"\n', Makefile: 'test:\n\ttrue\n' });
    const init = await mixed.cubicle(['init']);
    expect(init.stdout).toContain('note: node: no lockfile');
    await expectValidConfig(mixed, ['node', 'python', 'make']);
    const empty = checkout({});
    const placeholder = await empty.cubicle(['init']);
    expect(placeholder.stdout).toContain('found no package.json, requirements.txt, pyproject.toml, go.mod or Makefile');
    await expectValidConfig(empty, ['test']);
  });
});
