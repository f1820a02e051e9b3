// Inside a container (GitLab's docker executor, Kubernetes runners, act, devcontainers) it is the
// container runtime, not the kernel, that refuses what a sandbox needs: its seccomp profile, the
// paths it masks in /proc, a read-only cgroup filesystem, an overlayfs root under the cache dir.
// This names which one blocked a probe and the smallest option of that runtime that lifts it.
import fs from 'node:fs';

export type ContainerEngine = 'podman' | 'docker' | 'kubernetes' | 'other';

export interface ContainerContext {
  readonly engine: ContainerEngine;
  /** What gave it away: `/run/.containerenv`, `/.dockerenv`, `container=lxc`, ... */
  readonly evidence: string;
}

/** What blocked a probe (for the check's detail) and the smallest change that lifts it. */
export interface Diagnosis {
  readonly cause: string;
  readonly fix: string;
}

export interface ContainerProbe {
  readonly env: NodeJS.ProcessEnv;
  readonly exists: (file: string) => boolean;
  readonly read: (file: string) => string | undefined;
}

const hostProbe: ContainerProbe = {
  env: process.env,
  exists: (file) => fs.existsSync(file),
  read: (file) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** The container we run in, or null on a plain host (or one that hides it well). */
export function detectContainer(probe: ContainerProbe = hostProbe): ContainerContext | null {
  if (probe.env.KUBERNETES_SERVICE_HOST) return { engine: 'kubernetes', evidence: 'KUBERNETES_SERVICE_HOST is set' };
  if (probe.exists('/run/.containerenv')) return { engine: 'podman', evidence: '/run/.containerenv' };
  if (probe.exists('/.dockerenv')) return { engine: 'docker', evidence: '/.dockerenv' };
  const named = probe.env.container;
  if (named) return { engine: named === 'podman' || named === 'docker' ? named : 'other', evidence: `container=${named}` };
  const cgroup = probe.read('/proc/1/cgroup') ?? '';
  const match = /\/(docker|libpod|kubepods|containerd|lxc)[-/.]/.exec(cgroup);
  if (!match) return null;
  const engine: ContainerEngine = match[1] === 'docker' ? 'docker' : match[1] === 'libpod' ? 'podman' : match[1] === 'kubepods' ? 'kubernetes' : 'other';
  return { engine, evidence: `/proc/1/cgroup names ${match[1]}` };
}

/** `Seccomp: 2` in /proc/self/status: a filter is installed on this process (the runtime's profile). */
export function seccompFiltered(probe: ContainerProbe = hostProbe): boolean {
  return /^Seccomp:\s*2\s*$/m.test(probe.read('/proc/self/status') ?? '');
}

/** Mounts over parts of /proc (runc's and crun's maskedPaths): the kernel then refuses a fresh proc in a new user namespace. */
export function maskedProcPaths(probe: ContainerProbe = hostProbe): string[] {
  const masked: string[] = [];
  for (const line of (probe.read('/proc/self/mountinfo') ?? '').split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint?.startsWith('/proc/') && !mountPoint.startsWith('/proc/sys/fs/binfmt_misc')) masked.push(mountPoint);
  }
  return masked;
}

/** The filesystem type mounted at or above path (longest mount point that is a prefix). */
export function filesystemOf(path: string, probe: ContainerProbe = hostProbe): string | undefined {
  let best: { point: string; type: string } | undefined;
  for (const line of (probe.read('/proc/self/mountinfo') ?? '').split('\n')) {
    const fields = line.split(' ');
    const point = fields[4]?.replace(/\\040/g, ' ');
    const type = fields[fields.indexOf('-') + 1];
    if (!point || !type || fields.indexOf('-') < 0) continue;
    const covers = point === '/' || path === point || path.startsWith(`${point}/`);
    if (covers && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

const SECCOMP_FIX: Record<ContainerEngine, string> = {
  podman: 'run the container with `--security-opt seccomp=unconfined` (smaller than --cap-add SYS_ADMIN or --privileged, which also lift it)',
  docker: 'run the container with `--security-opt seccomp=unconfined` (smaller than --cap-add SYS_ADMIN or --privileged, which also lift it)',
  kubernetes: "set the pod's `securityContext: { seccompProfile: { type: Unconfined } }`",
  other: 'give the container a seccomp profile that allows unshare, mount, sethostname and pivot_root, or none',
};

const PROC_FIX: Record<ContainerEngine, string> = {
  podman: 'run the container with `--security-opt unmask=ALL` (or --privileged)',
  docker: 'run the container with `--security-opt systempaths=unconfined` (or --privileged)',
  kubernetes: "set the container's `securityContext: { procMount: Unmasked }` (with `hostUsers: false`)",
  other: 'start the container without masked /proc paths',
};

/** When no finer diagnosis applies: user namespaces refused, and we are in a container. */
export function containerUserNamespaceFix(context: ContainerContext): string {
  const options = `${SECCOMP_FIX[context.engine]}, and ${PROC_FIX[context.engine]}`;
  return `User namespaces are refused inside this container (${context.evidence}): ${options}; or use a VM.`;
}

const SECCOMP_CAUSE = "the runtime's default seccomp profile allows unshare, mount, sethostname and pivot_root only with CAP_SYS_ADMIN";

/**
 * What blocked the sandbox probe, with the runtime's fix, when a container explains it; null
 * when the failure is not one a container causes (then the kernel's own fixes apply).
 */
export function explainSandboxFailure(failure: string, context: ContainerContext | null, probe: ContainerProbe = hostProbe): Diagnosis | null {
  if (!context || !/Operation not permitted/.test(failure)) return null;
  const where = `inside a container (${context.evidence})`;
  const masked = maskedProcPaths(probe);
  if (/\bproc\b/.test(failure) && masked.length > 0) {
    const shown = masked.slice(0, 4).join(', ') + (masked.length > 4 ? ', ...' : '');
    const cause = `mount of a fresh proc denied ${where}: the runtime masks paths of /proc (${shown})`;
    return { cause: `${cause}, and the kernel then refuses a new proc in a user namespace`, fix: `${PROC_FIX[context.engine]}.` };
  }
  if (seccompFiltered(probe)) {
    const call = /^([a-z_0-9]+)/.exec(failure)?.[1] ?? 'a namespace or mount call';
    return { cause: `seccomp forbids ${call} ${where}: ${SECCOMP_CAUSE}`, fix: `${SECCOMP_FIX[context.engine]}.` };
  }
  return null;
}

/** Why overlay failed when the cache dir sits on the container's own overlayfs root; null otherwise. */
export function explainOverlayFailure(
  failure: string,
  cacheDir: string,
  context: ContainerContext | null,
  probe: ContainerProbe = hostProbe,
): Diagnosis | null {
  if (filesystemOf(cacheDir, probe) !== 'overlay' || !/upperdir|Invalid argument/.test(failure)) return null;
  const engine = context?.engine;
  const volume =
    engine === 'kubernetes'
      ? `mount an emptyDir volume at ${cacheDir}`
      : engine === 'podman' || engine === 'docker'
        ? `give it a volume: \`-v cubicle-cache:${cacheDir}\``
        : `put ${cacheDir} on ext4, xfs, btrfs or tmpfs`;
  const root = context ? ` (the container's root filesystem, ${context.evidence})` : '';
  return {
    cause: `the cache dir ${cacheDir} is on overlayfs${root}, which overlayfs refuses as an upper layer`,
    fix: `${volume}, or set CUBICLE_CACHE_DIR to a directory on a volume or tmpfs.`,
  };
}

/**
 * True when /proc/self/cgroup names a memory or pids cgroup (or the v2 one) that is not where the
 * mounted hierarchy says: the runtime mounted the container's own cgroup as the root of the view
 * but left the host's cgroup namespace, so paths read from /proc/self/cgroup lead nowhere.
 */
function ownCgroupHidden(probe: ContainerProbe): boolean {
  return (probe.read('/proc/self/cgroup') ?? '').split('\n').some((line) => {
    const [, controllers = '', own = '/'] = line.split(':');
    if (own === '/') return false;
    if (controllers === '') return probe.exists('/sys/fs/cgroup/cgroup.controllers') && !probe.exists(`/sys/fs/cgroup${own}`);
    const names = controllers.split(',');
    if (!names.includes('memory') && !names.includes('pids')) return false;
    return probe.exists(`/sys/fs/cgroup/${controllers}`) && !probe.exists(`/sys/fs/cgroup/${controllers}${own}`);
  });
}

/** Our uids are a slice of the host's (rootless podman, userns-remap): uid_map is not the identity. */
function inUserNamespace(probe: ContainerProbe): boolean {
  const map = (probe.read('/proc/self/uid_map') ?? '').trim().split(/\s+/);
  return map.length >= 3 && !(map[0] === '0' && map[1] === '0' && map[2] === '4294967295');
}

function cgroupsReadOnly(probe: ContainerProbe): boolean {
  return (probe.read('/proc/self/mountinfo') ?? '').split('\n').some((line) => {
    const fields = line.split(' ');
    const type = fields[fields.indexOf('-') + 1] ?? '';
    return fields[4]?.startsWith('/sys/fs/cgroup') && /(^|,)ro(,|$)/.test(fields[5] ?? '') && /^cgroup2?$/.test(type);
  });
}

const CGROUPS_FIX = {
  userns:
    "none of the container's options makes cgroups writable for a container in a user namespace (rootless podman, userns-remap) " +
    'on a cgroup-v1 host: run the container rootful with `--privileged --cgroupns=private`, or cubicle with --no-limits (nothing limits the jobs then)',
  kubernetes: 'run the pod privileged (`securityContext: { privileged: true }`), or run cubicle with --no-limits and set the limits on the pod',
  runtime:
    '`--privileged --cgroupns=private` (the runtime mounts cgroups read-write only for a privileged container), ' +
    'or run with --no-limits and limit the container itself (`--memory`, `--pids-limit`, `--cpus`)',
  runtimeV2:
    '`--privileged` (the runtime mounts cgroups read-write only for a privileged container; ' +
    'on cgroup v2 its cgroup namespace is its own), ' +
    'or run with --no-limits and limit the container itself (`--memory`, `--pids-limit`, `--cpus`)',
};

/** A container's cgroup filesystem: why jobs cannot get limits there, and the option that gives them. */
export function explainContainerCgroups(context: ContainerContext | null, probe: ContainerProbe = hostProbe): Diagnosis | null {
  if (!context) return null;
  const reasons = [
    cgroupsReadOnly(probe) ? 'the cgroup filesystem is mounted read-only' : '',
    ownCgroupHidden(probe) ? "the container shares the host's cgroup namespace, so its own cgroup is not the one it sees at /sys/fs/cgroup" : '',
  ].filter(Boolean);
  if (reasons.length === 0) return null;
  const cgroupV1 = !probe.exists('/sys/fs/cgroup/cgroup.controllers');
  const runtime = cgroupV1 ? CGROUPS_FIX.runtime : CGROUPS_FIX.runtimeV2;
  const fix = inUserNamespace(probe) && cgroupV1 ? CGROUPS_FIX.userns : context.engine === 'kubernetes' ? CGROUPS_FIX.kubernetes : runtime;
  return { cause: `${reasons.join(', and ')} (inside a container: ${context.evidence})`, fix: `${fix}.` };
}
