// The layer key and the environment it covers, as pure functions: what changes a key, what does not.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { DEFAULT_PATH, jobEnvironment } from './sandbox-spec.js';
import { stepKey, type StepKeyInput } from './step-key.js';
import { stepEnvironment, toolchainDirs } from './step-env.js';

const sha = (char: string) => char.repeat(64);

const base: StepKeyInput = {
  parent: sha('a'),
  run: 'npm ci',
  env: stepEnvironment({ imageEnv: {}, home: '/root' }, { env: { OWN: 'one' } }),
  network: 'outbound',
  workdir: '/src/app',
  cachePaths: ['/root/.npm'],
  inputs: [{ path: 'package.json', sha256: sha('b'), executable: false }],
};

describe('stepEnvironment', () => {
  it('is the same for every runner and job: PATH (~/.local/bin first), HOME, CUBICLE_SETUP and the step’s own env', () => {
    const env = stepEnvironment({ imageEnv: {}, home: '/root' }, { env: { OWN: 'one' } });
    expect(env).toEqual({ PATH: `/root/.local/bin:${DEFAULT_PATH}`, HOME: '/root', OWN: 'one', CUBICLE_SETUP: '1' });
  });

  it("keeps an image's Env and PATH; the step's own env wins, but not over CUBICLE_SETUP", () => {
    const image = { imageEnv: { PATH: '/usr/local/node/bin:/usr/bin', LANG: 'C.UTF-8' }, home: '/home/node' };
    const env = stepEnvironment(image, { env: { LANG: 'de_DE', CUBICLE_SETUP: '0' } });
    expect(env).toEqual({ PATH: '/home/node/.local/bin:/usr/local/node/bin:/usr/bin', LANG: 'de_DE', HOME: '/home/node', CUBICLE_SETUP: '1' });
    expect(stepEnvironment({ imageEnv: {}, home: '/root' }, { env: { PATH: '/opt/tool/bin:/usr/bin' } }).PATH).toBe('/opt/tool/bin:/usr/bin');
  });
});

describe('toolchainDirs', () => {
  const existing = new Set(['/opt/hostedtoolcache/node/22.11.0/x64/bin', '/opt/pipx_bin']);
  const isDir = (dir: string) => existing.has(dir);

  it("keeps the runner's existing dirs under /opt, in order, once each", () => {
    const runner = '/home/runner/.local/bin:/opt/pipx_bin:/opt/hostedtoolcache/node/22.11.0/x64/bin/:/usr/bin:/opt/pipx_bin';
    expect(toolchainDirs(runner, isDir)).toEqual(['/opt/pipx_bin', '/opt/hostedtoolcache/node/22.11.0/x64/bin']);
    const env = stepEnvironment({ imageEnv: {}, home: '/root', toolchainDirs: toolchainDirs(runner, isDir) }, { env: {} });
    expect(env.PATH).toBe(`/root/.local/bin:/opt/pipx_bin:/opt/hostedtoolcache/node/22.11.0/x64/bin:${DEFAULT_PATH}`);
  });

  it("drops what a step does not see or the default has: the checkout's .bin, HOME's, missing or unnormalized dirs", () => {
    const runner = '/src/app/node_modules/.bin:/root/.pyenv/shims:/usr/local/bin:/opt/missing/bin:/opt/pipx_bin/../x:relative/bin:/opt';
    expect(toolchainDirs(runner, (dir) => dir !== '/opt/missing/bin')).toEqual([]);
    expect(toolchainDirs(undefined, () => true)).toEqual([]);
  });
});

describe('stepKey', () => {
  it('does not depend on the order of env entries or cache paths', () => {
    const reordered = { ...base, env: Object.fromEntries(Object.entries(base.env).reverse()), cachePaths: ['/root/.cache/x', '/root/.npm'] };
    expect(stepKey({ ...base, cachePaths: ['/root/.npm', '/root/.cache/x'] })).toBe(stepKey(reordered));
    expect(stepKey({ ...base, cachePaths: ['/root/.npm', '/root/.npm'] })).toBe(stepKey(base));
  });

  it('changes with each thing the step can observe', () => {
    const changed: StepKeyInput[] = [
      { ...base, parent: sha('c') },
      { ...base, run: 'npm ci --omit=dev' },
      { ...base, env: { ...base.env, OWN: 'two' } },
      { ...base, env: stepEnvironment({ imageEnv: {}, home: '/home/runner' }, { env: { OWN: 'one' } }) },
      { ...base, network: 'none' },
      { ...base, workdir: '/src/other' },
      { ...base, cachePaths: [] },
      { ...base, inputs: [{ path: 'package.json', sha256: sha('d'), executable: false }] },
      { ...base, inputs: [{ path: 'package.json', sha256: sha('b'), executable: true }] },
      { ...base, inputs: [{ path: 'pkg.json', sha256: sha('b'), executable: false }] },
    ];
    const keys = new Set([base, ...changed].map(stepKey));
    expect(keys.size).toBe(changed.length + 1);
  });
});

describe("the job's PATH after setup steps", () => {
  const jobOf = (job: Record<string, unknown>) => resolveConfig({ raw: { jobs: { unit: job } }, source: '/project/cubicle.config.yaml' }).jobs[0]!;
  const context = { projectDir: '/project', hostEnv: { PATH: '/usr/bin:/bin', HOME: '/home/me' }, attempt: 1 };

  it('leads with ~/.local/bin, as the steps’ did, where a step could have put a tool there (corepack’s pnpm)', () => {
    expect(jobEnvironment(jobOf({ setup: [{ run: 'true' }], run: 'pnpm test' }), context).PATH).toBe('/home/me/.local/bin:/usr/bin:/bin');
    expect(jobEnvironment(jobOf({ setup: [{ run: 'true' }], run: 'x' }), context, { env: { PATH: '/usr/local/bin:/bin', HOME: '/root' } }).PATH).toBe(
      '/root/.local/bin:/usr/local/bin:/bin',
    );
  });

  it('is left as it was without setup steps, or when the job sets PATH itself', () => {
    expect(jobEnvironment(jobOf({ run: 'x' }), context).PATH).toBe('/usr/bin:/bin');
    expect(jobEnvironment(jobOf({ setup: [{ run: 'true' }], env: { PATH: '/mine' }, run: 'x' }), context).PATH).toBe('/mine');
  });
});
