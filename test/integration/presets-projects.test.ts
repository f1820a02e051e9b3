// The node and python presets and `cubicle init` on fixture projects shaped like real ones: a
// pnpm project (through Node's corepack) whose test script calls pnpm, a node --test project
// whose JUnit report is read back, a pyproject.toml with test extras. Run with the real tools in
// real sandboxes; a tool or network missing here skips out loud.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookUpPreset } from '../../src/config/presets.js';
import { parseJunit, verdictOf } from '../../src/junit/index.js';
import { outboundUnavailable } from '../helpers/host.js';
import { REPO } from '../helpers/paths.js';
import { jobOf, makeProject, removeProjects, type Project } from '../helpers/project.js';

afterAll(removeProjects);

const HAVE_COREPACK = spawnSync('sh', ['-c', 'command -v corepack'], { stdio: 'ignore' }).status === 0;
const NO_OUTBOUND = outboundUnavailable();
const PNPM_FIXTURE = path.join(REPO, 'test', 'fixtures', 'preset-pnpm');

/**
 * A host behind a TLS-intercepting proxy (this test bed) trusts its CA through NODE_EXTRA_CA_CERTS;
 * a setup step gets only its own `env`, so corepack's download needs it there, as a user there would.
 */
function caEnv(): Record<string, string> {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  return file && fs.existsSync(file) ? { NODE_EXTRA_CA_CERTS: file } : {};
}

function yamlStep(step: { run: string; inputs?: readonly string[] }, indent: string): string {
  const env = Object.entries(caEnv());
  return [
    `${indent}- run: ${JSON.stringify(step.run)}`,
    `${indent}  inputs: ${JSON.stringify(step.inputs ?? [])}`,
    ...(env.length ? [`${indent}  env: ${JSON.stringify(Object.fromEntries(env))}`] : []),
  ].join('\n');
}

function pnpmProject(config: string): Project {
  const project = makeProject(config);
  for (const file of ['package.json', 'pnpm-lock.yaml', 'src/calc.js', 'test/calc.test.js']) {
    fs.mkdirSync(path.dirname(project.file(file)), { recursive: true });
    fs.copyFileSync(path.join(PNPM_FIXTURE, file), project.file(file));
  }
  return project;
}

const pnpmSkip = !HAVE_COREPACK ? 'no corepack on this host (Node < 25 ships it)' : NO_OUTBOUND;
if (pnpmSkip) console.log(`skipped: pnpm through corepack (its setup step downloads pnpm from the npm registry): ${pnpmSkip}`);

describe.skipIf(pnpmSkip)('pnpm through corepack', () => {
  it("node preset: `npm test` whose script calls `pnpm lint`, and a job running `pnpm lint` itself, both offline on their step's layer", async () => {
    const found = lookUpPreset('node', PNPM_FIXTURE);
    if ('problem' in found) throw new Error(found.problem);
    const step = found.keys.setup![0]!;
    // The preset's own step, with the CA a proxied host needs; both jobs share its one layer.
    const setup = Object.keys(caEnv()).length ? `    setup:\n${yamlStep(step, '      ')}\n` : '';
    // `direct`: the preset's step and a command of its own (no preset, so no JUnit expected).
    const project = pnpmProject(
      `jobs:\n  unit:\n    preset: node\n${setup}  direct:\n    setup:\n${yamlStep(step, '      ')}\n    run: pnpm lint && pnpm --version\n`,
    );
    const result = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 240_000 });
    const log = result.stdout + result.stderr;
    expect(result.exitCode, log).toBe(0);
    expect(log).toMatch(/\[unit *\] > node --check src\/calc\.js/);
    expect(log).toMatch(/\[direct *\] 9\.15\.0/);
    expect(jobOf(project, 'unit').status).toBe('passed');
    const cases = parseJunit(project.read('cubicle-junit.xml'), 'cubicle-junit.xml').flatMap((suite) => suite.cases.map((testCase) => testCase.name));
    expect(cases).toEqual(expect.arrayContaining(['adds', 'adds negatives']));
  }, 300_000);

  it('init: writes the corepack fallback and `pnpm test`, which then runs', async () => {
    const project = pnpmProject('');
    fs.rmSync(project.file('cubicle.config.yaml'));
    const init = await project.cubicle(['init']);
    expect(init.exitCode, init.stderr).toBe(0);
    const config = project.read('cubicle.config.yaml');
    expect(config).toContain('corepack enable --install-directory ~/.local/bin pnpm; } && pnpm install --frozen-lockfile');
    expect(config).toContain('run: pnpm test');
    const env = Object.entries(caEnv());
    if (env.length)
      fs.writeFileSync(
        project.file('cubicle.config.yaml'),
        config.replace(/^( +)inputs: (.*)$/m, `$1inputs: $2\n$1env: ${JSON.stringify(Object.fromEntries(env))}`),
      );
    const run = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 240_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('[node] > node --check src/calc.js');
  }, 300_000);
});

describe('a setup step that cannot see the checkout', () => {
  it("npm's `prepare` building from sources not in `inputs`: the failure names the files it tried to read and the inputs that give them", async () => {
    const project = makeProject(
      'jobs:\n  build:\n    setup:\n      - run: npm install --no-audit --no-fund\n        inputs: [package.json]\n        network: none\n    run: "true"\n',
      {
        // A package built on install, as TypeScript libraries are: its build script and a file it reads, and one file no one has.
        'package.json': JSON.stringify({ name: 'built', version: '1.0.0', private: true, scripts: { prepare: 'node scripts/build.js', test: 'node -e 0' } }),
        'scripts/build.js': "require('fs').readFileSync('src/version.txt');\n",
        'src/version.txt': '1\n',
      },
    );
    const first = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(1);
    // npm's own output, as node printed it in the step: the script is not there.
    expect(first.stdout).toMatch(/Error: Cannot find module '.*\/scripts\/build\.js'/);
    const message = jobOf(project, 'build').message ?? '';
    expect(message).toContain('it tried to read `scripts/build.js`, which the checkout has but this step cannot see');
    expect(message).toContain('a setup step sees only its `inputs` of the checkout. Add it (inputs: [package.json, scripts/build.js])');
    expect(first.stdout + first.stderr).toContain('inputs: [package.json, scripts/build.js]');

    // Given the script, it fails on the file the script reads (node's ENOENT, a relative path); a file the checkout lacks too is not named.
    fs.writeFileSync(
      project.file('cubicle.config.yaml'),
      project.read('cubicle.config.yaml').replace('inputs: [package.json]', 'inputs: [package.json, scripts/build.js]'),
    );
    fs.appendFileSync(project.file('scripts/build.js'), "require('fs').readFileSync('not-in-the-checkout.txt');\n");
    const second = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(second.stdout).toContain("Error: ENOENT: no such file or directory, open 'src/version.txt'");
    expect(jobOf(project, 'build').message).toContain('it tried to read `src/version.txt`, which the checkout has');
    expect(jobOf(project, 'build').message).not.toContain('not-in-the-checkout');

    fs.writeFileSync(
      project.file('cubicle.config.yaml'),
      project.read('cubicle.config.yaml').replace('scripts/build.js]', 'scripts/build.js, src/version.txt]'),
    );
    fs.writeFileSync(project.file('scripts/build.js'), "require('fs').readFileSync('src/version.txt');\n");
    const third = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(third.exitCode, third.stdout + third.stderr).toBe(0);
  }, 300_000);
});

/** The test case names of the run's JUnit report, as cubicle wrote it. */
function caseNames(project: Project): string[] {
  return parseJunit(project.read('cubicle-junit.xml'), 'cubicle-junit.xml').flatMap((suite) => suite.cases.map((testCase) => testCase.name));
}

describe('node --test projects get a JUnit report', () => {
  const files = {
    'package.json': JSON.stringify({ name: 'nt', version: '1.0.0', private: true, scripts: { test: 'node --test' } }),
    'package-lock.json': JSON.stringify({
      name: 'nt',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'nt', version: '1.0.0' } },
    }),
    'test/calc.test.js':
      "const { test } = require('node:test');\nconst assert = require('node:assert');\ntest('adds', () => assert.equal(1 + 2, 3));\ntest('rounds', () => assert.equal(Math.round(2.5), 2));\n",
  };
  if (NO_OUTBOUND) console.log(`skipped: node --test projects (their npm ci step's default network: outbound): ${NO_OUTBOUND}`);

  for (const how of ['init', 'preset'] as const) {
    it.skipIf(NO_OUTBOUND)(
      `${how}: the test runner's own cases, a failure among them, read back from the report`,
      async () => {
        const project = makeProject('jobs:\n  node:\n    preset: node\n', files);
        if (how === 'init') {
          fs.rmSync(project.file('cubicle.config.yaml'));
          expect((await project.cubicle(['init'])).exitCode).toBe(0);
          expect(project.read('cubicle.config.yaml')).toContain('NODE_OPTIONS: "--test-reporter=spec');
        }
        const run = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
        expect(run.exitCode, run.stdout + run.stderr).toBe(1);
        expect(run.stdout).toMatch(/✔ adds/);
        const suites = parseJunit(project.read('cubicle-junit.xml'), 'cubicle-junit.xml');
        const cases = new Map(suites.flatMap((suite) => suite.cases).map((testCase) => [testCase.name, testCase]));
        expect([...cases.keys()].sort()).toEqual(['adds', 'rounds']);
        expect(verdictOf(cases.get('rounds')!)).toBe('failure');
        expect(verdictOf(cases.get('adds')!)).toBe('passed');
      },
      200_000,
    );
  }
});

// No PyPI here: the fixture's requirements are all in Debian's python3-* packages, which the
// --system-site-packages venv sees, so pip resolves them without downloading (what this proves:
// init's command is right and pip finds everything it names; not a download from an index).
const PYTHON_PROBE = spawnSync('sh', ['-c', 'python3 -c "import venv, pytest, packaging, iniconfig"'], { stdio: 'ignore' }).status === 0;
const pythonSkip = !PYTHON_PROBE
  ? 'needs python3-venv, python3-pytest, python3-packaging: apt-get install python3-venv python3-pytest python3-packaging'
  : NO_OUTBOUND;
if (pythonSkip) console.log(`skipped: init on a pyproject.toml project: ${pythonSkip}`);

describe.skipIf(pythonSkip)('init on a pyproject.toml project with test extras and a dependency group', () => {
  it('installs its dependencies, extras and groups into a venv that sees the system packages; pytest runs on the sources', async () => {
    const project = makeProject('', {
      'pyproject.toml': [
        '[build-system]',
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        '',
        '[project]',
        'name = "calc"',
        'version = "0.1.0"',
        'dependencies = ["packaging>=21"]',
        '',
        '[project.optional-dependencies]',
        'test = [',
        '    "pytest>=7",',
        ']',
        '',
        '[dependency-groups]',
        'dev = ["iniconfig"]',
        '',
      ].join('\n'),
      'src/calc/__init__.py': 'from packaging.version import Version\n\ndef newer(a, b):\n    return Version(a) > Version(b)\n',
      'tests/test_calc.py':
        'import iniconfig\nfrom calc import newer\n\ndef test_newer():\n    assert newer("1.10", "1.9")\n\ndef test_not_newer():\n    assert not newer("1.0", "1.0.0")\n',
    });
    fs.rmSync(project.file('cubicle.config.yaml'));
    const init = await project.cubicle(['init']);
    expect(init.stdout).toContain('found pyproject.toml (pytest; installs [project] dependencies, extra "test", dependency group "dev")');
    const config = project.read('cubicle.config.yaml');
    expect(config).toContain("python3 -m venv --system-site-packages .venv && .venv/bin/pip install 'packaging>=21' 'pytest>=7' iniconfig");
    const run = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 200_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Requirement already satisfied: packaging>=21 in \/usr\/lib\/python3\/dist-packages/);
    expect(caseNames(project).sort()).toEqual(['test_newer', 'test_not_newer']);
  }, 300_000);
});
