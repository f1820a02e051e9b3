// The layer cache across workflow runs, against a fake cache service (fake-cache.ts): restore
// and import before the jobs, save in post only when the run built new layers and only on the
// default branch; and every cache failure a warning, never a failed step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionPaths, createCli } from '../../src/action/cli.js';
import { exportLayers, importLayers, listLayerIds } from '../../src/action/layer-cache.js';
import { startFakeCache, type FakeCache } from './fake-cache.js';
import { REPO } from '../helpers/paths.js';
import { errorCommands, removeRunners, Runner } from './helpers.js';

const inputs = { jobs: 'layered', 'setup-host': 'false' };
let service: FakeCache;

beforeAll(async () => {
  service = await startFakeCache();
});
afterAll(async () => {
  await service.close();
  removeRunners();
});

/** A runner whose next workflow run starts with an empty layer store (a fresh machine), same paths. */
function freshMachine(runner: Runner): void {
  runner.cacheDir = fs.mkdtempSync(path.join(runner.root, 'cache-'));
}

function resultsOf(outputs: Record<string, string>) {
  return JSON.parse(fs.readFileSync(outputs.results!, 'utf8')) as { jobs: { name: string; status: string; cacheHits: number }[] };
}

describe('the layer cache through the Actions cache service', () => {
  const runner = new Runner();
  runner.env = { ACTIONS_CACHE_URL: service?.url ?? '' };

  it('first run, default branch: nothing to restore; post saves the new layer', async () => {
    runner.env = { ACTIONS_CACHE_URL: service.url };
    const main = await runner.run('main', inputs);
    expect(main.exitCode, main.log).toBe(0);
    expect(main.outputs['cache-hit']).toBe('false');
    expect(main.log).toMatch(/no cache entry restored for cubicle-Linux-X64-[0-9a-f]{32} or cubicle-Linux-X64-/);
    expect(JSON.parse(main.state['layers-before']!)).toEqual([]);
    const post = await runner.run('post', inputs);
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain('saving the layer cache: 1 new layer on the default branch');
    expect(post.log).toContain(`saved ${main.state['cache-key']}`);
    expect(service.keys()).toEqual([main.state['cache-key']]);
    expect(fs.existsSync(main.state['cache-archive']!)).toBe(false);
  });

  it('next run on a fresh machine: restores (cache-hit), imports, reuses the layer; post saves nothing', async () => {
    freshMachine(runner);
    const main = await runner.run('main', inputs);
    expect(main.exitCode, main.log).toBe(0);
    expect(main.outputs['cache-hit']).toBe('true');
    expect(main.log).toMatch(/imported 1 layers from .*layers\.tar\.zst/);
    expect(resultsOf(main.outputs).jobs[0]).toMatchObject({ name: 'layered', status: 'passed', cacheHits: 1 });
    const post = await runner.run('post', inputs);
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain('layer cache not saved: this run built no new layers');
    expect(service.keys()).toHaveLength(1);
  });

  it('a changed setup input: restores by prefix, rebuilds that layer, saves under the new key', async () => {
    freshMachine(runner);
    fs.appendFileSync(path.join(runner.workspace, 'deps.lock'), 'right-pad 2.0.0\n');
    const main = await runner.run('main', inputs);
    expect(main.exitCode, main.log).toBe(0);
    expect(main.outputs['cache-hit']).toBe('false');
    expect(main.state['cache-restored-key']).toBe(service.keys()[0]);
    expect(resultsOf(main.outputs).jobs[0]).toMatchObject({ status: 'passed', cacheHits: 0 });
    const post = await runner.run('post', inputs);
    expect(post.log).toContain('saving the layer cache: 1 new layer on the default branch');
    expect(service.keys()).toEqual([expect.any(String), main.state['cache-key']]);
    expect(main.state['cache-key']).not.toBe(service.keys()[0]);
  });

  it('a pull request (another ref) restores but never saves, unless save-cache is always', async () => {
    freshMachine(runner);
    runner.ref = 'refs/pull/7/merge';
    fs.appendFileSync(path.join(runner.workspace, 'deps.lock'), 'up-pad 3.0.0\n');
    const main = await runner.run('main', inputs);
    expect(main.exitCode, main.log).toBe(0);
    const post = await runner.run('post', inputs);
    expect(post.exitCode).toBe(0);
    expect(post.log).toContain(
      'layer cache not saved: 1 new layer, but this run is for refs/pull/7/merge, not the default branch (refs/heads/main); save-cache is default-branch',
    );
    expect(service.keys()).toHaveLength(2);
    const always = await runner.run('post', { ...inputs, 'save-cache': 'always' });
    expect(always.log).toContain('saving the layer cache: 1 new layer; save-cache is always');
    expect(service.keys()).toHaveLength(3);
    runner.ref = 'refs/heads/main';
  });

  it('a broken cache service: warnings, the jobs still run, the step passes', async () => {
    freshMachine(runner);
    fs.appendFileSync(path.join(runner.workspace, 'deps.lock'), 'down-pad 4.0.0\n');
    service.failWith(500);
    try {
      const main = await runner.run('main', inputs);
      expect(main.exitCode, main.log).toBe(0);
      // @actions/cache reports a failed restore itself, as a warning, and restores nothing
      expect(main.log).toMatch(/^::warning::Failed to restore: .*500$/m);
      expect(main.outputs).toMatchObject({ passed: '1', 'cache-hit': 'false' });
      const post = await runner.run('post', inputs);
      expect(post.exitCode, post.log).toBe(0);
      expect(post.log).toContain('saving the layer cache: 1 new layer on the default branch');
      expect(post.log).toMatch(/^::warning::Failed to save: .*500$/m);
      expect(post.log).not.toContain('saved cubicle-');
      expect(errorCommands(post.log)).toEqual([]);
    } finally {
      service.failWith(undefined);
    }
  });
});

describe('without a cache service', () => {
  it('main and post warn and pass; cache: false skips both', async () => {
    const runner = new Runner();
    const main = await runner.run('main', inputs);
    expect(main.exitCode, main.log).toBe(0);
    expect(main.log).toContain('::warning::the Actions cache service is not available to this run');
    const post = await runner.run('post', inputs);
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain(
      '::warning::the Actions cache service is not available to this run (no ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL); the layer cache is not saved',
    );

    const off = new Runner();
    const mainOff = await off.run('main', { ...inputs, cache: 'false' });
    expect(mainOff.exitCode, mainOff.log).toBe(0);
    expect(mainOff.log).not.toContain('cache service');
    expect(mainOff.state).toEqual({ cache: 'off' });
    const postOff = await off.run('post', { ...inputs, cache: 'false' });
    expect(postOff.log).toContain('cache is false: the layer cache is not saved');
  });
});

describe('export, prune and import (cubicle cache, as the action runs it)', () => {
  const log = { info: () => {}, warning: (message: string) => warnings.push(message) };
  const warnings: string[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-action-store-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const cliWith = (cacheDir: string, cwd: string) =>
    createCli(actionPaths(REPO), { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.homedir(), CUBICLE_CACHE_DIR: cacheDir }, cwd);

  it('moves every layer from one store into another; prune to a size first', async () => {
    const runner = new Runner();
    runner.cacheDir = path.join(root, 'first');
    const main = await runner.run('main', { ...inputs, cache: 'false' });
    expect(main.exitCode, main.log).toBe(0);
    const first = cliWith(runner.cacheDir, runner.workspace);
    const layers = await listLayerIds(first, log);
    expect(layers).toHaveLength(1);

    const archive = path.join(root, 'layers.tar.zst');
    expect(await exportLayers(first, archive, '2g', log)).toBe(true);
    expect(fs.statSync(archive).size).toBeGreaterThan(0);
    const second = cliWith(path.join(root, 'second'), runner.workspace);
    expect(await listLayerIds(second, log)).toEqual([]);
    expect(await importLayers(second, archive, log)).toBe(true);
    expect(fs.existsSync(archive)).toBe(false); // freed once imported
    expect(await listLayerIds(second, log)).toEqual(layers);

    // keep-size below the layer's size: prune removes it, and the export holds none
    expect(await exportLayers(second, archive, '1', log)).toBe(true);
    expect(await listLayerIds(second, log)).toEqual([]);
    const third = cliWith(path.join(root, 'third'), runner.workspace);
    expect(await importLayers(third, archive, log)).toBe(true);
    expect(await listLayerIds(third, log)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('a corrupt archive is a warning, not an exception', async () => {
    const archive = path.join(root, 'corrupt.tar.zst');
    fs.writeFileSync(archive, 'not zstd');
    const cli = cliWith(path.join(root, 'fourth'), root);
    expect(await importLayers(cli, archive, log)).toBe(false);
    expect(warnings.at(-1)).toMatch(/^cubicle cache import exited with \d+/);
    warnings.length = 0;
  });
});
