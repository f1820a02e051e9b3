// dist/main.mjs: prepare the host, restore the layer cache (the workflow cache, or pull from a
// registry), `cubicle run`, then outputs, the step summary and annotations. The step fails when
// a job fails or nothing could run.
import fs from 'node:fs';
import path from 'node:path';
import { failedTestAnnotations, flakyTestAnnotations, MAX_ANNOTATIONS, type Annotation } from './annotations.js';
import { cacheKeys } from './cache-key.js';
import { actionPaths, createCli, type Cli } from './cli.js';
import { cliEnvironment } from './environment.js';
import { buildNative, prepareHost } from './host.js';
import { readInputs, runArguments, type ActionInputs, type RegistryInputs } from './inputs.js';
import { defaultCacheScope } from '../plan/cache-scope.js';
import { importLayers, listLayerIds } from './layer-cache.js';
import { maskRegistryToken, pullLayers } from './registry-cache.js';
import { countJobs, isPassing, readResults } from './results.js';
import { describeFailure, STATE, stepDir } from './step.js';
import { renderSummary } from './summary.js';
import { tallyTests, type TestTally } from './tests.js';
import { cacheService, core } from './toolkit.js';

/** `cubicle run`'s exit codes other than 0 and 1 (../shared/DESIGN.md). */
const EXIT_MEANINGS: Record<number, string> = {
  2: 'a usage or configuration error; no job was run',
  3: 'this runner cannot create sandboxes; no job was run',
};

async function main(): Promise<void> {
  // Before anything can print it: the runner masks secrets it knows, not a token a workflow built.
  const token = maskRegistryToken(core);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  let inputs = withTimingsFound(
    readInputs((name) => core.getInput(name), workspace),
    workspace,
  );
  // config, junit and timings are relative to it, as `cubicle run` in that directory reads them.
  const cwd = path.resolve(workspace, inputs.workingDirectory);
  const dir = stepDir(process.env);
  fs.mkdirSync(dir, { recursive: true });
  const cli = createCli(actionPaths(), cliEnvironment(process.env, inputs.env, [token]), cwd);

  await core.group('cubicle: prepare the host', async () => {
    await buildNative(cli, core, { onlyIfMissing: !inputs.setupHost });
    if (inputs.setupHost) await prepareHost(cli, core);
  });

  core.saveState(STATE.cache, { workflow: 'on', registry: 'registry', off: 'off' }[inputs.cache]);
  const cacheHit = inputs.cache === 'workflow' ? await core.group('cubicle: restore cached layers', () => restoreLayers(cli, inputs, cwd, dir)) : false;
  core.setOutput('cache-hit', String(cacheHit));
  const registry = inputs.registry;
  if (registry) inputs = await core.group(`cubicle: pull cached layers from ${registry.ref}`, () => pullFromRegistry(cli, registry, inputs, dir));

  const files = { junit: path.resolve(cwd, inputs.junit), json: path.join(dir, 'results.json') };
  fs.rmSync(files.json, { force: true });
  const run = await cli.run(runArguments(inputs, files, defaultCacheScope(process.env)));

  const results = readResults(files.json);
  const counts = countJobs(results);
  core.setOutput('passed', String(counts.passed));
  core.setOutput('failed', String(counts.failed));
  core.setOutput('junit', files.junit);
  core.setOutput('results', results ? files.json : '');
  // exit 0 or 1: the report is this run's (2 and 3 ran nothing, and leave an old one as it was)
  const ownReport = run.exitCode <= 1 && fs.existsSync(files.junit);
  const tests = ownReport ? readTests(files.junit) : undefined;
  if (ownReport && registry) core.saveState(STATE.junit, files.junit);
  if (results) await writeSummary(renderSummary(results, { junit: path.relative(workspace, files.junit) || files.junit, tests }));
  if (ownReport) annotate(files.junit, workspace, cwd, inputs);

  if (run.exitCode === 0) return;
  if (run.exitCode === 1 && results) {
    const failed = results.jobs.filter((job) => !isPassing(job.status) && job.status !== 'skipped').map((job) => `${job.name} (${job.status})`);
    core.setFailed(
      `${counts.failed} of ${results.jobs.length} cubicle jobs did not pass: ${failed.join(', ')}; see the summary and ${path.relative(workspace, files.junit) || files.junit}`,
    );
    return;
  }
  core.setFailed(`cubicle run exited with ${run.exitCode}: ${EXIT_MEANINGS[run.exitCode] ?? 'see its output above'}`);
}

/** Restores the newest matching cache entry and imports it; returns whether the key matched exactly. */
async function restoreLayers(cli: Cli, inputs: ActionInputs, cwd: string, dir: string): Promise<boolean> {
  const archive = path.join(dir, 'layers.tar.zst');
  let keys;
  try {
    const runner = { runnerOs: process.env.RUNNER_OS || 'Linux', arch: process.env.RUNNER_ARCH || process.arch };
    keys = await cacheKeys({ prefix: inputs.cacheKeyPrefix, cwd, config: inputs.config, ...runner, shard: inputs.shard });
  } catch (error) {
    core.warning(`no cache key: the config could not be read (${describeFailure(error).split('\n')[0]}); layers are neither restored nor saved`);
    return false;
  }
  core.info(`cache key ${keys.key} (the config and ${keys.hashed.length - 1} setup input files)`);
  core.saveState(STATE.key, keys.key);
  core.saveState(STATE.archive, archive);
  let restored: string | undefined;
  if (!cacheService.isAvailable()) {
    core.warning('the Actions cache service is not available to this run (no ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL); layers are built, not restored');
  } else {
    try {
      restored = await cacheService.restore([archive], keys.key, [...keys.restoreKeys]);
    } catch (error) {
      core.warning(`restoring the layer cache failed: ${(error as Error).message}; layers are built, not restored`);
    }
  }
  if (restored) {
    core.info(`restored ${restored}`);
    core.saveState(STATE.restoredKey, restored);
    await importLayers(cli, archive, core);
  } else if (cacheService.isAvailable()) {
    core.info(`no cache entry restored for ${keys.key} or ${keys.restoreKeys.join(', ')}`);
  }
  const ids = await listLayerIds(cli, core);
  if (ids) core.saveState(STATE.layersBefore, JSON.stringify(ids));
  return restored === keys.key;
}

/** The layers a registry holds into the store; the inputs with its timings when it kept some and none were given. */
async function pullFromRegistry(cli: Cli, registry: RegistryInputs, inputs: ActionInputs, dir: string): Promise<ActionInputs> {
  const pulled = await pullLayers(cli, registry, path.join(dir, 'registry-timings.xml'), core);
  if (!pulled.timings) {
    if (pulled.pulled) core.info(`${registry.ref} keeps no timings yet; shards are balanced by the durations this runner recorded, if any`);
    return inputs;
  }
  if (inputs.timings) {
    core.info(`timings: ${inputs.timings} is used, not the timings ${registry.ref} keeps`);
    return inputs;
  }
  core.info(`shards are balanced by the timings ${registry.ref} keeps (the last run that pushed to it)`);
  return Object.freeze({ ...inputs, timings: pulled.timings });
}

/** A summary that cannot be written (no GITHUB_STEP_SUMMARY outside a runner) costs the summary, not the step. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`no step summary: ${(error as Error).message}`);
  }
}

/** A `timings` file that is not there yet (the first run, no earlier report restored) balances by recorded durations instead. */
function withTimingsFound(inputs: ActionInputs, workspace: string): ActionInputs {
  if (!inputs.timings || fs.existsSync(path.resolve(workspace, inputs.workingDirectory, inputs.timings))) return inputs;
  const instead = 'shards are balanced by the durations this runner recorded, if any';
  core.warning(`timings: ${inputs.timings} does not exist (an earlier run's report not restored?); ${instead}`);
  return Object.freeze({ ...inputs, timings: undefined });
}

/** The report's test counts for the summary; an unreadable report costs the counts, not the step. */
function readTests(junit: string): TestTally | undefined {
  try {
    return tallyTests(junit);
  } catch (error) {
    core.warning(`no test counts in the summary: ${describeFailure(error).split('\n')[0]}`);
    return undefined;
  }
}

function annotate(junit: string, workspace: string, cwd: string, inputs: ActionInputs): void {
  let failed: Annotation[];
  let flaky: Annotation[];
  try {
    const projectDir = inputs.config ? path.dirname(path.resolve(cwd, inputs.config)) : cwd;
    failed = failedTestAnnotations(junit, { workspace, projectDir });
    flaky = flakyTestAnnotations(junit, { workspace, projectDir });
  } catch (error) {
    core.warning(`no annotations: ${describeFailure(error).split('\n')[0]}`);
    return;
  }
  for (const [annotations, emit, what] of [
    [failed, core.error, 'failed'],
    [flaky, core.warning, 'flaky'],
  ] as const) {
    for (const annotation of annotations.slice(0, MAX_ANNOTATIONS)) {
      emit(annotation.message, { title: annotation.title, file: annotation.file, startLine: annotation.startLine });
    }
    if (annotations.length > MAX_ANNOTATIONS) core.info(`${annotations.length - MAX_ANNOTATIONS} more ${what} test cases are in ${junit}`);
  }
}

try {
  await main();
} catch (error) {
  core.setFailed(describeFailure(error));
}
