// Before a job's first attempt: its base, then each setup step as a cached layer. A step whose
// key is in the store is skipped; a missing one is built under a lock (a second process waits
// and reuses it), in a staging dir that is committed by one rename.
import { readCgroupMemory } from '../host/cgroup-memory.js';
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { hostPathProblem } from '../confine/index.js';
import { ConfigError, CubicleError, SandboxUnavailableError } from '../core/errors.js';
import { hostBaseOf, type Base } from '../image/base.js';
import { stageInputs } from './stage-inputs.js';
import { jobEnvironment, sandboxSpec, type JobContext, type JobFilesystem } from '../plan/sandbox-spec.js';
import type { PlannedJob, PlannedStep } from '../plan/run-plan.js';
import { stepKey, stepKeyMaterial } from '../plan/step-key.js';
import { stepEnvironment, toolchainDirs } from '../plan/step-env.js';
import type { Reporter } from './events.js';
import { runSandbox, type SandboxStatus } from '../sandbox/spawn.js';
import { acquireBuildLock } from '../store/lock.js';
import { commitLayer, findLayer, stageLayer, touchLayer, type Layer } from '../store/layers.js';
import type { StorePaths } from '../store/paths.js';
import { cacheMounts, throwawayCacheMounts } from './cache-mounts.js';
import { buildJobImage } from './dockerfile-build.js';
import { lookUpUser } from './dockerfile-run.js';
import type { LimitsPlan } from './limits.js';
import { startJobNetwork, type JobNetwork } from './network.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { unseenCheckoutFiles, unseenInputsHint } from './unseen-inputs.js';
import type { RunDir } from '../store/runs.js';
import { safeMessage } from '../core/message.js';

const STEP_HOSTNAME = 'cubicle-setup';

export interface PrepareOptions {
  readonly projectDir: string;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly store: StorePaths;
  readonly runDir: RunDir;
  readonly limits: LimitsPlan;
  readonly signal: AbortSignal;
  readonly reporter: Required<Reporter>;
  readonly userns?: string | undefined;
  readonly noCache: boolean;
  /**
   * --no-cache: the keys this run has built already. Jobs share a step's layer, so a second job
   * reuses it rather than replacing it under the first one's running sandbox.
   */
  readonly rebuiltKeys?: Set<string>;
  /** --cache-scope: whose `caches:` dirs the job's command gets (plan/cache-scope.ts). */
  readonly cacheScope: string;
  /** --cache-from: where a step's layer missing here may be found (a registry cache) before it is built. */
  readonly layerSource?: LayerSource | undefined;
  /** Filled with the top layer of every job prepared (--cache-to pushes them with their ancestors). */
  readonly usedLayers?: Set<string> | undefined;
  /** Resolves non-host images (OCI, debian) into layers; absent: only `host` is possible. */
  readonly resolveBase?: (job: ResolvedJob, onStatus: (line: string) => void) => Promise<Base>;
  /** A Dockerfile's FROM image (run/dockerfile-build.ts), pulled as `image:` is; absent: a `build:` job fails. */
  readonly resolveImage?: (ref: string, onStatus: (line: string) => void) => Promise<Base>;
}

export interface LayerSource {
  /** For the job's lines: `registry cache ghcr.io/o/r/cubicle-cache:latest`. */
  readonly name: string;
  /** The layer `id`, now in the store, or undefined (the source says why when it is not just absent). */
  fetch(id: string): Promise<Layer | undefined>;
}

export interface PreparedJob {
  readonly filesystem: JobFilesystem;
  readonly base: Base;
  /** Setup steps served from the store. */
  readonly cacheHits: number;
  readonly built: number;
  /** A `build:` job without `run`: the image's ENTRYPOINT + CMD. */
  readonly command?: readonly string[] | undefined;
  /** A `build:` job: the image's WORKDIR (unless /), where its command starts, as `docker run` starts it. */
  readonly workdir?: string | undefined;
  /** A `build:` job without `user:`: the image's USER. */
  readonly user?: { readonly uid: number; readonly gid: number } | null | undefined;
}

/** A setup step that did not succeed: the job ends with this, its own command never runs. */
export interface SetupFailure {
  /** What failed, in words: "setup step 1 (`npm ci`)", "image node:22". */
  readonly what: string;
  readonly status: SandboxStatus | null;
  readonly message: string;
  readonly outputTail: string;
}

export async function prepareJob(planned: PlannedJob, options: PrepareOptions): Promise<PreparedJob | SetupFailure> {
  const { job } = planned;
  if (job.image !== 'host' && !job.build) options.reporter.onJobLine(job, 'stdout', `[image] ${job.image}: resolving`);
  let base: Base;
  let imageHits = 0;
  let imageBuilt = 0;
  let command: readonly string[] | undefined;
  let workdir: string | undefined;
  let user: { readonly uid: number; readonly gid: number } | null | undefined;
  try {
    if (job.build) {
      const image = await buildJobImage(job, job.build, options);
      if ('message' in image) return image;
      ({ base, cacheHits: imageHits, built: imageBuilt } = image);
      if (image.config.workdir !== '/') workdir = image.config.workdir;
      const imageUser = job.user ?? lookUpUser(image.config.user, base.rootLowers);
      if (typeof imageUser === 'string') return { what: `image ${job.image}`, status: null, message: imageUser, outputTail: '' };
      user = imageUser;
      if (job.command.length === 0) {
        command = [...(image.config.entrypoint ?? []), ...(image.config.cmd ?? [])];
        if (command.length === 0)
          return {
            what: `image ${job.image}`,
            status: null,
            message: 'has no CMD or ENTRYPOINT and the job gives no `run`; add `run:` to the job',
            outputTail: '',
          };
      }
    } else
      base =
        job.image === 'host' || !options.resolveBase
          ? hostBaseOf()
          : await options.resolveBase(job, (line) => options.reporter.onJobLine(job, 'stdout', `[image] ${line}`));
  } catch (error) {
    if (error instanceof SandboxUnavailableError || error instanceof ConfigError) throw error;
    const hint = error instanceof CubicleError && error.hint ? ` (${error.hint})` : '';
    return { what: `image ${job.image}`, status: null, message: `could not be prepared: ${(error as Error).message}${hint}`, outputTail: '' };
  }
  if (base.digest) options.reporter.onJobLine(job, 'stdout', `[image] ${job.image}: ${base.digest}`);
  const context: JobContext = { projectDir: options.projectDir, hostEnv: options.hostEnv, attempt: 1 };
  const jobEnv = jobEnvironment(job, context, base.kind === 'host' ? undefined : { env: base.env });
  // HOME becomes a dir of the sandbox's skeleton on the host: an image's own Env is checked here (the config's was).
  const homeProblem = job.env.HOME !== undefined || base.kind !== 'host' ? hostPathProblem(jobEnv.HOME!) : null;
  if (homeProblem) {
    const from = job.env.HOME === undefined && base.kind !== 'host' ? `image ${job.image}` : 'the environment';
    const message = `sets HOME ${homeProblem}; HOME must be an absolute, normalized path, like /root: the job was not run`;
    return { what: from, status: null, message, outputTail: '' };
  }
  const cacheContext = { store: options.store, projectDir: options.projectDir, scope: options.cacheScope, jobName: job.name, home: jobEnv.HOME! };
  const caches = cacheMounts(cacheContext, job.caches);
  const toolchains = base.kind === 'host' ? toolchainDirs(options.hostEnv.PATH, isHostDir) : [];
  const stepBase = { imageEnv: base.env, home: jobEnv.HOME!, toolchainDirs: toolchains };
  const rootLowers = [...base.rootLowers];
  const wsLowers: string[] = [];
  let parent = base.id;
  let cacheHits = imageHits;
  let built = imageBuilt;
  for (const plannedStep of planned.steps) {
    const { number, step, what } = plannedStep;
    const index = number - 1;
    const inputsDir = path.join(options.runDir.path, `${job.name}.setup${number}.inputs`);
    fs.mkdirSync(inputsDir, { recursive: true, mode: 0o755 });
    try {
      let inputs;
      try {
        inputs = await stageInputs(options.projectDir, step.inputs, inputsDir, `jobs.${job.name}.setup[${index}].inputs`);
      } catch (error) {
        if (error instanceof ConfigError) return { what, status: null, message: error.problems.join('; '), outputTail: '' };
        throw error;
      }
      const env = stepEnvironment(stepBase, step);
      const cachePaths = caches.map((cache) => cache.dest);
      const keyInput = { parent, run: step.run, env, network: step.network, workdir: options.projectDir, cachePaths, inputs };
      const key = stepKey(keyInput);
      const filesystem: JobFilesystem = {
        hostSystem: base.kind === 'host',
        rootLowers: [...rootLowers],
        wsLowers: [...wsLowers],
        workspace: inputsDir,
        caches,
        imageEnv: base.env,
        captureRoot: true,
      };
      const existing = () => (options.noCache && !options.rebuiltKeys?.has(key) ? undefined : findLayer(options.store, key));
      let acquired;
      try {
        acquired = await acquireBuildLock(options.store, key, existing, options.signal);
      } catch (error) {
        const failure = storeFailure(what, error);
        if (failure) return failure;
        throw error;
      }
      let layer: Layer | undefined;
      if ('value' in acquired) {
        layer = acquired.value;
        touchLayer(layer);
        cacheHits += 1;
        options.reporter.onJobLine(job, 'stdout', `[setup ${number}/${planned.steps.length}] cached: ${safeMessage(step.run)}`);
      } else if (!options.noCache && options.layerSource && (layer = await fetchUnderLock(options.layerSource, key, acquired.lock))) {
        cacheHits += 1;
        const from = safeMessage(options.layerSource.name);
        options.reporter.onJobLine(job, 'stdout', `[setup ${number}/${planned.steps.length}] cached (from ${from}): ${safeMessage(step.run)}`);
      } else {
        try {
          options.reporter.onJobLine(job, 'stdout', `[setup ${number}/${planned.steps.length}] running: ${safeMessage(step.run)}`);
          let outcome;
          try {
            outcome = await buildStep(job, plannedStep, { ...options, env, filesystem, inputs: inputs.map((input) => input.path) });
          } catch (error) {
            const failure = storeFailure(what, error);
            if (failure) return failure;
            throw error;
          }
          if ('message' in outcome) return outcome;
          try {
            layer = await commitLayer(options.store, outcome.staged, {
              id: key,
              kind: 'setup',
              parent,
              key: stepKeyMaterial(keyInput),
              description: step.run,
              replace: options.noCache,
            });
          } catch (error) {
            const failure = storeFailure(what, error);
            if (failure) return failure;
            throw error;
          }
          options.rebuiltKeys?.add(key);
          built += 1;
        } finally {
          acquired.lock.release();
        }
      }
      rootLowers.unshift(layer.root);
      wsLowers.unshift(layer.ws);
      parent = key;
    } finally {
      await removeTree(inputsDir);
    }
  }
  if (planned.steps.length > 0) options.usedLayers?.add(parent);
  const filesystem: JobFilesystem = { hostSystem: base.kind === 'host', rootLowers, wsLowers, workspace: options.projectDir, caches, imageEnv: base.env };
  return { filesystem, base, cacheHits, built, command, workdir, user };
}

/** The layer from the source, the build lock released once it is in the store (or not found). */
async function fetchUnderLock(source: LayerSource, key: string, lock: { release(): void }): Promise<Layer | undefined> {
  let layer: Layer | undefined;
  try {
    layer = await source.fetch(key);
  } catch (error) {
    lock.release();
    throw error;
  }
  if (layer) lock.release();
  return layer;
}

async function buildStep(
  job: ResolvedJob,
  planned: PlannedStep,
  options: PrepareOptions & { env: Record<string, string>; filesystem: JobFilesystem; inputs: readonly string[] },
): Promise<{ staged: { dir: string; root: string; ws: string } } | SetupFailure> {
  const staged = stageLayer(options.store, 'setup');
  const scratch = {
    rootWork: path.join(staged.dir, 'root-work'),
    work: path.join(staged.dir, 'ws-work'),
    skeleton: path.join(staged.dir, 'skeleton'),
    net: path.join(staged.dir, 'net'),
    caches: path.join(staged.dir, 'caches'),
  };
  for (const dir of Object.values(scratch)) fs.mkdirSync(dir, { mode: 0o755 });
  // The step's layer is keyed on its inputs alone: where the job has a cache, the step gets an empty dir, gone after it.
  const filesystem: JobFilesystem = { ...options.filesystem, caches: throwawayCacheMounts(options.filesystem.caches, scratch.caches) };
  const { step, number } = planned;
  let network: JobNetwork | null = null;
  try {
    // `outbound`: a network namespace of its own with a way out, as a job's (run/network.ts).
    if (step.network === 'outbound') {
      const who = `setup step ${number} of job "${safeMessage(job.name)}" (\`network: outbound\`, a setup step's default)`;
      network = await startJobNetwork({ outbound: true, dir: scratch.net, who });
    }
    return await runStep(job, planned, { ...options, filesystem, network }, staged, scratch);
  } catch (error) {
    await removeTree(staged.dir);
    throw error;
  } finally {
    await network?.stop();
    for (const dir of Object.values(scratch)) await removeTree(dir);
  }
}

async function runStep(
  job: ResolvedJob,
  { step, number, what }: PlannedStep,
  options: PrepareOptions & { env: Record<string, string>; filesystem: JobFilesystem; inputs: readonly string[]; network: JobNetwork | null },
  staged: { dir: string; root: string; ws: string },
  scratch: { rootWork: string; work: string; skeleton: string },
): Promise<{ staged: { dir: string; root: string; ws: string } } | SetupFailure> {
  const dirs = {
    upper: staged.ws,
    work: scratch.work,
    rootUpper: staged.root,
    rootWork: scratch.rootWork,
    skeleton: scratch.skeleton,
    cgroups: options.limits.cgroupsFor(options.runDir.id, `${job.name}-setup${number}`, 1),
  };
  options.reporter.onJobSandbox(job, 1, { memoryBytes: () => readCgroupMemory(dirs.cgroups) });
  const spec = sandboxSpec(
    {
      // The hostname too is the same for a step in any job: it is not in the key.
      name: STEP_HOSTNAME,
      command: ['/bin/sh', '-c', step.run],
      env: options.env,
      network: step.network,
      limits: job.limits,
      projectDir: options.projectDir,
      userns: options.network?.userns ?? options.userns,
      sharedNetwork: options.network ?? undefined,
    },
    dirs,
    options.filesystem,
  );
  const { status, outputTail } = await runSandbox(spec, {
    signal: options.signal,
    onLine: (stream, line) => options.reporter.onJobLine(job, stream, line),
    backpressure: () => options.reporter.backpressure(),
  });
  if (status.exitCode === 0 && !status.error && !options.signal.aborted) return { staged };
  await removeTree(staged.dir);
  // A step that expected the job's cache (a warm ~/.npm) finds it empty: said, as the likely cause.
  const caches = job.caches.length > 0 ? `; setup steps do not see \`caches:\` (${job.caches.map(safeMessage).join(', ')}), only the job's command does` : '';
  // A step that failed to find a file the checkout has: said, with the inputs that would give it.
  const unseen = unseenInputsHint(unseenCheckoutFiles(outputTail, options.projectDir, options.inputs), step.inputs);
  return { what, status, message: `${describeStepFailure(status)}${unseen}${caches}`, outputTail };
}

function isHostDir(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** A layer store that cannot be written (a full disk): the job fails, the run goes on. */
function storeFailure(what: string, error: unknown): SetupFailure | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM'].includes(code)) return null;
  return {
    what,
    status: null,
    message: `could not be built or saved in the layer store (${code}: ${(error as Error).message}); free space or run \`cubicle cache prune\``,
    outputTail: '',
  };
}

function describeStepFailure(status: SandboxStatus): string {
  if (status.error) return `the sandbox could not be set up: ${status.error.message}`;
  if (status.oomKilled) return 'killed: the memory limit was reached';
  if (status.timedOut) return 'timed out';
  if (status.signal) return `killed by ${status.signal}`;
  return `exited with ${status.exitCode}`;
}
