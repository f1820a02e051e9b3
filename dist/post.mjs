import { createRequire as __cubicleCreateRequire } from 'node:module';
const require = __cubicleCreateRequire(import.meta.url);
import {
  STATE,
  actionPaths,
  cacheService,
  cliEnvironment,
  core_exports,
  createCli,
  describeFailure,
  exportLayers,
  listLayerIds,
  maskRegistryToken,
  pushLayers,
  readInputs
} from "./chunks/chunk-SD5Q7OYV.mjs";
import "./chunks/chunk-Y2QT4MTR.mjs";

// src/action/post.ts
import fs2 from "node:fs";

// src/action/cache-decision.ts
import fs from "node:fs";
function decideSave(facts) {
  if (facts.mode === "never") return { save: false, reason: "save-cache is never" };
  if (facts.newLayers === 0) return { save: false, reason: "this run built no new layers" };
  if (facts.exactHit)
    return {
      save: false,
      reason: "the cache key was restored exactly and cache entries cannot be replaced; new layers are saved when the config or a setup input changes"
    };
  return decideByBranch(facts, `${facts.newLayers} new ${facts.newLayers === 1 ? "layer" : "layers"}`);
}
function decidePush(facts) {
  if (facts.mode === "never") return { save: false, reason: "save-cache is never" };
  return decideByBranch(facts, "this run's layers and timings");
}
function decideByBranch(facts, what) {
  if (facts.mode === "always") return { save: true, reason: `${what}; save-cache is always` };
  if (!facts.defaultBranch)
    return { save: false, reason: `${what}, but the event does not name the repository's default branch, and save-cache is default-branch` };
  const branchRef = `refs/heads/${facts.defaultBranch}`;
  if (facts.ref !== branchRef)
    return {
      save: false,
      reason: `${what}, but this run is for ${facts.ref ?? "an unknown ref"}, not the default branch (${branchRef}); save-cache is default-branch`
    };
  return { save: true, reason: `${what} on the default branch` };
}
function readDefaultBranch(eventPath) {
  if (!eventPath) return void 0;
  try {
    const event = JSON.parse(fs.readFileSync(eventPath, "utf8"));
    const branch = event.repository?.default_branch;
    return typeof branch === "string" && branch ? branch : void 0;
  } catch {
    return void 0;
  }
}
function newLayerIds(before, after) {
  const known = new Set(before);
  return after.filter((id) => !known.has(id));
}

// src/action/post.ts
async function post() {
  const token = maskRegistryToken(core_exports);
  if (core_exports.getState(STATE.cache) === "registry") return pushToRegistry(token);
  if (core_exports.getState(STATE.cache) !== "on") {
    core_exports.info(
      core_exports.getState(STATE.cache) === "off" ? "cache is false: the layer cache is not saved" : "the main step stopped before the cache was set up; nothing to save"
    );
    return;
  }
  const key = core_exports.getState(STATE.key);
  const before = core_exports.getState(STATE.layersBefore);
  const archive = core_exports.getState(STATE.archive);
  if (!key || !archive || !before) {
    core_exports.info("the main step saved no cache key or layer list; nothing to save");
    return;
  }
  const inputs = readInputs((name) => core_exports.getInput(name));
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const cli = createCli(actionPaths(), cliEnvironment(process.env, [], [token]), workspace);
  const after = await listLayerIds(cli, core_exports);
  if (!after) return;
  const fresh = newLayerIds(JSON.parse(before), after);
  const decision = decideSave({
    mode: inputs.saveCache,
    ref: process.env.GITHUB_REF,
    defaultBranch: readDefaultBranch(process.env.GITHUB_EVENT_PATH),
    exactHit: core_exports.getState(STATE.restoredKey) === key,
    newLayers: fresh.length
  });
  if (!decision.save) {
    core_exports.info(`layer cache not saved: ${decision.reason}`);
    return;
  }
  core_exports.info(`saving the layer cache: ${decision.reason}`);
  if (!cacheService.isAvailable()) {
    core_exports.warning("the Actions cache service is not available to this run (no ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL); the layer cache is not saved");
    return;
  }
  try {
    if (!await exportLayers(cli, archive, inputs.cacheSize, core_exports)) return;
    const cacheId = await cacheService.save([archive], key);
    if (cacheId >= 0) core_exports.info(`saved ${key}`);
  } catch (error) {
    core_exports.warning(`saving the layer cache failed: ${error.message}`);
  } finally {
    fs2.rmSync(archive, { force: true });
  }
}
async function pushToRegistry(token) {
  const inputs = readInputs((name) => core_exports.getInput(name));
  if (!inputs.registry) return;
  const decision = decidePush({ mode: inputs.saveCache, ref: process.env.GITHUB_REF, defaultBranch: readDefaultBranch(process.env.GITHUB_EVENT_PATH) });
  if (!decision.save) {
    core_exports.info(`registry cache not pushed: ${decision.reason}`);
    return;
  }
  core_exports.info(`pushing to the registry cache: ${decision.reason}`);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const cli = createCli(actionPaths(), cliEnvironment(process.env, [], [token]), workspace);
  const junit = core_exports.getState(STATE.junit);
  await pushLayers(cli, inputs.registry, junit && fs2.existsSync(junit) ? junit : void 0, core_exports);
}
try {
  await post();
} catch (error) {
  core_exports.warning(`the layer cache was not saved: ${describeFailure(error)}`);
}
