// resolveConfig(): the one pipeline from file + CLI flags to a read-only ResolvedConfig.
// Every problem is collected with its path and reported together in one ConfigError.
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, PathConfinementError } from '../core/errors.js';
import { lookUpPreset, mergePreset } from './presets.js';
import {
  configSchema,
  knownKeysAt,
  nulBytePlaces,
  JOB_NAME,
  SERVICE_NAME,
  type ConfigInput,
  type DefaultsInput,
  type JobInput,
  type ServiceInput,
} from './schema.js';
import { cacheEntryProblem } from './cache-destination.js';
import { DEBIAN_IMAGE } from '../image/debian.js';
import { envPathProblems, isBeneath, resolveBeneath } from '../confine/index.js';
import { formatImageRef, parseImageRef } from '../image/oci/ref.js';
import { parseDuration, parseSize } from '../core/units.js';
import { didYouMean } from './did-you-mean.js';
import { testGlobProblems } from './test-glob.js';
import { composeServices, type TranslatedService } from './compose/index.js';

export interface Limits {
  readonly memoryBytes?: number;
  /** The size of the tmpfs the job's writes live on. */
  readonly diskBytes?: number;
  readonly cpus?: number;
  readonly pids?: number;
  readonly timeoutMs?: number;
}

export type NetworkMode = 'none' | 'host' | 'outbound';

export interface HealthCheck {
  readonly command: readonly string[];
  readonly intervalMs: number;
  readonly retries: number;
  /** One check's limit (default: 5 intervals, at least 5 s). */
  readonly timeoutMs?: number;
  /** Failures in this first stretch do not count against `retries` (Compose's start_period). */
  readonly startPeriodMs?: number;
}

/** A service next to a job: resolved as a job of its own (image, setup, command, env, limits). */
export interface ResolvedService {
  readonly name: string;
  readonly job: ResolvedJob;
  readonly health: HealthCheck | null;
  /** Services started (and healthy) before this one. */
  readonly needs: readonly string[];
  /** A one-shot service (Compose's service_completed_successfully): it must exit 0 before those that need it start. */
  readonly completes?: boolean;
  /**
   * A Compose service whose command comes (in part) from its image, as Docker composes it: the image's
   * Entrypoint unless `entrypoint` is given, then `command`, else the image's Cmd when neither is.
   */
  readonly fromImage?: { readonly entrypoint: readonly string[] | null; readonly command: readonly string[] | null };
  /** A Compose service: without its own `user:` or `working_dir:`, its image's User and WorkingDir apply, as under Docker. */
  readonly compose?: boolean;
}

export interface SetupStep {
  readonly run: string;
  /** Checkout paths or globs the step may read; the only part of the checkout it sees. */
  readonly inputs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly network: NetworkMode;
}

/** `build:` of a job: absolute paths, confined beneath the checkout when resolved. */
export interface ResolvedBuild {
  readonly context: string;
  readonly dockerfile: string;
  readonly target: string | null;
  readonly args: Readonly<Record<string, string>>;
}

export interface ResolvedJob {
  readonly name: string;
  /** The image reference; for a `build:` job, `dockerfile:PATH` (relative to the checkout), for messages. */
  readonly image: string;
  /** Instead of an image: the project's Dockerfile, built (run/dockerfile-build.ts). */
  readonly build: ResolvedBuild | null;
  /** argv; a `run:` string becomes `/bin/sh -c STRING`. */
  readonly command: readonly string[];
  /** `run:` was a string: arguments appended to `command` become the script's "$@". */
  readonly script: boolean;
  /** Globs of the checkout's test files that `--shard-by test` splits between shards. */
  readonly testFiles: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly network: NetworkMode;
  readonly junit: readonly string[];
  readonly artifacts: readonly string[];
  readonly needs: readonly string[];
  readonly retries: number;
  readonly limits: Limits;
  readonly setup: readonly SetupStep[];
  /** The syscall filter: `default` (Docker-like) unless the job opts out with `unconfined`. */
  readonly seccomp: 'default' | 'unconfined';
  /** Absolute paths or ~/paths, persisted between runs (BuildKit cache mounts). */
  readonly caches: readonly string[];
  /** Started before the job in its network namespace, in `needs` order; torn down after it. */
  readonly services: readonly ResolvedService[];
  /** Who runs the command inside (default root); other ids need a subuid range or root. */
  readonly user: { readonly uid: number; readonly gid: number } | null;
  /** A Compose service's `tmpfs:` mount points and `working_dir:` (default: the checkout). */
  readonly tmpfs?: readonly string[];
  readonly workdir?: string;
}

export interface ResolvedConfig {
  /** The file the config came from. */
  readonly source: string;
  /** The checkout the jobs run in: the config file's directory. */
  readonly projectDir: string;
  readonly jobs: readonly ResolvedJob[];
  /** Registries that may be reached over plain HTTP besides loopback ones. */
  readonly insecureRegistries: readonly string[];
  /** What the config asks for that is ignored here (a Compose service's `ports:`), printed before the run. */
  readonly notices?: readonly string[];
}

/** Limit overrides from the command line, as typed (`--memory 512m`). */
export interface LimitFlags {
  memory?: string | number | undefined;
  cpus?: string | number | undefined;
  pids?: string | number | undefined;
  timeout?: string | number | undefined;
}

export interface ResolveInput {
  raw: unknown;
  source: string;
  flags?: LimitFlags;
  /** Job names asked for on the command line; empty means all. */
  selected?: readonly string[];
  /** The checkout; default: the config file's directory. */
  projectDir?: string;
  /** Where presets are read from; default: the package's presets/. */
  presetsDir?: string;
}

export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const problems: string[] = nulBytePlaces(input.raw ?? {});
  if (problems.length > 0) throw new ConfigError(problems, { source: input.source });
  const parsed = configSchema.safeParse(input.raw ?? {});
  if (!parsed.success) {
    problems.push(...parsed.error.issues.flatMap(formatIssue));
    throw new ConfigError(problems, { source: input.source, hint: 'See the configuration reference in README.md.' });
  }
  const config = parsed.data;
  const flagLimits = readFlagLimits(input.flags ?? {}, problems);
  const defaults: DefaultsInput = { ...config.defaults };
  const projectDir = input.projectDir ?? path.dirname(input.source);
  const jobs: ResolvedJob[] = [];
  const notices: string[] = [];
  problems.push(...envPathProblems(config.defaults?.env, 'defaults.env'));
  if (config.defaults?.image !== undefined) config.defaults.image = confineLocalImage('defaults.image', config.defaults.image, projectDir, problems);
  for (const [name, job] of Object.entries(config.jobs)) {
    checkJob(name, job, config, problems);
    confineJobPaths(name, job, projectDir, problems);
    const merged = withPreset(name, job, projectDir, input.presetsDir, problems);
    problems.push(...envPathProblems(merged.env, `jobs.${name}.env`).filter((problem) => !problems.includes(problem)));
    checkTestFiles(name, merged, problems);
    checkCaches(name, merged, projectDir, problems);
    const compose = composeOf(name, merged, config, projectDir, problems, notices);
    const build = resolveBuild(`jobs.${name}.build`, job.build, projectDir, problems);
    jobs.push(resolveJob(name, merged, defaults, flagLimits, { compose, build, projectDir }));
  }
  checkNeeds(jobs, problems);
  for (const name of input.selected ?? []) {
    if (!jobs.some((job) => job.name === name)) {
      problems.push(
        `unknown job "${name}"${didYouMean(
          name,
          jobs.map((job) => job.name),
        )}: the config defines ${jobs.map((job) => `"${job.name}"`).join(', ')}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, { source: input.source });
  return Object.freeze({
    source: input.source,
    projectDir,
    jobs: Object.freeze(jobs),
    insecureRegistries: Object.freeze([...(config.insecureRegistries ?? [])]),
    notices: Object.freeze(notices),
  });
}

type ComposeService = TranslatedService & { readonly completes: boolean };

/** A job's Compose services, checked as its own `services:` are (names, images, caches); empty without `compose:`. */
function composeOf(name: string, job: JobInput, config: ConfigInput, projectDir: string, problems: string[], notices: string[]): ComposeService[] {
  if (job.compose === undefined) return [];
  const at = `jobs.${name}.compose`;
  if ((job.network ?? config.defaults?.network) === 'host') {
    problems.push(
      `${at}: not with network: host, where the service names could not be given their own /etc/hosts; use network: none (the default) or outbound`,
    );
    return [];
  }
  const spec = typeof job.compose === 'string' ? { file: job.compose } : job.compose;
  const variables = Object.fromEntries(Object.entries({ ...config.defaults?.env, ...job.env }).map(([key, value]) => [key, String(value)]));
  const found = composeServices(at, spec, projectDir, variables, problems, notices);
  if (!found) return [];
  const before = problems.length;
  for (const service of found.services) {
    const where = `${at} (${spec.file}) services.${service.name}`;
    if (!SERVICE_NAME.test(service.name))
      problems.push(`${where}: a service name must be 1-31 lowercase letters, digits, '_' or '-', starting with a letter or digit, to be a host name here`);
    if (job.services?.[service.name]) problems.push(`${where}: the job's own services: has a service of this name too; rename one`);
    checkImage(`${where}.image`, service.image, problems);
    for (const entry of service.caches) {
      const problem = cacheEntryProblem(entry, projectDir);
      if (problem)
        problems.push(
          `${where}.volumes: "${entry}" ${problem}; a named volume is kept between runs as a cache, ` +
            'and a cache may not cover system or home dirs; drop the volume (the service then starts empty each run)',
        );
    }
    problems.push(...envPathProblems(service.env, `${where}.environment`));
  }
  if (serviceOrder(found.services.map((service) => ({ name: service.name, needs: service.dependsOn.map((dependency) => dependency.name) }))) === null)
    problems.push(`${at} (${spec.file}): the services' depends_on form a cycle`);
  if (problems.length > before) return [];
  return found.services.map((service) => ({
    ...service,
    image: confineLocalImage(`${at} (${spec.file}) services.${service.name}.image`, service.image, projectDir, problems),
  }));
}

/** The job over its preset's keys for this checkout (presets.ts); the job as written when it names none. */
function withPreset(name: string, job: JobInput, projectDir: string, presetsDir: string | undefined, problems: string[]): JobInput {
  if (job.preset === undefined) return job;
  const preset = lookUpPreset(job.preset, projectDir, presetsDir);
  if ('problem' in preset) {
    problems.push(`jobs.${name}.preset: ${preset.problem}`);
    return job;
  }
  const merged = mergePreset(job, preset.keys);
  if (merged.run === undefined) problems.push(`jobs.${name}.run: missing: preset "${job.preset}" gives no \`run\` command; add one to the job`);
  return merged;
}

/** `--shard-by test` appends a shard's files to the command: a script that drops them would run every test on every shard. */
function checkTestFiles(name: string, job: JobInput, problems: string[]): void {
  for (const problem of testGlobProblems(asList(job.testFiles))) problems.push(`jobs.${name}.testFiles: ${problem}`);
  if (job.testFiles === undefined || typeof job.run !== 'string') return;
  if (!/\$[@*]|\$\{[@*]/.test(job.run)) {
    problems.push(
      `jobs.${name}.testFiles: the run script never uses "$@", where --shard-by test puts this shard's test files; add "$@" where the test runner takes paths (e.g. pytest "$@")`,
    );
  }
}

/** A cache over /usr, the checkout or the home would keep what later runs execute: refused, naming the key and the value. */
function checkCaches(name: string, job: JobInput, projectDir: string, problems: string[]): void {
  for (const [index, entry] of (job.caches ?? []).entries()) {
    const problem = cacheEntryProblem(entry, projectDir);
    const why = "a cache is kept between runs and may only hold a tool's own cache dir, like ~/.npm";
    if (problem) problems.push(`jobs.${name}.caches.${index}: "${entry}" ${problem}; ${why}`);
  }
}

/** What a job takes from outside its own keys: its Compose services and its Dockerfile build (both resolved already). */
interface JobSources {
  readonly compose?: readonly ComposeService[];
  readonly build?: ResolvedBuild | null;
  readonly projectDir?: string;
}

function resolveJob(name: string, job: JobInput, defaults: DefaultsInput, flagLimits: Limits, sources: JobSources = {}): ResolvedJob {
  const { compose = [], build = null, projectDir = '/' } = sources;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...defaults.env, ...job.env })) env[key] = String(value);
  const defaultLimits = { ...limitsOf(defaults), ...flagLimits };
  return Object.freeze({
    name,
    image: build ? `dockerfile:${path.relative(projectDir, build.dockerfile)}` : (job.image ?? defaults.image ?? 'host'),
    build,
    // No `run` only where a problem was recorded: the config is refused before the job is used.
    command: Object.freeze(typeof job.run === 'string' ? ['/bin/sh', '-c', job.run] : [...(job.run ?? [])]),
    script: typeof job.run === 'string',
    testFiles: Object.freeze(asList(job.testFiles)),
    env: Object.freeze(env),
    network: job.network ?? defaults.network ?? 'none',
    junit: Object.freeze(asList(job.junit)),
    artifacts: Object.freeze(asList(job.artifacts)),
    needs: Object.freeze([...(job.needs ?? [])]),
    retries: job.retries ?? defaults.retries ?? 0,
    limits: Object.freeze({ ...defaultLimits, ...limitsOf(job) }),
    setup: Object.freeze(
      (job.setup ?? []).map((step) =>
        Object.freeze({
          run: step.run,
          inputs: Object.freeze([...(step.inputs ?? [])]),
          env: Object.freeze(Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, String(value)]))),
          // A network of the step's own: `host` (the runner's loopback, its services) only when asked for.
          network: step.network ?? 'outbound',
        }),
      ),
    ),
    caches: Object.freeze([...(job.caches ?? [])]),
    seccomp: job.seccomp ?? 'default',
    user: userOf(job.user),
    services: Object.freeze([
      ...Object.entries(job.services ?? {}).map(([serviceName, service]) =>
        resolveService(name, serviceName, service, defaults, job.network ?? defaults.network ?? 'none'),
      ),
      ...compose.map((service) => resolveComposeService(name, service, defaults, job.network ?? defaults.network ?? 'none')),
    ]),
  });
}

/** A translated Compose service (config/compose/) as a cubicle service: its health, tmpfs, working_dir and volumes kept. */
function resolveComposeService(jobName: string, service: ComposeService, defaults: DefaultsInput, jobNetwork: NetworkMode): ResolvedService {
  const input: ServiceInput = {
    image: service.image,
    run: [...(service.entrypoint ?? []), ...(service.command ?? [])],
    env: service.env,
    needs: service.dependsOn.map((dependency) => dependency.name),
  };
  if (service.user !== undefined) input.user = service.user;
  const resolved = resolveService(jobName, service.name, input, defaults, jobNetwork, service.caches);
  const job: ResolvedJob = {
    ...resolved.job,
    tmpfs: Object.freeze([...service.tmpfs]),
    ...(service.workdir === undefined ? {} : { workdir: service.workdir }),
  };
  const fromImage = service.entrypoint === null || service.command === null ? { entrypoint: service.entrypoint, command: service.command } : undefined;
  return Object.freeze({
    ...resolved,
    job: Object.freeze(job),
    health: service.health,
    completes: service.completes,
    compose: true,
    ...(fromImage ? { fromImage } : {}),
  });
}

function userOf(value: string | number | undefined): { uid: number; gid: number } | null {
  if (value === undefined) return null;
  const [uid, gid] = String(value).split(':').map(Number);
  return Object.freeze({ uid: uid!, gid: gid ?? uid! });
}

const DEFAULT_HEALTH_INTERVAL_MS = 1000;
const DEFAULT_HEALTH_RETRIES = 30;

function resolveService(
  jobName: string,
  name: string,
  service: ServiceInput,
  defaults: DefaultsInput,
  jobNetwork: NetworkMode,
  caches?: readonly string[],
): ResolvedService {
  // A service is on the job's network: the host's with `network: host`, else the job's own namespace.
  const asJob = resolveJob(
    `${jobName}.${name}`,
    { ...service, network: jobNetwork === 'host' ? 'host' : 'none', services: undefined, ...(caches ? { caches: [...caches] } : {}) },
    { image: defaults.image },
    {},
  );
  const health = service.health
    ? Object.freeze({
        command: Object.freeze(typeof service.health.command === 'string' ? ['/bin/sh', '-c', service.health.command] : [...service.health.command]),
        intervalMs: service.health.interval === undefined ? DEFAULT_HEALTH_INTERVAL_MS : parseDuration(service.health.interval)!,
        retries: service.health.retries ?? DEFAULT_HEALTH_RETRIES,
      })
    : null;
  return Object.freeze({ name, job: asJob, health, needs: Object.freeze([...(service.needs ?? [])]) });
}

function limitsOf(source: {
  memory?: string | number | undefined;
  disk?: string | number | undefined;
  cpus?: string | number | undefined;
  pids?: number | undefined;
  timeout?: string | number | undefined;
}): Limits {
  const limits: { memoryBytes?: number; diskBytes?: number; cpus?: number; pids?: number; timeoutMs?: number } = {};
  if (source.disk !== undefined) limits.diskBytes = parseSize(source.disk)!;
  if (source.memory !== undefined) limits.memoryBytes = parseSize(source.memory)!;
  if (source.cpus !== undefined) limits.cpus = Number(source.cpus);
  if (source.pids !== undefined) limits.pids = source.pids;
  if (source.timeout !== undefined) limits.timeoutMs = parseDuration(source.timeout)!;
  return limits;
}

function readFlagLimits(flags: LimitFlags, problems: string[]): Limits {
  const limits: { memoryBytes?: number; cpus?: number; pids?: number; timeoutMs?: number } = {};
  if (flags.memory !== undefined) {
    const bytes = parseSize(flags.memory);
    if (bytes === undefined) problems.push(`--memory: expected a size like 512m or 2g, got ${JSON.stringify(flags.memory)}`);
    else limits.memoryBytes = bytes;
  }
  if (flags.cpus !== undefined) {
    const count = Number(flags.cpus);
    if (!Number.isFinite(count) || count <= 0) problems.push(`--cpus: expected a number of CPUs like 2 or 0.5, got ${JSON.stringify(flags.cpus)}`);
    else limits.cpus = count;
  }
  if (flags.pids !== undefined) {
    const count = Number(flags.pids);
    if (!Number.isSafeInteger(count) || count <= 0) problems.push(`--pids: expected a whole number of processes like 512, got ${JSON.stringify(flags.pids)}`);
    else limits.pids = count;
  }
  if (flags.timeout !== undefined) {
    const ms = parseDuration(flags.timeout);
    if (ms === undefined) problems.push(`--timeout: expected a duration like 90s, 10m or 1h, got ${JSON.stringify(flags.timeout)}`);
    else limits.timeoutMs = ms;
  }
  return limits;
}

/** What the schema accepts but this version cannot do yet: refused, never ignored. */
function checkJob(name: string, job: JobInput, config: ConfigInput, problems: string[]): void {
  const at = `jobs.${name}`;
  if (!JOB_NAME.test(name)) {
    problems.push(`${at}: a job name must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  if (job.build === undefined) checkImage(`${at}.image`, job.image ?? config.defaults?.image ?? 'host', problems);
  const services = Object.entries(job.services ?? {});
  for (const [serviceName, service] of services) {
    const where = `${at}.services.${serviceName}`;
    if (!SERVICE_NAME.test(serviceName))
      problems.push(`${where}: a service name must be 1-31 lowercase letters, digits, '_' or '-', starting with a letter or digit`);
    checkImage(`${where}.image`, service.image ?? config.defaults?.image ?? 'host', problems);
    for (const need of service.needs ?? []) {
      if (need === serviceName) problems.push(`${where}.needs: a service cannot need itself`);
      else if (!services.some(([other]) => other === need))
        problems.push(
          `${where}.needs: unknown service "${need}"${didYouMean(
            need,
            services.map(([other]) => other),
          )}`,
        );
    }
  }
  const order = serviceOrder(services.map(([serviceName, service]) => ({ name: serviceName, needs: service.needs ?? [] })));
  if (order === null) problems.push(`${at}.services: their needs form a cycle`);
}

function checkImage(where: string, image: string, problems: string[]): void {
  if (image === 'host' || DEBIAN_IMAGE.test(image)) return;
  try {
    parseImageRef(image);
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Paths in a job that the runner acts on as host paths: `env.HOME` (and each setup step's and
 * service's) and a local image's path (`oci:DIR`, `oci-archive:FILE`, `docker-archive:FILE`),
 * which must lie beneath the checkout; each local image is rewritten to its absolute path there.
 */
function confineJobPaths(name: string, job: JobInput, projectDir: string, problems: string[]): void {
  const at = `jobs.${name}`;
  problems.push(...envPathProblems(job.env, `${at}.env`));
  for (const [index, step] of (job.setup ?? []).entries()) problems.push(...envPathProblems(step.env, `${at}.setup[${index}].env`));
  if (job.image !== undefined) job.image = confineLocalImage(`${at}.image`, job.image, projectDir, problems);
  for (const [serviceName, service] of Object.entries(job.services ?? {})) {
    const where = `${at}.services.${serviceName}`;
    problems.push(...envPathProblems(service.env, `${where}.env`));
    for (const [index, step] of (service.setup ?? []).entries()) problems.push(...envPathProblems(step.env, `${where}.setup[${index}].env`));
    if (service.image !== undefined) service.image = confineLocalImage(`${where}.image`, service.image, projectDir, problems);
  }
}

/**
 * A config may name an image the checkout ships (an OCI layout, an archive) but not a host path
 * outside it: the path is resolved beneath the checkout, and a symlink leading out is refused.
 */
function confineLocalImage(where: string, image: string, projectDir: string, problems: string[]): string {
  let ref;
  try {
    ref = parseImageRef(image);
  } catch {
    return image; // named by checkImage
  }
  if (ref.transport === 'docker') return image;
  const absolute = path.resolve(projectDir, ref.path);
  if (!isBeneath(absolute, projectDir)) {
    problems.push(
      `${where}: ${ref.transport}:${ref.path} is outside the checkout ${projectDir}; a config may read an image only from a layout or archive in it`,
    );
    return image;
  }
  try {
    resolveBeneath(projectDir, path.relative(projectDir, absolute) || '.', { allowMissing: true, notDone: 'nothing was run' });
  } catch (error) {
    if (!(error instanceof PathConfinementError)) throw error;
    problems.push(`${where}: ${ref.transport}:${ref.path} ${error.message}`);
    return image;
  }
  return formatImageRef({ ...ref, path: absolute });
}

/** `build:` -> absolute context and Dockerfile paths, each beneath the checkout (no symlink out); null without one. */
function resolveBuild(where: string, build: JobInput['build'], projectDir: string, problems: string[]): ResolvedBuild | null {
  if (build === undefined) return null;
  const long = typeof build === 'string' ? { context: build } : build;
  const context = confineBuildPath(
    `${where}${typeof build === 'string' ? '' : '.context'}`,
    path.resolve(projectDir, long.context ?? '.'),
    projectDir,
    problems,
  );
  const dockerfile = confineBuildPath(`${where}.dockerfile`, path.resolve(context, long.dockerfile ?? 'Dockerfile'), projectDir, problems);
  const args = Object.fromEntries(Object.entries(long.args ?? {}).map(([name, value]) => [name, String(value)]));
  return Object.freeze({ context, dockerfile, target: long.target ?? null, args: Object.freeze(args) });
}

function confineBuildPath(where: string, absolute: string, projectDir: string, problems: string[]): string {
  if (!isBeneath(absolute, projectDir)) {
    problems.push(`${where}: ${absolute} is outside the checkout ${projectDir}; a build reads only files in the checkout`);
    return absolute;
  }
  try {
    resolveBeneath(projectDir, path.relative(projectDir, absolute) || '.', { allowMissing: true, notDone: 'nothing was run' });
  } catch (error) {
    if (!(error instanceof PathConfinementError)) throw error;
    problems.push(`${where}: ${path.relative(projectDir, absolute)} ${error.message}`);
  }
  return absolute;
}

/** Services in an order that starts each after what it needs; null when their needs form a cycle. */
export function serviceOrder<T extends { readonly name: string; readonly needs: readonly string[] }>(services: readonly T[]): T[] | null {
  const ordered: T[] = [];
  const done = new Set<string>();
  let progress = true;
  while (ordered.length < services.length && progress) {
    progress = false;
    for (const service of services) {
      if (done.has(service.name) || !service.needs.every((need) => done.has(need) || !services.some((other) => other.name === need))) continue;
      ordered.push(service);
      done.add(service.name);
      progress = true;
    }
  }
  return ordered.length === services.length ? ordered : null;
}

function checkNeeds(jobs: readonly ResolvedJob[], problems: string[]): void {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  for (const job of jobs) {
    for (const need of job.needs) {
      if (!byName.has(need))
        problems.push(
          `jobs.${job.name}.needs: unknown job "${need}"${didYouMean(need, byName.keys())}; the config defines ${[...byName.keys()].map((name) => `"${name}"`).join(', ')}`,
        );
      if (need === job.name) problems.push(`jobs.${job.name}.needs: a job cannot need itself`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      problems.push(`jobs.${name}.needs: a cycle: ${cycle.join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const need of byName.get(name)?.needs ?? []) if (need !== name && byName.has(need)) visit(need, [...trail, name]);
    state.set(name, 'done');
  };
  for (const job of jobs) visit(job.name, []);
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** One problem per line of the error: an issue naming two unknown keys is two problems. */
export function formatIssue(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => `${at}: unknown key "${key}"${didYouMean(key, known)}`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [`${at}: missing`];
  return [`${at}: ${issue.message}`];
}
