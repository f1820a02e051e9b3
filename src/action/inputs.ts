// The action's inputs (action.yml), read and checked in one place: every problem is listed at
// once, and what reaches the rest of the action is typed and read-only.
import fs from 'node:fs';
import path from 'node:path';
import { parseSize } from '../core/units.js';
import { CubicleError } from '../core/errors.js';

export type SaveCacheMode = 'default-branch' | 'always' | 'never';
/** `cache`: true (the workflow cache, actions/cache), false, or registry (an OCI registry, registry-cache.ts). */
export type CacheMode = 'workflow' | 'registry' | 'off';
export const SAVE_CACHE_MODES: readonly SaveCacheMode[] = ['default-branch', 'always', 'never'];
/** `cubicle run --pull` and `--shard-by` (src/cli/commands.ts). */
export const PULL_POLICIES = ['missing', 'always', 'never'] as const;
export const SHARD_BY = ['job', 'test'] as const;

export interface ActionInputs {
  readonly config: string | undefined;
  readonly jobs: readonly string[];
  readonly memory: string | undefined;
  readonly cpus: string | undefined;
  readonly timeout: string | undefined;
  readonly pids: number | undefined;
  readonly parallel: number | undefined;
  readonly shard: string | undefined;
  readonly shardBy: (typeof SHARD_BY)[number];
  /** A JUnit report or --json file to balance shards by, relative to the working directory. */
  readonly timings: string | undefined;
  readonly failFast: boolean;
  readonly pull: (typeof PULL_POLICIES)[number];
  readonly noLimits: boolean;
  /** Where `cubicle run` runs (finds its config), relative to the workspace; config, junit and timings are relative to it. */
  readonly workingDirectory: string;
  readonly junit: string;
  readonly cache: CacheMode;
  /** Where and as whom `cache: registry` pulls and pushes; undefined for any other `cache`. */
  readonly registry: RegistryInputs | undefined;
  readonly cacheKeyPrefix: string;
  readonly cacheSize: string;
  readonly saveCache: SaveCacheMode;
  readonly setupHost: boolean;
  /** Runner variables passed into jobs, by name. */
  readonly env: readonly string[];
}

export interface RegistryInputs {
  /** HOST/REPOSITORY[:TAG], as `cubicle cache pull` and `push` take it. */
  readonly ref: string;
  /** With `token`: the credentials, handed to the CLI on its stdin. Neither: the docker/podman auth files. */
  readonly username: string | undefined;
  readonly token: string | undefined;
}

/** An input that cannot be used; the step fails before anything runs. */
export class ActionInputError extends CubicleError<'ACTION_INPUT_INVALID'> {
  readonly code = 'ACTION_INPUT_INVALID';

  constructor(readonly problems: readonly string[]) {
    const noun = problems.length === 1 ? 'input is' : 'inputs are';
    super(`${problems.length} ${noun} invalid; nothing was run:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** How @actions/core's getInput reads an input: trimmed, '' when unset. */
export type GetInput = (name: string) => string;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** "unit lint", "unit\nlint" or "unit, lint" -> ['unit', 'lint']. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * `workspace`: GITHUB_WORKSPACE, which `working-directory` must lie in; `env`: the runner's
 * variables that give defaults (GITHUB_REPOSITORY for cache-ref, GITHUB_ACTOR for registry-username).
 */
export function readInputs(getInput: GetInput, workspace = process.cwd(), env: Readonly<Record<string, string | undefined>> = process.env): ActionInputs {
  const problems: string[] = [];
  const text = (name: string, fallback?: string) => getInput(name) || fallback;
  const boolean = (name: string, fallback: boolean): boolean => {
    const value = getInput(name);
    if (value === '') return fallback;
    // YAML 1.2 core schema booleans, as @actions/core's getBooleanInput reads them.
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    problems.push(`${name}: expected true or false, got ${JSON.stringify(value)}`);
    return fallback;
  };

  const parallelText = text('parallel');
  let parallel: number | undefined;
  if (parallelText !== undefined) {
    parallel = Number(parallelText);
    if (!Number.isInteger(parallel) || parallel < 1)
      problems.push(`parallel: expected a whole number of jobs of at least 1, got ${JSON.stringify(parallelText)}`);
  }

  const shard = text('shard');
  // `--shard auto` reads a CI's numbering of its parallel machines; GitHub numbers no matrix job.
  if (shard?.trim() === 'auto') {
    problems.push(
      'shard: auto reads the shard that GitLab, Buildkite or CircleCI give a parallel job, and GitHub Actions gives none; ' +
        "pass the matrix's own: shard: ${{ matrix.shard }}/3 with matrix: { shard: [1, 2, 3] }",
    );
  } else if (shard !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(shard);
    if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2]))
      problems.push(`shard: expected INDEX/COUNT with 1 <= INDEX <= COUNT, such as 2/3, got ${JSON.stringify(shard)}`);
  }

  const pidsText = text('pids');
  let pids: number | undefined;
  if (pidsText !== undefined) {
    pids = Number(pidsText);
    const expected = 'a whole number of processes of at least 1, such as 512';
    if (!Number.isSafeInteger(pids) || pids < 1) problems.push(`pids: expected ${expected}, got ${JSON.stringify(pidsText)}`);
  }
  const choice = <T extends string>(name: string, choices: readonly T[]): T => {
    const value = text(name, choices[0])!;
    if (!(choices as readonly string[]).includes(value)) problems.push(`${name}: expected ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
  const pull = choice('pull', PULL_POLICIES);
  const shardBy = choice('shard-by', SHARD_BY);
  const workingDirectory = text('working-directory', '.')!;
  const workingProblem = checkWorkingDirectory(workingDirectory, workspace);
  if (workingProblem) problems.push(workingProblem);

  const cacheSize = text('cache-size', '2g')!;
  if (parseSize(cacheSize) === undefined) problems.push(`cache-size: expected a size like 2g or 500m, got ${JSON.stringify(cacheSize)}`);

  const saveCache = text('save-cache', 'default-branch')!;
  if (!(SAVE_CACHE_MODES as readonly string[]).includes(saveCache))
    problems.push(`save-cache: expected ${SAVE_CACHE_MODES.join(', ')}, got ${JSON.stringify(saveCache)}`);

  const cacheKeyPrefix = text('cache-key-prefix', 'cubicle')!;
  if (/[,\s]/.test(cacheKeyPrefix)) problems.push(`cache-key-prefix: a cache key may not contain commas or spaces, got ${JSON.stringify(cacheKeyPrefix)}`);

  const cache = readCacheMode(getInput('cache'), problems);
  const registry = cache === 'registry' ? readRegistryInputs(getInput, env, problems) : undefined;

  const passEnv = splitList(getInput('env'));
  for (const name of passEnv) if (!VARIABLE_NAME.test(name)) problems.push(`env: "${name}" is not a variable name; list names (FOO BAR), not values`);

  const inputs: ActionInputs = {
    config: text('config'),
    jobs: splitList(getInput('jobs')),
    memory: text('memory'),
    cpus: text('cpus'),
    timeout: text('timeout'),
    parallel,
    pids,
    shard,
    shardBy,
    timings: text('timings'),
    failFast: boolean('fail-fast', false),
    pull,
    noLimits: boolean('no-limits', false),
    workingDirectory,
    junit: text('junit', 'cubicle-junit.xml')!,
    cache,
    registry,
    cacheKeyPrefix,
    cacheSize,
    saveCache: saveCache as SaveCacheMode,
    setupHost: boolean('setup-host', true),
    env: passEnv,
  };
  if (problems.length) throw new ActionInputError(problems);
  return Object.freeze(inputs);
}

/** true (or '') is the workflow cache, false none, registry an OCI registry; booleans read as `boolean` above reads them. */
function readCacheMode(value: string, problems: string[]): CacheMode {
  if (value === 'registry') return 'registry';
  if (['', 'true', 'True', 'TRUE'].includes(value)) return 'workflow';
  if (['false', 'False', 'FALSE'].includes(value)) return 'off';
  problems.push(`cache: expected true (the workflow cache), false or registry, got ${JSON.stringify(value)}`);
  return 'workflow';
}

/** A registry path component: lower case (the Distribution spec; GHCR refuses upper case), `.`, `_`, `-` between. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** cache-ref (default ghcr.io/OWNER/REPO/cubicle-cache, lower-cased), registry-username and registry-token. */
function readRegistryInputs(getInput: GetInput, env: Readonly<Record<string, string | undefined>>, problems: string[]): RegistryInputs | undefined {
  const repository = env.GITHUB_REPOSITORY;
  const ref = getInput('cache-ref') || (repository ? `ghcr.io/${repository.toLowerCase()}/cubicle-cache` : undefined);
  const username = getInput('registry-username') || env.GITHUB_ACTOR || undefined;
  const token = getInput('registry-token') || undefined;
  if (ref === undefined) {
    problems.push(
      'cache-ref: cache is registry, and GITHUB_REPOSITORY is not set to name the default; give cache-ref, such as ghcr.io/owner/repo/cubicle-cache',
    );
    return undefined;
  }
  const refProblem = checkCacheRef(ref);
  if (refProblem) problems.push(refProblem);
  if (token && !username) {
    problems.push('registry-username: registry-token needs a user name to log in with, and GITHUB_ACTOR is not set; give registry-username');
  }
  return refProblem || (token && !username) ? undefined : { ref, username: token ? username : undefined, token };
}

/** What is wrong with a cache-ref, or undefined: HOST[:PORT]/PATH[:TAG], no scheme, no digest, a lower-case path. */
export function checkCacheRef(ref: string): string | undefined {
  const expected = 'HOST/REPOSITORY[:TAG], such as ghcr.io/owner/repo/cubicle-cache';
  if (/^[a-z]+:\/\//i.test(ref)) return `cache-ref: give the registry without a scheme (${expected}), got ${JSON.stringify(ref)}`;
  if (ref.includes('@')) return `cache-ref: a cache is pushed to a tag, not a digest (${expected}), got ${JSON.stringify(ref)}`;
  const slash = ref.indexOf('/');
  if (slash <= 0) return `cache-ref: expected ${expected}, with the registry's host first, got ${JSON.stringify(ref)}`;
  const rest = ref.slice(slash + 1);
  const tag = /:([^/:]*)$/.exec(rest);
  const repository = tag ? rest.slice(0, tag.index) : rest;
  if (tag && !/^[\w][\w.-]{0,127}$/.test(tag[1]!))
    return `cache-ref: ${JSON.stringify(tag[1])} is not a tag (letters, digits, _ . -), in ${JSON.stringify(ref)}`;
  if (!repository.split('/').every((part) => PATH_COMPONENT.test(part)))
    return (
      `cache-ref: the repository ${JSON.stringify(repository)} must be lower-case letters and digits, ` +
      `separated by / . _ or - (registries refuse others), in ${JSON.stringify(ref)}`
    );
  return undefined;
}

/** A working directory that is not a directory in the workspace; undefined when it is one. */
function checkWorkingDirectory(dir: string, workspace: string): string | undefined {
  const absolute = path.resolve(workspace, dir);
  const relative = path.relative(workspace, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return `working-directory: ${JSON.stringify(dir)} is outside the workspace (${workspace}); give a directory of the checkout`;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    return `working-directory: ${JSON.stringify(dir)} does not exist in the workspace (${absolute}); check out the repository first, or fix the path`;
  }
  return stat.isDirectory() ? undefined : `working-directory: ${JSON.stringify(dir)} is a file, not a directory (${absolute})`;
}

/**
 * The `cubicle run` arguments the inputs ask for; `cacheScope`: the run's ref's (plan/cache-scope.ts),
 * so a pull request never writes the default branch's caches.
 */
export function runArguments(inputs: ActionInputs, files: { junit: string; json: string }, cacheScope?: string): string[] {
  const args = ['run', ...inputs.jobs, '--junit', files.junit, '--json', files.json];
  if (cacheScope) args.push('--cache-scope', cacheScope);
  if (inputs.config) args.push('--config', inputs.config);
  if (inputs.parallel !== undefined) args.push('--parallel', String(inputs.parallel));
  if (inputs.shard) args.push('--shard', inputs.shard);
  if (inputs.shardBy !== 'job') args.push('--shard-by', inputs.shardBy);
  if (inputs.timings) args.push('--timings', inputs.timings);
  if (inputs.failFast) args.push('--fail-fast');
  if (inputs.pull !== 'missing') args.push('--pull', inputs.pull);
  if (inputs.noLimits) args.push('--no-limits');
  for (const limit of ['memory', 'cpus', 'timeout'] as const) {
    const value = inputs[limit];
    if (value !== undefined) args.push(`--${limit}`, value);
  }
  if (inputs.pids !== undefined) args.push('--pids', String(inputs.pids));
  return args;
}
