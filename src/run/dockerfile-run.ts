// A Dockerfile RUN in a sandbox, as a setup step runs: "/" an overlay of the layers below, its upper
// the staged layer's root; the image's ENV, WORKDIR and USER applied; RUN --network as asked (Docker's
// default: a way out). The checkout is not there: a build sees only what COPY put in its layers.
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { readFileBeneath } from '../confine/index.js';
import { safeMessage } from '../core/message.js';
import type { Operation } from '../image/dockerfile/stages.js';
import { readCgroupMemory } from '../host/cgroup-memory.js';
import { DEFAULT_PATH, sandboxSpec, type JobFilesystem } from '../plan/sandbox-spec.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { runSandbox } from '../sandbox/spawn.js';
import { startJobNetwork, type JobNetwork } from './network.js';
import type { PrepareOptions, SetupFailure } from './prepare.js';

const BUILD_HOSTNAME = 'cubicle-build';

export async function runInstruction(
  job: ResolvedJob,
  operation: Extract<Operation, { kind: 'run' }>,
  where: { readonly rootLowers: readonly string[]; readonly staged: { readonly dir: string; readonly root: string }; readonly what: string },
  options: PrepareOptions,
): Promise<SetupFailure | null> {
  const user = lookUpUser(operation.user, where.rootLowers);
  if (typeof user === 'string') return { what: where.what, status: null, message: user, outputTail: '' };
  const scratch = {
    rootWork: path.join(where.staged.dir, 'root-work'),
    upper: path.join(where.staged.dir, 'ws-upper'),
    work: path.join(where.staged.dir, 'ws-work'),
    workspace: path.join(where.staged.dir, 'ws-empty'),
    skeleton: path.join(where.staged.dir, 'skeleton'),
    net: path.join(where.staged.dir, 'net'),
  };
  for (const dir of Object.values(scratch)) fs.mkdirSync(dir, { mode: 0o755 });
  // A working dir the image lacks (its config's WorkingDir) is made, in this RUN's layer, as Docker makes it.
  if (!where.rootLowers.some((lower) => fs.lstatSync(path.join(lower, operation.workdir), { throwIfNoEntry: false })))
    fs.mkdirSync(path.join(where.staged.root, operation.workdir), { recursive: true, mode: 0o755 });
  const env = { PATH: DEFAULT_PATH, HOME: user ? '/' : '/root', ...operation.env };
  if (!path.posix.isAbsolute(env.HOME)) env.HOME = '/root';
  const filesystem: JobFilesystem = {
    hostSystem: false,
    rootLowers: where.rootLowers,
    wsLowers: [],
    workspace: scratch.workspace,
    caches: [],
    imageEnv: {},
    captureRoot: true,
  };
  let network: JobNetwork | null = null;
  try {
    if (operation.network === 'default') {
      const who = `${where.what} of job "${safeMessage(job.name)}" (a RUN's default network: a way out, as Docker's)`;
      network = await startJobNetwork({ outbound: true, dir: scratch.net, who });
    }
    const cgroups = options.limits.cgroupsFor(options.runDir.id, `${job.name}-build${operation.line}`, 1);
    options.reporter.onJobSandbox(job, 1, { memoryBytes: () => readCgroupMemory(cgroups) });
    const dirs = { upper: scratch.upper, work: scratch.work, rootUpper: where.staged.root, rootWork: scratch.rootWork, skeleton: scratch.skeleton, cgroups };
    const spec = sandboxSpec(
      {
        name: BUILD_HOSTNAME,
        command: operation.argv,
        env,
        network: operation.network === 'default' ? 'outbound' : operation.network,
        limits: job.limits,
        projectDir: options.projectDir,
        userns: network?.userns ?? options.userns,
        sharedNetwork: network ?? undefined,
        user,
      },
      dirs,
      filesystem,
    );
    const { status, outputTail } = await runSandbox(
      { ...spec, cwd: operation.workdir, buildCapabilities: true },
      {
        signal: options.signal,
        onLine: (stream, line) => options.reporter.onJobLine(job, stream, line),
        backpressure: () => options.reporter.backpressure(),
      },
    );
    if (status.exitCode === 0 && !status.error && !options.signal.aborted) return null;
    const how = status.error
      ? `the sandbox could not be set up: ${status.error.message}`
      : status.oomKilled
        ? 'killed: the memory limit was reached'
        : status.timedOut
          ? 'timed out'
          : status.signal
            ? `killed by ${status.signal}`
            : `exited with ${status.exitCode}`;
    return { what: where.what, status, message: `${safeMessage(operation.text)}: ${how}`, outputTail };
  } finally {
    await network?.stop();
    for (const dir of Object.values(scratch)) await removeTree(dir);
  }
}

/** USER: root (empty), UID[:GID], or a name in the image's /etc/passwd (and group); a string is why not. */
export function lookUpUser(user: string, rootLowers: readonly string[]): { uid: number; gid: number } | null | string {
  if (user === '' || user === 'root' || user === '0' || user === '0:0') return null;
  const [name, group] = user.split(':') as [string, string | undefined];
  const passwd = /^\d+$/.test(name)
    ? undefined
    : imageFile(rootLowers, 'etc/passwd')
        ?.split('\n')
        .find((line) => line.split(':')[0] === name);
  const uid = /^\d+$/.test(name) ? Number(name) : passwd ? Number(passwd.split(':')[2]) : Number.NaN;
  if (!Number.isSafeInteger(uid)) return `USER ${user}: no user "${name}" in the image's /etc/passwd`;
  let gid = passwd ? Number(passwd.split(':')[3]) : uid;
  if (group !== undefined) {
    const line = /^\d+$/.test(group)
      ? undefined
      : imageFile(rootLowers, 'etc/group')
          ?.split('\n')
          .find((entry) => entry.split(':')[0] === group);
    gid = /^\d+$/.test(group) ? Number(group) : line ? Number(line.split(':')[2]) : Number.NaN;
    if (!Number.isSafeInteger(gid)) return `USER ${user}: no group "${group}" in the image's /etc/group`;
  }
  return { uid, gid };
}

/** A small file of the image, from the top layer that has it, read without following symlinks out. */
function imageFile(rootLowers: readonly string[], rel: string): string | undefined {
  for (const lower of rootLowers) {
    try {
      return readFileBeneath(lower, rel).toString('utf8');
    } catch {
      // not in this layer
    }
  }
  return undefined;
}
