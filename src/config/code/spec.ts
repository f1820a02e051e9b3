// The sandbox a code config is evaluated in: what a host-image job sees of the system, the
// checkout read-only, a small /tmp with HOME in it, no network (its own namespace, loopback
// only), no variable of the runner's but PATH and LANG, and limits on time, memory and
// processes that hold with or without delegated cgroups.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../core/package-root.js';
import { hostImageOps } from '../../sandbox/host-root.js';
import { orderByDepth, type MountOp, type SandboxSpec } from '../../sandbox/ops.js';
import { PAYLOAD_LINE_CHARS, type Markers } from './output.js';
import { evaluatorSource } from './program.js';

const MIB = 1024 * 1024;

/** What one evaluation may use; README.md ("Configuration") states them. */
export const EVALUATION_LIMITS = {
  timeoutMs: 10_000,
  /** V8's old space: a config that builds a huge object dies of "heap out of memory". */
  heapMiB: 256,
  /** RLIMIT_DATA: every private writable mapping (Buffers, the heap, malloc), cgroups or not. */
  dataBytes: 1024 * MIB,
  /** The cgroup's memory.max, where cgroups are delegated. */
  cgroupMemoryBytes: 1024 * MIB,
  /** RLIMIT_NPROC (threads count: Node has about a dozen), and pids.max where cgroups are delegated. */
  processes: 64,
  tmpBytes: 16 * MIB,
} as const;

export const EVALUATION_HOME = '/tmp/home';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Exit status of the limit-setting shell when the shell cannot set a limit (before node runs). */
export const LIMITS_NOT_SET_EXIT = 125;

export interface EvaluationRequest {
  readonly file: string;
  readonly projectDir: string;
  readonly markers: Markers;
  /** The evaluation's cgroups, one per hierarchy; empty where cgroups are not delegated. */
  readonly cgroupDirs: readonly string[];
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
}

export function evaluationSpec(request: EvaluationRequest): SandboxSpec {
  const node = fs.realpathSync(process.execPath);
  const runnerTypescript = findRunnerTypescript();
  const system = hostImageOps();
  const mounts: MountOp[] = [
    { kind: 'proc', dest: '/proc' },
    { kind: 'dev', dest: '/dev' },
    { kind: 'tmpfs', dest: '/tmp', sizeBytes: EVALUATION_LIMITS.tmpBytes, mode: 0o1777 },
    { kind: 'dir', dest: EVALUATION_HOME, mode: 0o700 },
    { kind: 'ro-bind', src: request.projectDir, dest: request.projectDir },
  ];
  // The runner's own node (a toolcache's, /tmp/...'s) where the system dirs do not show it.
  if (!isVisible(node, system, request.projectDir)) mounts.push({ kind: 'ro-bind', src: node, dest: node });
  if (runnerTypescript && !isVisible(runnerTypescript.dir, system, request.projectDir)) {
    mounts.push({ kind: 'ro-bind', src: runnerTypescript.dir, dest: runnerTypescript.dir });
  }
  const source = evaluatorSource({
    file: request.file,
    markers: request.markers,
    lineChars: PAYLOAD_LINE_CHARS,
    runnerTypescript: runnerTypescript?.main ?? null,
  });
  const env: Record<string, string> = { PATH: request.hostEnv.PATH || DEFAULT_PATH, HOME: EVALUATION_HOME };
  if (request.hostEnv.LANG) env.LANG = request.hostEnv.LANG;
  return {
    ops: orderByDepth([...system, ...mounts]),
    command: [
      '/bin/sh',
      '-c',
      LIMITS_SCRIPT,
      'sh',
      node,
      `--max-old-space-size=${EVALUATION_LIMITS.heapMiB}`,
      '--no-warnings',
      '--input-type=module',
      '-e',
      source,
    ],
    env,
    cwd: request.projectDir,
    hostname: 'cubicle-config',
    shareNetwork: false,
    timeoutMs: EVALUATION_LIMITS.timeoutMs,
    cgroup:
      request.cgroupDirs.length > 0
        ? { dirs: request.cgroupDirs, memoryBytes: EVALUATION_LIMITS.cgroupMemoryBytes, pids: EVALUATION_LIMITS.processes }
        : undefined,
  };
}

/**
 * Sets the rlimits, then execs node. RLIMIT_NPROC is `ulimit -u` in bash, `-p` in dash and
 * busybox; it counts the tasks of the sandbox's user namespace (Linux 5.14+ ucounts), and real
 * root is exempt from it (then only a delegated cgroup's pids.max, and the timeout, bound it).
 */
const LIMITS_SCRIPT = [
  `ulimit -d ${EVALUATION_LIMITS.dataBytes / 1024} || { echo "cubicle: cannot set RLIMIT_DATA" >&2; exit ${LIMITS_NOT_SET_EXIT}; }`,
  `ulimit -u ${EVALUATION_LIMITS.processes} 2>/dev/null || ulimit -p ${EVALUATION_LIMITS.processes} 2>/dev/null || { echo "cubicle: cannot set RLIMIT_NPROC" >&2; exit ${LIMITS_NOT_SET_EXIT}; }`,
  'exec "$@"',
].join('\n');

/** The typescript package beside the runner (a dev install, the action's checkout has none). */
function findRunnerTypescript(): { dir: string; main: string } | null {
  try {
    const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));
    const manifest = require.resolve('typescript/package.json');
    return { dir: fs.realpathSync(path.dirname(manifest)), main: fs.realpathSync(require.resolve('typescript')) };
  } catch {
    return null;
  }
}

function isVisible(file: string, system: readonly MountOp[], projectDir: string): boolean {
  const dirs = [projectDir, ...system.flatMap((op) => (op.kind === 'ro-bind' ? [op.dest] : []))];
  return dirs.some((dir) => file === dir || file.startsWith(dir.endsWith('/') ? dir : `${dir}/`));
}
