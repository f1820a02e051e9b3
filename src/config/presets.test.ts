import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { availablePresets, lookUpPreset, mergePreset } from './presets.js';
import { resolveConfig, type ResolveInput } from './resolve.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A checkout (or a presets dir) holding these files. */
function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-presets-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function keysOf(name: string, projectDir: string, presetsDir?: string) {
  const found = lookUpPreset(name, projectDir, presetsDir);
  if ('problem' in found) throw new Error(found.problem);
  return found.keys;
}

function resolveIn(projectDir: string, jobs: Record<string, unknown>, { raw, ...extra }: Partial<ResolveInput> = {}) {
  return resolveConfig({ raw: { jobs, ...(raw as object) }, source: path.join(projectDir, 'cubicle.config.yaml'), ...extra });
}

function problemsOf(projectDir: string, jobs: Record<string, unknown>, extra: Partial<ResolveInput> = {}): readonly string[] {
  try {
    resolveIn(projectDir, jobs, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('the shipped presets', () => {
  it('are node, python, go and make, each valid and giving a run command in an empty checkout', () => {
    expect(availablePresets()).toEqual(['go', 'make', 'node', 'python']);
    const empty = dirWith({});
    for (const name of availablePresets()) expect(keysOf(name, empty).run, name).toBeTruthy();
  });

  it('node: installs with the package manager its lockfile names, keyed on manifest and lockfile', () => {
    const npm = keysOf('node', dirWith({ 'package.json': '{}', 'package-lock.json': '{}' }));
    expect(npm.setup).toEqual([{ run: 'npm ci --no-audit --no-fund', inputs: ['package.json', 'package-lock.json'] }]);
    expect(npm.caches).toEqual(['~/.npm']);
    expect(npm).toMatchObject({ run: 'npm test', junit: 'reports/*.xml' });

    const pnpm = keysOf('node', dirWith({ 'package.json': '{}', 'pnpm-lock.yaml': '' }));
    expect(pnpm.setup![0]!.run).toContain('pnpm install --frozen-lockfile');
    expect(pnpm.setup![0]!.inputs).toEqual(['package.json', 'pnpm-lock.yaml']);
    expect(pnpm.caches).toContain('~/.local/share/pnpm/store');

    const yarn = keysOf('node', dirWith({ 'package.json': '{}', 'yarn.lock': '' }));
    expect(yarn.setup![0]!.run).toContain('yarn install --frozen-lockfile');
    expect(yarn.setup![0]!.inputs).toEqual(['package.json', 'yarn.lock']);
    expect(yarn.caches).toContain('~/.cache/yarn');

    const unlocked = keysOf('node', dirWith({ 'package.json': '{}' }));
    expect(unlocked.setup).toEqual([{ run: 'npm install --no-audit --no-fund', inputs: ['package.json'] }]);
  });

  it("node: the files that change an install are the step's inputs where the checkout has them (.npmrc, pnpm-workspace.yaml, .yarnrc.yml)", () => {
    const npm = keysOf('node', dirWith({ 'package.json': '{}', 'package-lock.json': '{}', '.npmrc': 'legacy-peer-deps=true\n' }));
    expect(npm.setup![0]!.inputs).toEqual(['package.json', 'package-lock.json', '.npmrc']);
    expect(keysOf('node', dirWith({ 'package.json': '{}', '.npmrc': '' })).setup![0]!.inputs).toEqual(['package.json', '.npmrc']);
    const pnpm = keysOf('node', dirWith({ 'package.json': '{}', 'pnpm-lock.yaml': '', 'pnpm-workspace.yaml': 'packages: [a]\n', '.npmrc': '' }));
    expect(pnpm.setup![0]!.inputs).toEqual(['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc']);
    const yarn = keysOf('node', dirWith({ 'package.json': '{}', 'yarn.lock': '', '.yarnrc.yml': 'nodeLinker: node-modules\n' }));
    expect(yarn.setup![0]!.inputs).toEqual(['package.json', 'yarn.lock', '.yarnrc.yml']);
  });

  it('node: pnpm and yarn through corepack put their shims in ~/.local/bin, and nothing of corepack in `caches:`', () => {
    for (const [manager, lockfile] of [
      ['pnpm', 'pnpm-lock.yaml'],
      ['yarn', 'yarn.lock'],
    ] as const) {
      const keys = keysOf('node', dirWith({ 'package.json': '{}', [lockfile]: '' }));
      expect(keys.setup![0]!.run).toMatch(new RegExp(`corepack enable --install-directory ~/.local/bin ${manager}; } && ${manager} install`));
      expect(keys.caches!.filter((cache) => cache.includes('corepack'))).toEqual([]);
    }
  });

  it('node: asks vitest and jest-junit for a JUnit report in reports/', () => {
    const vitest = keysOf('node', dirWith({ 'package.json': '{"devDependencies": {"vitest": "^4"}}', 'package-lock.json': '{}' }));
    expect(vitest.run).toBe(
      'npm test -- --reporter=default --reporter=junit --outputFile.junit=reports/junit.xml ${CUBICLE_TEST_SHARD:+--shard=$CUBICLE_TEST_SHARD}',
    );
    expect(vitest.setup![0]!.run).toBe('npm ci --no-audit --no-fund');
    const jest = keysOf('node', dirWith({ 'package.json': '{"devDependencies": {"jest": "^30", "jest-junit": "^16"}}' }));
    expect(jest.run).toBe('npm test -- --reporters=default --reporters=jest-junit ${CUBICLE_TEST_SHARD:+--shard=$CUBICLE_TEST_SHARD}');
    expect(jest.env).toEqual({ JEST_JUNIT_OUTPUT_DIR: 'reports' });
  });

  it('node: `node --test` writes JUnit to reports/ through NODE_OPTIONS, unless its script names reporters itself', () => {
    const plain = keysOf('node', dirWith({ 'package.json': '{"scripts": {"test": "node --test test/"}}', 'package-lock.json': '{}' }));
    expect(plain).toMatchObject({ run: 'mkdir -p reports && npm test', junit: 'reports/*.xml' });
    expect(plain.env).toEqual({
      NODE_OPTIONS: '--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml',
    });
    const own = keysOf(
      'node',
      dirWith({ 'package.json': '{"scripts": {"test": "node --test --test-reporter=junit --test-reporter-destination=reports/j.xml"}}' }),
    );
    expect(own.run).toBe('npm test');
    expect(own.env).toEqual({});
  });

  it('python: a venv that sees the system packages, pip install keyed on requirements.txt when there is one', () => {
    const withRequirements = keysOf('python', dirWith({ 'requirements.txt': 'requests\n' }));
    expect(withRequirements.setup).toEqual([
      {
        run: 'python3 -m venv --system-site-packages .venv && .venv/bin/pip install -r requirements.txt',
        inputs: ['requirements.txt'],
        env: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      },
    ]);
    expect(withRequirements).toMatchObject({
      run: '.venv/bin/python -m pytest --junitxml=reports/junit.xml "$@"',
      testFiles: ['**/test_*.py', '**/*_test.py'],
      junit: 'reports/*.xml',
      caches: ['~/.cache/pip'],
    });
    expect(keysOf('python', dirWith({})).setup).toEqual([{ run: 'python3 -m venv --system-site-packages .venv', network: 'none' }]);
  });

  it('go: go test -json into a .json report, modules in a layer keyed on go.mod and go.sum, the build cache kept', () => {
    expect(keysOf('go', dirWith({ 'go.mod': 'module m\n' }))).toEqual({
      setup: [{ run: 'go mod download', inputs: ['go.*'], env: { GOTOOLCHAIN: 'local' } }],
      run: 'mkdir -p reports && go test -json ./... > reports/go-test.json',
      junit: 'reports/go-test.json',
      caches: ['~/.cache/go-build'],
      env: { GOTOOLCHAIN: 'local' },
    });
    expect(keysOf('make', dirWith({}))).toEqual({ run: 'make check' });
  });
});

describe('a job with a preset', () => {
  it("keeps the job's own keys: run, setup and junit replace the preset's, env merges key-wise, caches add up", () => {
    const checkout = dirWith({ 'package.json': '{}', 'package-lock.json': '{}' });
    const config = resolveIn(
      checkout,
      {
        plain: { preset: 'node' },
        own: {
          preset: 'node',
          run: 'npm run test:ci',
          setup: [{ run: 'npm ci --ignore-scripts', inputs: ['package.json', 'package-lock.json'] }],
          env: { JEST_JUNIT_OUTPUT_DIR: 'out', EXTRA: 1 },
          junit: 'out/*.xml',
          caches: ['~/.cache/ms-playwright', '~/.npm'],
        },
        jest: { preset: 'node', env: { JEST_JUNIT_OUTPUT_DIR: 'mine' } },
      },
      { raw: { defaults: { env: { FROM_DEFAULTS: 'd', EXTRA: 'd' } } } },
    );
    const [plain, own, jest] = config.jobs;
    expect(plain).toMatchObject({
      command: ['/bin/sh', '-c', 'npm test'],
      junit: ['reports/*.xml'],
      caches: ['~/.npm'],
      setup: [{ run: 'npm ci --no-audit --no-fund', inputs: ['package.json', 'package-lock.json'], env: {}, network: 'outbound' }],
      env: { FROM_DEFAULTS: 'd', EXTRA: 'd' },
    });
    expect(own).toMatchObject({
      command: ['/bin/sh', '-c', 'npm run test:ci'],
      junit: ['out/*.xml'],
      caches: ['~/.npm', '~/.cache/ms-playwright'],
      setup: [{ run: 'npm ci --ignore-scripts' }],
      env: { FROM_DEFAULTS: 'd', EXTRA: '1', JEST_JUNIT_OUTPUT_DIR: 'out' },
    });
    expect(jest!.env).toEqual({ FROM_DEFAULTS: 'd', EXTRA: 'd', JEST_JUNIT_OUTPUT_DIR: 'mine' });
    // `setup: []` and `junit: []` are the job's own too: no install step, no report expected.
    const bare = resolveIn(checkout, { unit: { preset: 'node', setup: [], junit: [] } }).jobs[0]!;
    expect(bare.setup).toEqual([]);
    expect(bare.junit).toEqual([]);
  });

  it('merges as documented when called directly', () => {
    expect(mergePreset({ run: 'x', env: { A: '1' } }, { run: 'y', env: { A: '0', B: '2' }, caches: ['~/.a'] })).toEqual({
      run: 'x',
      env: { A: '1', B: '2' },
      caches: ['~/.a'],
    });
    expect(mergePreset({ caches: ['~/.b'] }, { run: 'y', junit: 'r.xml', setup: [{ run: 's' }] })).toEqual({
      run: 'y',
      junit: 'r.xml',
      setup: [{ run: 's' }],
      caches: ['~/.b'],
    });
    // testFiles go with the command that takes them: a job's own run drops the preset's.
    expect(mergePreset({}, { run: 'pytest "$@"', testFiles: 't/*.py' })).toEqual({ run: 'pytest "$@"', testFiles: 't/*.py' });
    expect(mergePreset({ run: 'pytest -x' }, { run: 'pytest "$@"', testFiles: 't/*.py' })).toEqual({ run: 'pytest -x' });
    expect(mergePreset({ run: 'pytest -x "$@"', testFiles: 'u/*.py' }, { run: 'pytest "$@"', testFiles: 't/*.py' })).toEqual({
      run: 'pytest -x "$@"',
      testFiles: 'u/*.py',
    });
  });

  it('refuses testFiles that a run script would drop, or that leave the checkout', () => {
    const checkout = dirWith({});
    expect(() => resolveIn(checkout, { py: { run: 'pytest', testFiles: 'tests/test_*.py' } })).toThrow(/jobs\.py\.testFiles: the run script never uses "\$@"/);
    expect(() => resolveIn(checkout, { py: { run: 'pytest "$@"', testFiles: ['../elsewhere/*.py'] } })).toThrow(
      /"\.\.\/elsewhere\/\*\.py": "\.\." leaves the checkout/,
    );
    const [script, argv] = resolveIn(checkout, { script: { run: 'pytest "$@"', testFiles: 't/*.py' }, argv: { run: ['pytest'], testFiles: ['t/*.py'] } }).jobs;
    expect(script).toMatchObject({ script: true, testFiles: ['t/*.py'] });
    expect(argv).toMatchObject({ script: false, command: ['pytest'], testFiles: ['t/*.py'] });
  });

  it('takes each key from the first detect entry that holds and sets it, checking existence and content', () => {
    const presets = dirWith({
      'tool.yaml': [
        'description: a test preset',
        'run: base-run',
        'junit: base.xml',
        'detect:',
        '  - when: { exists: [a.lock, b.lock] }',
        '    run: lock-run',
        '  - when: { contains: { manifest: special } }',
        '    run: special-run',
        '    junit: special.xml',
        '  - when: { exists: a.lock, contains: { manifest: special } }',
        '    env: { BOTH: "yes" }',
      ].join('\n'),
    });
    expect(keysOf('tool', dirWith({}), presets)).toEqual({ run: 'base-run', junit: 'base.xml' });
    expect(keysOf('tool', dirWith({ 'b.lock': '' }), presets)).toEqual({ run: 'lock-run', junit: 'base.xml' });
    expect(keysOf('tool', dirWith({ manifest: 'not it' }), presets)).toEqual({ run: 'base-run', junit: 'base.xml' });
    expect(keysOf('tool', dirWith({ manifest: 'a special one' }), presets)).toEqual({ run: 'special-run', junit: 'special.xml' });
    expect(keysOf('tool', dirWith({ 'a.lock': '', manifest: 'special' }), presets)).toEqual({ run: 'lock-run', junit: 'special.xml', env: { BOTH: 'yes' } });
  });

  it('refuses an unknown preset, a broken preset file and a preset that leaves the job without run', () => {
    const presets = dirWith({
      'broken.yaml': 'description: x\nrun: [\n',
      'wrong.yaml': 'description: x\nrun: y\nsetup: [{ run: s, inptus: [a] }]\ndetect: [{ when: { exists: "*.lock" }, run: z }]\n',
      'norun.yaml': 'description: gives only a cache\ncaches: [~/.x]\n',
    });
    const checkout = dirWith({});
    expect(problemsOf(checkout, { unit: { preset: 'nope' } }, { presetsDir: presets })).toEqual([
      'jobs.unit.preset: unknown preset "nope": the presets are "broken", "norun", "wrong"',
    ]);
    expect(problemsOf(checkout, { unit: { preset: '../etc/passwd' } })[0]).toMatch(
      /^jobs\.unit\.preset: unknown preset "\.\.\/etc\/passwd": the presets are "go", "make", "node", "python"$/,
    );
    expect(problemsOf(checkout, { unit: { preset: 'broken' } }, { presetsDir: presets })[0]).toMatch(
      /^jobs\.unit\.preset: preset "broken" \(.*broken\.yaml\) cannot be read: /,
    );
    const wrong = problemsOf(checkout, { unit: { preset: 'wrong' } }, { presetsDir: presets })[0]!;
    expect(wrong).toMatch(/^jobs\.unit\.preset: preset "wrong" \(.*wrong\.yaml\) is invalid: /);
    expect(wrong).toContain('setup.0: Unrecognized key: "inptus"');
    expect(wrong).toContain('detect.0.when.exists: expected a plain path relative to the checkout (no glob, no ..), got "*.lock"');
    expect(problemsOf(checkout, { unit: { preset: 'norun' } }, { presetsDir: presets })).toEqual([
      'jobs.unit.run: missing: preset "norun" gives no `run` command; add one to the job',
    ]);
    expect(resolveIn(checkout, { unit: { preset: 'norun', run: 'true' } }, { presetsDir: presets }).jobs[0]!.caches).toEqual(['~/.x']);
  });
});
