import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { existingConfigs, proposeJobs, renderConfig } from './init.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-init-'));
  roots.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** The config init would write for `dir`, read back the way `cubicle run` reads it. */
function written(dir: string) {
  const text = renderConfig(proposeJobs(dir));
  return { text, config: resolveConfig({ raw: load(text), source: path.join(dir, 'cubicle.config.yaml') }) };
}

describe('cubicle init', () => {
  it('npm: `npm ci` as a setup step on package.json and the lockfile, ~/.npm as a cache, `npm test`', () => {
    const { config } = written(dirWith({ 'package.json': '{"scripts":{"test":"vitest run"}}', 'package-lock.json': '{}', '.npmrc': 'fund=false' }));
    const [job] = config.jobs;
    expect(job).toMatchObject({ name: 'node', command: ['/bin/sh', '-c', 'npm test'], caches: ['~/.npm'] });
    expect(job!.setup).toEqual([{ run: 'npm ci --no-audit --no-fund', inputs: ['package.json', 'package-lock.json', '.npmrc'], env: {}, network: 'outbound' }]);
    expect(job!.limits).toEqual({ timeoutMs: 15 * 60_000 });
  });

  it('pnpm and yarn from their lockfiles', () => {
    const pnpm = written(dirWith({ 'package.json': '{}', 'pnpm-lock.yaml': '' })).config.jobs[0]!;
    // No pnpm on the host: corepack's shims in ~/.local/bin, which the job's PATH leads with, so `pnpm test` finds it.
    expect(pnpm.setup[0]!.run).toBe(
      'mkdir -p ~/.local/bin && { command -v pnpm >/dev/null || corepack enable --install-directory ~/.local/bin pnpm; } && pnpm install --frozen-lockfile',
    );
    expect(pnpm.command).toEqual(['/bin/sh', '-c', 'pnpm test']);
    const yarn = written(dirWith({ 'package.json': '{}', 'yarn.lock': '' })).config.jobs[0]!;
    expect(yarn.setup[0]).toMatchObject({
      run: expect.stringMatching(/corepack enable --install-directory ~\/.local\/bin yarn; } && yarn install --frozen-lockfile$/),
      inputs: ['package.json', 'yarn.lock'],
    });
    const berry = written(dirWith({ 'package.json': '{}', 'yarn.lock': '', '.yarnrc.yml': '' })).config.jobs[0]!;
    expect(berry.setup[0]!.run).toMatch(/&& yarn install --immutable$/);
  });

  it('says what to fix: no lockfile, no test script', () => {
    const [job] = proposeJobs(dirWith({ 'package.json': '{}' }));
    expect(job!.setup!.run).toBe('npm install --no-audit --no-fund');
    expect(job!.note).toContain('no lockfile');
    expect(job!.note).toContain('no test script');
  });

  it('python: a venv in the checkout (/usr is read-only), pytest writing JUnit that the job reports', () => {
    const { config } = written(dirWith({ 'requirements.txt': 'requests==2.32.0\n' }));
    const [job] = config.jobs;
    expect(job!.setup[0]).toMatchObject({
      run: 'python3 -m venv --system-site-packages .venv && .venv/bin/pip install -r requirements.txt pytest',
      inputs: ['requirements.txt'],
    });
    expect(job!.command).toEqual(['/bin/sh', '-c', '.venv/bin/python -m pytest --junitxml=reports/junit.xml']);
    expect(job!.junit).toEqual(['reports/*.xml']);
    const pinned = proposeJobs(dirWith({ 'requirements.txt': 'pytest==8.0\n' }))[0]!;
    expect(pinned.setup!.run).toBe('python3 -m venv --system-site-packages .venv && .venv/bin/pip install -r requirements.txt');
    const pyproject = written(dirWith({ 'pyproject.toml': '[project]\nname = "x"\n', 'src/x/__init__.py': '' })).config.jobs[0]!;
    expect(pyproject.env).toEqual({ PYTHONPATH: 'src' });
  });

  it('pyproject.toml: installs its dependencies, test extras and dependency groups (expanded: Debian 12 pip 23.0 has no --group)', () => {
    const toml = [
      '[project]',
      'name = "calc"',
      'dependencies = [',
      '  "packaging>=21",  # a comment, and a trailing comma',
      ']',
      '',
      '[project.optional-dependencies]',
      'test = [\'pytest>=7\', "attrs"]',
      'docs = ["sphinx"]',
      '',
      '[dependency-groups]',
      'lint = ["flake8; python_version >= \'3.8\'"]',
      'dev = [{ include-group = "lint" }, "iniconfig"]',
    ].join('\n');
    const { config, text } = written(dirWith({ 'pyproject.toml': toml, 'calc.py': '' }));
    const [job] = config.jobs;
    expect(job!.setup[0]!.run).toBe(
      "python3 -m venv --system-site-packages .venv && .venv/bin/pip install 'packaging>=21' 'pytest>=7' attrs 'flake8; python_version >= '\\''3.8'\\''' iniconfig",
    );
    expect(job!.env).toEqual({ PYTHONPATH: '.' });
    expect(text).toContain('# from pyproject.toml (pytest; installs [project] dependencies, extra "test", dependency group "dev")');
    expect(text).toContain('the project itself is on PYTHONPATH');
    const bare = proposeJobs(dirWith({ 'pyproject.toml': '[project]\nname = "x"\n' }))[0]!;
    expect(bare.setup!.run).toBe('python3 -m venv --system-site-packages .venv && .venv/bin/pip install pytest');
  });

  it('node --test: JUnit in reports/ through NODE_OPTIONS, unless the script names its reporters', () => {
    const [job] = proposeJobs(dirWith({ 'package.json': '{"scripts":{"test":"node --test test/"}}', 'package-lock.json': '{}' }));
    expect(job).toMatchObject({ run: 'mkdir -p reports && npm test', junit: 'reports/*.xml' });
    expect(job!.env!.NODE_OPTIONS).toBe(
      '--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml',
    );
    const own = proposeJobs(dirWith({ 'package.json': '{"scripts":{"test":"node --test --test-reporter=tap"}}' }))[0]!;
    expect(own.run).toBe('npm test');
    expect([own.env, own.junit]).toEqual([undefined, undefined]);
  });

  it('go: modules downloaded in a setup step, `go test ./...`; make: the check target, else test', () => {
    const go = written(dirWith({ 'go.mod': 'module x\n', 'go.sum': '' })).config.jobs[0]!;
    expect(go).toMatchObject({ name: 'go', command: ['/bin/sh', '-c', 'go test ./...'] });
    expect(go.setup[0]).toMatchObject({ run: 'go mod download', inputs: ['go.mod', 'go.sum'] });
    expect(written(dirWith({ Makefile: 'all:\n\ttrue\ncheck: all\n\ttrue\n' })).config.jobs[0]!.command).toEqual(['/bin/sh', '-c', 'make check']);
    expect(written(dirWith({ Makefile: 'test:\n\ttrue\nFOO := 1\n' })).config.jobs[0]!.command).toEqual(['/bin/sh', '-c', 'make test']);
  });

  it('one job per thing found; a placeholder that fails when nothing is', () => {
    const { config } = written(dirWith({ 'package.json': '{}', 'package-lock.json': '{}', 'go.mod': 'module x\n', Makefile: 'check:\n' }));
    expect(config.jobs.map((job) => job.name)).toEqual(['node', 'go', 'make']);
    const empty = written(dirWith({}));
    expect(empty.config.jobs.map((job) => job.name)).toEqual(['test']);
    expect(empty.config.jobs[0]!.command[2]).toContain('exit 1');
  });

  it('knows every config cubicle would find in the dir', () => {
    expect(existingConfigs(dirWith({ 'package.json': '{}' }))).toEqual([]);
    expect(existingConfigs(dirWith({ '.cubiclerc.json': '{}', 'cubicle.config.yaml': '' }))).toEqual(['.cubiclerc.json', 'cubicle.config.yaml']);
    expect(existingConfigs(dirWith({ 'package.json': '{"cubicle":{}}' }))).toEqual(['package.json ("cubicle" key)']);
  });
});

describe('cubicle init and a Compose file', () => {
  const service = 'image: host\n    command: [redis-server]\n    healthcheck: { test: [CMD, redis-cli, ping] }';

  it('gives the first job the services of compose.yaml, which `cubicle run` then resolves', () => {
    const { text, config } = written(dirWith({ 'package.json': '{}', 'compose.yaml': `services:\n  cache:\n    ${service}\n` }));
    expect(text).toContain('    compose: compose.yaml\n');
    expect(config.jobs[0]!.services.map((entry) => entry.name)).toEqual(['cache']);
  });

  it("looks for the file in Compose's order: docker-compose.yml when there is no compose.yaml", () => {
    const [job] = proposeJobs(dirWith({ 'go.mod': 'module x\n', 'docker-compose.yml': `services:\n  cache:\n    ${service}\n` }));
    expect(job!.compose).toEqual({ file: 'docker-compose.yml', leftOut: [] });
  });

  it('names only the services cubicle can run, and says why each other one is left out', () => {
    const { text, config } = written(
      dirWith({ 'package.json': '{}', 'compose.yaml': `services:\n  cache:\n    ${service}\n  api:\n    build: .\n    command: [serve]\n` }),
    );
    expect(text).toContain("    # left out: services.api.build: building a service's image from a Dockerfile is not supported yet");
    expect(text).toContain('    compose: { file: compose.yaml, services: [cache] }\n');
    expect(config.jobs[0]!.services.map((entry) => entry.name)).toEqual(['cache']);
  });

  it('writes no compose: when no service can run, or there is no job to give it to', () => {
    expect(proposeJobs(dirWith({ 'package.json': '{}', 'compose.yaml': 'services:\n  api:\n    build: .\n' }))[0]!.compose).toBeUndefined();
    expect(proposeJobs(dirWith({ 'compose.yaml': `services:\n  cache:\n    ${service}\n` }))).toEqual([]);
  });
});
