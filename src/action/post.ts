// dist/post.mjs: after the job, save the layer store to the workflow cache when the run built
// new layers and save-cache allows it (cache-decision.ts): prune to cache-size, export, save;
// or, with cache: registry, push it (and the run's timings) when save-cache allows it.
// Like actions/cache, nothing here fails the job: every problem is a warning.
import fs from 'node:fs';
import { decidePush, decideSave, newLayerIds, readDefaultBranch } from './cache-decision.js';
import { actionPaths, createCli } from './cli.js';
import { cliEnvironment } from './environment.js';
import { readInputs } from './inputs.js';
import { exportLayers, listLayerIds } from './layer-cache.js';
import { maskRegistryToken, pushLayers } from './registry-cache.js';
import { describeFailure, STATE } from './step.js';
import { cacheService, core } from './toolkit.js';

async function post(): Promise<void> {
  const token = maskRegistryToken(core);
  if (core.getState(STATE.cache) === 'registry') return pushToRegistry(token);
  if (core.getState(STATE.cache) !== 'on') {
    core.info(
      core.getState(STATE.cache) === 'off'
        ? 'cache is false: the layer cache is not saved'
        : 'the main step stopped before the cache was set up; nothing to save',
    );
    return;
  }
  const key = core.getState(STATE.key);
  const before = core.getState(STATE.layersBefore);
  const archive = core.getState(STATE.archive);
  if (!key || !archive || !before) {
    core.info('the main step saved no cache key or layer list; nothing to save');
    return;
  }
  const inputs = readInputs((name) => core.getInput(name));
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const cli = createCli(actionPaths(), cliEnvironment(process.env, [], [token]), workspace);
  const after = await listLayerIds(cli, core);
  if (!after) return;
  const fresh = newLayerIds(JSON.parse(before) as string[], after);
  const decision = decideSave({
    mode: inputs.saveCache,
    ref: process.env.GITHUB_REF,
    defaultBranch: readDefaultBranch(process.env.GITHUB_EVENT_PATH),
    exactHit: core.getState(STATE.restoredKey) === key,
    newLayers: fresh.length,
  });
  if (!decision.save) {
    core.info(`layer cache not saved: ${decision.reason}`);
    return;
  }
  core.info(`saving the layer cache: ${decision.reason}`);
  if (!cacheService.isAvailable()) {
    core.warning('the Actions cache service is not available to this run (no ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL); the layer cache is not saved');
    return;
  }
  try {
    if (!(await exportLayers(cli, archive, inputs.cacheSize, core))) return;
    // @actions/cache reports a failed save itself (a warning) and returns -1
    const cacheId = await cacheService.save([archive], key);
    if (cacheId >= 0) core.info(`saved ${key}`);
  } catch (error) {
    core.warning(`saving the layer cache failed: ${(error as Error).message}`);
  } finally {
    fs.rmSync(archive, { force: true });
  }
}

/** cache: registry: push the store and the run's report as timings, when save-cache allows it. */
async function pushToRegistry(token: string): Promise<void> {
  const inputs = readInputs((name) => core.getInput(name));
  if (!inputs.registry) return; // main would have failed on the inputs
  const decision = decidePush({ mode: inputs.saveCache, ref: process.env.GITHUB_REF, defaultBranch: readDefaultBranch(process.env.GITHUB_EVENT_PATH) });
  if (!decision.save) {
    core.info(`registry cache not pushed: ${decision.reason}`);
    return;
  }
  core.info(`pushing to the registry cache: ${decision.reason}`);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const cli = createCli(actionPaths(), cliEnvironment(process.env, [], [token]), workspace);
  const junit = core.getState(STATE.junit);
  await pushLayers(cli, inputs.registry, junit && fs.existsSync(junit) ? junit : undefined, core);
}

try {
  await post();
} catch (error) {
  core.warning(`the layer cache was not saved: ${describeFailure(error)}`);
}
