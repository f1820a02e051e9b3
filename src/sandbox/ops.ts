// The setup operations of native/cubicle-sandbox, as data, and their argv form.
// A job is compiled into one SandboxSpec; toHelperArgs() is the only place that knows the flags.

export type MountOp =
  | { readonly kind: 'overlay'; readonly lowers: readonly string[]; readonly upper: string; readonly work: string; readonly dest: string }
  | { readonly kind: 'ro-overlay'; readonly lowers: readonly string[]; readonly dest: string }
  | { readonly kind: 'bind' | 'ro-bind' | 'dev-bind'; readonly src: string; readonly dest: string }
  | { readonly kind: 'tmpfs'; readonly dest: string; readonly sizeBytes?: number; readonly mode?: number }
  | { readonly kind: 'dir'; readonly dest: string; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly target: string; readonly dest: string }
  | { readonly kind: 'proc' | 'dev'; readonly dest: string };

/** The job's cgroups (created by the helper, one per hierarchy) and the limits set there. */
export interface CgroupSpec {
  readonly dirs: readonly string[];
  readonly memoryBytes?: number | undefined;
  readonly cpus?: number | undefined;
  readonly pids?: number | undefined;
}

/**
 * The lowest layer of a layered root: a dir holding every mount point of `ops` (and HOME), so
 * the helper never creates one in the upper dir and a committed layer holds only what its step
 * wrote. Planned with the spec; made on disk just before the helper starts (sandbox/skeleton.ts).
 */
export interface RootSkeleton {
  readonly dir: string;
  /** The root overlay's upper and work dirs, made beside it. */
  readonly upper: string;
  readonly work: string;
  readonly ops: readonly MountOp[];
  readonly home: string;
  /** The command's working dir when it is not the checkout (a Compose service's): made as Docker makes it. */
  readonly workdir?: string | undefined;
}

export interface SandboxSpec {
  readonly ops: readonly MountOp[];
  /** A layered root's skeleton, made by runSandbox before the helper starts. */
  readonly skeleton?: RootSkeleton | undefined;
  readonly command: readonly string[];
  /** The job's whole environment: nothing else of the runner's reaches it. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly hostname: string;
  readonly shareNetwork: boolean;
  readonly timeoutMs?: number | undefined;
  /** false only for interactive shells, which need the caller's terminal as controlling tty. */
  readonly newSession?: boolean;
  /** Keep the namespace's capabilities; only for cubicle's own maintenance commands, never a job. */
  readonly keepCapabilities?: boolean;
  /** Docker's default capability set (chown, setuid, ...): a Dockerfile RUN, as `docker build` runs it. */
  readonly buildCapabilities?: boolean;
  /**
   * The overlays' upper dirs are removed after the run: overlayfs may skip syncing them to disk
   * (its `volatile` option), which spares every job a journal commit of the host's filesystem.
   * Never for a setup step, whose upper becomes a layer.
   */
  readonly volatileUpper?: boolean;
  readonly cgroup?: CgroupSpec | undefined;
  /** A user namespace to join (/proc/PID/ns/user of a holder, see userns.ts) instead of a new one. */
  readonly userns?: string | undefined;
  /** A network namespace to join (a holder's, shared with services) instead of a new one; needs `userns`. */
  readonly netns?: string | undefined;
  /**
   * Run the command in the namespaces of a running sandbox instead of a new one (`docker exec`):
   * the host pid of a process in it, not its PID 1 (which is not dumpable). Then `ops`,
   * `cgroup`, `netns`, `disk` and `shareNetwork` must be empty or off; `userns` is the user
   * namespace it was started in, joined first.
   */
  readonly join?: number | undefined;
  /** Run the command as this uid/gid inside (default 0). */
  readonly user?: { readonly uid: number; readonly gid: number } | null | undefined;
  /** The helper's syscall filter; default `default` (Docker-like, EPERM). */
  readonly seccomp?: 'default' | 'unconfined' | undefined;
  /** Every overlay's upper dir on one tmpfs of this size; `keep` globs are copied back to UPPER after the job. */
  readonly disk?: { readonly bytes: number; readonly keep: readonly { readonly dest: string; readonly glob: string }[] } | undefined;
}

export const STATUS_FD = 3;

export function toHelperArgs(spec: SandboxSpec): string[] {
  const args = ['--hostname', spec.hostname, '--status-fd', String(STATUS_FD), '--chdir', spec.cwd];
  if (spec.shareNetwork) args.push('--share-net');
  if (spec.timeoutMs !== undefined) args.push('--timeout-ms', String(Math.ceil(spec.timeoutMs)));
  if (spec.newSession === false) args.push('--no-new-session');
  if (spec.keepCapabilities) args.push('--keep-caps');
  if (spec.buildCapabilities) args.push('--build-caps');
  if (spec.volatileUpper) args.push('--volatile-upper');
  if (spec.join !== undefined) args.push('--join', String(spec.join));
  if (spec.userns !== undefined) args.push('--userns', spec.userns);
  if (spec.netns !== undefined) args.push('--netns', spec.netns);
  if (spec.user) args.push('--user', `${spec.user.uid}:${spec.user.gid}`);
  if (spec.seccomp === 'unconfined') args.push('--seccomp', 'unconfined');
  if (spec.cgroup) args.push(...cgroupArgs(spec.cgroup));
  if (spec.disk) {
    args.push('--disk-tmpfs', String(spec.disk.bytes));
    for (const keep of spec.disk.keep) args.push('--keep-upper', keep.dest, keep.glob);
  }
  for (const op of spec.ops) args.push(...opArgs(op));
  args.push('--', ...spec.command);
  return args;
}

function cgroupArgs(cgroup: CgroupSpec): string[] {
  const args = cgroup.dirs.flatMap((dir) => ['--cgroup', dir]);
  if (cgroup.memoryBytes !== undefined) args.push('--memory-max', String(cgroup.memoryBytes));
  if (cgroup.cpus !== undefined) args.push('--cpus', String(cgroup.cpus));
  if (cgroup.pids !== undefined) args.push('--pids-max', String(cgroup.pids));
  return args;
}

function opArgs(op: MountOp): string[] {
  switch (op.kind) {
    case 'overlay':
      return ['--overlay', joinLowers(op.lowers), op.upper, op.work, op.dest];
    case 'ro-overlay':
      return ['--ro-overlay', joinLowers(op.lowers), op.dest];
    case 'bind':
    case 'ro-bind':
    case 'dev-bind':
      return [`--${op.kind}`, op.src, op.dest];
    case 'tmpfs':
      return [
        ...(op.sizeBytes ? ['--size', String(op.sizeBytes)] : []),
        ...(op.mode !== undefined ? ['--perms', op.mode.toString(8)] : []),
        '--tmpfs',
        op.dest,
      ];
    case 'dir':
      return [...(op.mode !== undefined ? ['--perms', op.mode.toString(8)] : []), '--dir', op.dest];
    case 'symlink':
      return ['--symlink', op.target, op.dest];
    case 'proc':
    case 'dev':
      return [`--${op.kind}`, op.dest];
  }
}

/** Mounts must come parent-first: a tmpfs on /tmp after an overlay on /tmp/app would hide it. */
export function orderByDepth(ops: readonly MountOp[]): MountOp[] {
  const depth = (dest: string) => (dest === '/' ? 0 : dest.split('/').filter(Boolean).length);
  return ops
    .map((op, index) => ({ op, index }))
    .sort((a, b) => depth(a.op.dest) - depth(b.op.dest) || a.index - b.index)
    .map(({ op }) => op);
}

/** The helper splits lower dirs on ':'; a ':' or '\' inside a path is escaped with '\'. */
function joinLowers(lowers: readonly string[]): string {
  return lowers.map((lower) => lower.replace(/[\\:]/g, (char) => `\\${char}`)).join(':');
}
