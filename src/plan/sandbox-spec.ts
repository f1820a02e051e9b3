// One job (or one setup step) -> the SandboxSpec the helper runs. Two shapes:
//  - host image, no layers: the host's system dirs read-only, fresh /proc /dev /tmp, a tmpfs
//    HOME, and the checkout at its own path through an overlay whose upper is the job's alone;
//  - with layers (setup steps, an OCI or debian base): "/" is an overlay of the layers' root
//    trees over a skeleton of mount points, so writes anywhere (HOME, /usr/local) land in an
//    upper dir that a setup step commits; the checkout overlay also stacks the layers' ws trees.
// Pure: it names dirs and writes none; the skeleton is made as the helper starts (sandbox/skeleton.ts).
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { hostPathProblem } from '../confine/index.js';
import { PathConfinementError } from '../core/errors.js';
import { hostImageOps, hostNetworkOps } from '../sandbox/host-root.js';
import { orderByDepth, type MountOp, type RootSkeleton, type SandboxSpec } from '../sandbox/ops.js';
import { withHomeBin } from './step-env.js';

/** Host variables a job gets; everything else (CI secrets live in the environment) stays out. */
export const PASSED_HOST_VARIABLES = ['PATH', 'HOME', 'TERM', 'LANG', 'CI'] as const;
/** PATH where neither an image nor the host gives one, and every setup step's on the host. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface JobContext {
  readonly projectDir: string;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly attempt: number;
  readonly shard?: string | undefined;
  /** --shard-by test: every shard runs every job, and the job's test framework splits its files. */
  readonly testShard?: string | undefined;
  /** --shard-by test on a job with `testFiles`: this shard's files, appended to the command. */
  readonly testFiles?: readonly string[] | undefined;
  /** The run's shared user namespace (src/host/shared-userns.ts); absent: the job's sandbox maps its own. */
  readonly userns?: string | undefined;
  /** The job's own network namespace, shared with its services (run/network.ts). */
  readonly network?: { readonly netns: string; readonly resolvConf: string | null; readonly hosts?: string | null } | undefined;
}

export interface JobDirs {
  readonly upper: string;
  readonly work: string;
  /** The root overlay's upper and work dirs; used only when the filesystem has a root overlay. */
  readonly rootUpper?: string;
  readonly rootWork?: string;
  /** A dir for the skeleton of mount points under the layers. */
  readonly skeleton?: string;
  /** The job's cgroups, one per hierarchy; empty when the run has none (--no-limits, no delegation). */
  readonly cgroups: readonly string[];
}

export interface CacheMount {
  readonly src: string;
  readonly dest: string;
}

/** What the job's filesystem is made of, below its own upper dirs. */
export interface JobFilesystem {
  /** The host's /usr, /etc, ... read-only (image: host). */
  readonly hostSystem: boolean;
  /** Root trees of the base image and setup layers, top first; none and hostSystem: no root overlay. */
  readonly rootLowers: readonly string[];
  /** Checkout trees of setup layers, top first, stacked over `workspace`. */
  readonly wsLowers: readonly string[];
  /** The lowest checkout tree: the checkout itself for jobs, the staged inputs for a setup step. */
  readonly workspace: string;
  readonly caches: readonly CacheMount[];
  /** The image's own environment (its config's Env), under the job's. */
  readonly imageEnv: Readonly<Record<string, string>>;
  /** A setup step: "/" is an overlay even with nothing below, so its writes can be committed. */
  readonly captureRoot?: boolean;
}

export function hostFilesystem(projectDir: string): JobFilesystem {
  return { hostSystem: true, rootLowers: [], wsLowers: [], workspace: projectDir, caches: [], imageEnv: {} };
}

/**
 * The job's whole environment. On an image (OCI, debian) its config's Env comes first and the
 * host's PATH and HOME stay out: they name host dirs the image does not have.
 */
export function jobEnvironment(job: ResolvedJob, context: JobContext, image?: { readonly env: Readonly<Record<string, string>> }): Record<string, string> {
  const env: Record<string, string> = { ...image?.env };
  const fromHost = image ? PASSED_HOST_VARIABLES.filter((name) => name !== 'PATH' && name !== 'HOME') : PASSED_HOST_VARIABLES;
  for (const name of fromHost) {
    const value = context.hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOME ??= '/root';
  Object.assign(env, job.env);
  // What setup steps put in ~/.local/bin (their layers hold HOME) is on the job's PATH, as it was on theirs.
  if (job.setup.length > 0 && job.env.PATH === undefined) env.PATH = withHomeBin(env.PATH, env.HOME);
  env.CUBICLE_JOB = job.name;
  env.CUBICLE_ATTEMPT = String(context.attempt);
  if (context.shard) env.CUBICLE_SHARD = context.shard;
  if (context.testShard) env.CUBICLE_TEST_SHARD = context.testShard;
  return env;
}

/**
 * Host variables named in CUBICLE_PASS_ENV (NAME,NAME: the Action's `env` input). Jobs get them;
 * setup steps do not (a step's env is stored in its layer's meta.json, and so in exported caches).
 */
export function requestedHostVariables(hostEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of (hostEnv.CUBICLE_PASS_ENV ?? '').split(',').map((entry) => entry.trim())) {
    const value = hostEnv[name];
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && value !== undefined) env[name] = value;
  }
  return env;
}

export interface SandboxRequest {
  readonly name: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly network: ResolvedJob['network'];
  readonly limits: ResolvedJob['limits'];
  readonly projectDir: string;
  readonly userns?: string | undefined;
  readonly seccomp?: 'default' | 'unconfined' | undefined;
  readonly user?: { readonly uid: number; readonly gid: number } | null | undefined;
  /** Checkout globs (junit, artifacts) to keep when the job's writes live on a disk-limit tmpfs. */
  readonly keep?: readonly string[] | undefined;
  /** Compose's `tmpfs:` and `working_dir:` of a service. */
  readonly tmpfs?: readonly string[] | undefined;
  readonly workdir?: string | undefined;
  /** The job's network shared with its services, or with a way out (run/network.ts). */
  readonly sharedNetwork?: { readonly netns: string; readonly resolvConf: string | null; readonly hosts?: string | null } | undefined;
  /** More mounts after the job's own: a Dockerfile COPY --from's destination layer (run/dockerfile-copy-from.ts). */
  readonly extraMounts?: readonly MountOp[] | undefined;
}

/** The job's argv with this shard's test files after it: a `run:` script gets them as "$@" (`sh -c SCRIPT sh FILES...`). */
function commandWithTestFiles(job: ResolvedJob, files: readonly string[] | undefined): readonly string[] {
  if (!files) return job.command;
  return job.script ? [...job.command, 'sh', ...files] : [...job.command, ...files];
}

/** What a job's command sees of the environment: the named host variables, then its own. */
function fullEnvironment(job: ResolvedJob, context: JobContext, filesystem: JobFilesystem): Record<string, string> {
  return { ...requestedHostVariables(context.hostEnv), ...jobEnvironment(job, context, filesystem.hostSystem ? undefined : { env: filesystem.imageEnv }) };
}

/**
 * `command` inside a running sandbox of `job` (`docker exec`): a service's health check, which
 * sees the service's own /run, /tmp and sockets. `pid` is a host pid in that sandbox; the
 * command gets the job's environment, user and syscall filter, no capabilities.
 */
export function joinSandboxSpec(
  job: ResolvedJob,
  context: JobContext,
  filesystem: JobFilesystem,
  pid: number,
  command: readonly string[],
  timeoutMs: number,
): SandboxSpec {
  return {
    ops: [],
    command,
    env: fullEnvironment(job, context, filesystem),
    cwd: job.workdir ?? context.projectDir,
    hostname: job.name,
    shareNetwork: false,
    timeoutMs,
    join: pid,
    userns: context.userns,
    user: job.user,
    seccomp: job.seccomp,
  };
}

export function jobSandboxSpec(
  job: ResolvedJob,
  context: JobContext,
  dirs: JobDirs,
  filesystem: JobFilesystem = hostFilesystem(context.projectDir),
): SandboxSpec {
  const request: SandboxRequest = {
    name: job.name,
    command: commandWithTestFiles(job, context.testFiles),
    env: fullEnvironment(job, context, filesystem),
    network: job.network,
    limits: job.limits,
    projectDir: context.projectDir,
    userns: context.userns,
    seccomp: job.seccomp,
    user: job.user,
    keep: [...job.junit, ...job.artifacts],
    sharedNetwork: context.network,
    tmpfs: job.tmpfs,
    workdir: job.workdir,
  };
  return sandboxSpec(request, dirs, filesystem);
}

function hasRootOverlay(filesystem: JobFilesystem): boolean {
  return !filesystem.hostSystem || filesystem.rootLowers.length > 0 || filesystem.captureRoot === true;
}

export function sandboxSpec(request: SandboxRequest, dirs: JobDirs, filesystem: JobFilesystem): SandboxSpec {
  const checkout = request.projectDir;
  const home = request.env.HOME!;
  const mounts: MountOp[] = [
    { kind: 'proc', dest: '/proc' },
    { kind: 'dev', dest: '/dev' },
    { kind: 'tmpfs', dest: '/tmp', mode: 0o1777 },
    { kind: 'overlay', lowers: [...filesystem.wsLowers, filesystem.workspace], upper: dirs.upper, work: dirs.work, dest: checkout },
    ...filesystem.caches.map((cache): MountOp => ({ kind: 'bind', src: cache.src, dest: cache.dest })),
    ...(request.tmpfs ?? []).map((dest): MountOp => ({ kind: 'tmpfs', dest, mode: 0o1777 })),
    ...(request.extraMounts ?? []),
  ];
  // Before the skeleton is drawn: a layered root gets the mount point even where its image has no /etc/hosts.
  if (request.network !== 'host' && request.sharedNetwork?.hosts) mounts.push({ kind: 'ro-bind', src: request.sharedNetwork.hosts, dest: '/etc/hosts' });
  const system = filesystem.hostSystem ? hostImageOps() : [];
  let skeleton: RootSkeleton | undefined;
  if (hasRootOverlay(filesystem)) {
    if (!dirs.rootUpper || !dirs.rootWork || !dirs.skeleton) throw new Error('a layered job needs root upper, work and skeleton dirs');
    const homeProblem = hostPathProblem(home);
    if (homeProblem) throw new PathConfinementError(home, `HOME ${homeProblem}`, 'the sandbox was not made');
    skeleton = { dir: dirs.skeleton, upper: dirs.rootUpper, work: dirs.rootWork, ops: [...system, ...mounts], home, workdir: request.workdir };
    mounts.push({ kind: 'overlay', lowers: [...filesystem.rootLowers, dirs.skeleton], upper: dirs.rootUpper, work: dirs.rootWork, dest: '/' });
  } else if (needsOwnHome(home, checkout)) {
    mounts.push({ kind: 'tmpfs', dest: home, mode: 0o755 });
  }
  if (request.network === 'host') mounts.push(...hostNetworkOps());
  if (request.sharedNetwork?.resolvConf) mounts.push({ kind: 'ro-bind', src: request.sharedNetwork.resolvConf, dest: '/etc/resolv.conf' });
  return {
    ops: orderByDepth([...system, ...mounts]),
    skeleton,
    command: request.command,
    env: request.env,
    cwd: request.workdir ?? checkout,
    hostname: request.name,
    shareNetwork: request.network === 'host',
    timeoutMs: request.limits.timeoutMs,
    // A setup step's writes become a layer: its overlay syncs them before the commit.
    volatileUpper: filesystem.captureRoot !== true,
    cgroup:
      dirs.cgroups.length > 0
        ? { dirs: dirs.cgroups, memoryBytes: request.limits.memoryBytes, cpus: request.limits.cpus, pids: request.limits.pids }
        : undefined,
    userns: request.userns,
    netns: request.network === 'host' ? undefined : request.sharedNetwork?.netns,
    seccomp: request.seccomp,
    user: request.user,
    disk: request.limits.diskBytes === undefined ? undefined : { bytes: request.limits.diskBytes, keep: keepGlobs(checkout, request.keep ?? []) },
  };
}

/** A `junit:`/`artifacts:` pattern names files or whole dirs (as collect.ts reads it). */
function keepGlobs(checkout: string, patterns: readonly string[]): { dest: string; glob: string }[] {
  return patterns.flatMap((pattern) => {
    const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
    return clean
      ? [
          { dest: checkout, glob: clean },
          { dest: checkout, glob: `${clean}/**` },
        ]
      : [];
  });
}

/** HOME gets an empty writable tmpfs unless it is / or already lies inside the checkout or a host dir. */
function needsOwnHome(home: string, checkout: string): boolean {
  if (!path.isAbsolute(home) || home === '/') return false;
  if (isInside(home, checkout)) return false;
  return !hostImageOps().some((op) => isInside(home, op.dest));
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
