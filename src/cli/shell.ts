// `cubicle shell JOB`: a shell in exactly the job's sandbox (its image and setup layers, env,
// limits, cgroups, mounts and network), to debug a failure by hand. Nothing it writes is kept.
import os from 'node:os';
import { loadConfig } from '../config/load.js';
import type { LimitFlags, ResolvedJob } from '../config/resolve.js';
import { formatBytes, formatDuration } from '../config/units.js';
import { resolveBase } from '../image/resolve.js';
import { jobSandboxSpec } from '../plan/job.js';
import { combineReporters } from '../report/reporter.js';
import { explainHostFailure } from '../run/host-failure.js';
import { prepareJob } from '../run/layers.js';
import { planLimits } from '../run/limits.js';
import { createRunDir, reapStaleRuns } from '../run/rundir.js';
import { startRunUserns } from '../run/userns.js';
import { runSandbox } from '../sandbox/spawn.js';
import { describeSignal } from '../signals.js';
import { reapStore } from '../store/layers.js';
import { ensureStore, refuseStoreInCheckout, storePaths } from '../store/paths.js';
import { cancelOnHangup, cancelOnSignals } from './signals.js';

export interface ShellCommandArgs {
  job: string;
  /** Run this with /bin/sh -c, as a job's `run:` is, instead of an interactive shell. */
  command?: string | undefined;
  config?: string | undefined;
  noLimits: boolean;
  flags: LimitFlags;
}

/** bash where the job's filesystem has it, else sh: decided inside the sandbox, where the image is. */
const INTERACTIVE_SHELL = ['/bin/sh', '-c', 'if [ -x /bin/bash ]; then exec /bin/bash; fi; exec /bin/sh'];

export async function shellCommand(args: ShellCommandArgs): Promise<number> {
  const cwd = process.cwd();
  const config = await loadConfig({ cwd, configPath: args.config, flags: args.flags, selected: [args.job] });
  const job = config.jobs.find((candidate) => candidate.name === args.job)!;
  const interactive = args.command === undefined;
  const limits = await planLimits([job], args.noLimits);
  await reapStaleRuns();
  const store = storePaths();
  refuseStoreInCheckout(store, config.projectDir);
  ensureStore(store);
  await reapStore(store);
  const runDir = createRunDir();
  const userns = await startRunUserns();
  const cancel = interactive ? cancelOnHangup() : cancelOnSignals();
  try {
    const reporter = combineReporters([{ onJobLine: (_job, _stream, line) => process.stderr.write(`[${job.name}] ${line}\n`) }]);
    const prepared = await prepareJob(job, {
      projectDir: config.projectDir,
      hostEnv: process.env,
      store,
      runDir,
      limits,
      signal: cancel.signal,
      reporter,
      userns: userns?.path,
      noCache: false,
      resolveBase: (job, onStatus) => resolveBase(job.image, { store, signal: cancel.signal, onStatus }),
    });
    if ('message' in prepared) {
      if (prepared.outputTail) process.stderr.write(`${prepared.outputTail}\n`);
      process.stderr.write(`cubicle: ${prepared.what} ${prepared.message}; no shell was started\n`);
      return 1;
    }
    // An interactive shell is not bounded by the job's timeout: a debugging session takes what it takes.
    const shellJob: ResolvedJob = interactive
      ? { ...job, command: INTERACTIVE_SHELL, limits: { ...job.limits, timeoutMs: undefined } }
      : { ...job, command: ['/bin/sh', '-c', args.command!] };
    if (interactive) process.stderr.write(`cubicle: a shell in job ${job.name}'s sandbox (${describeLimits(job, limits.enforced)}); what you change there is thrown away on exit\n`);
    const dirs = { ...runDir.jobDirs(job.name, 1), cgroups: limits.cgroupsFor(runDir.id, job.name, 1) };
    const spec = jobSandboxSpec(shellJob, { projectDir: config.projectDir, hostEnv: process.env, attempt: 1, userns: userns?.path }, dirs, prepared.filesystem);
    const { status } = await runSandbox(interactive ? { ...spec, newSession: false } : spec, { stdio: 'inherit', signal: cancel.signal });
    explainHostFailure(status);
    if (status.error && status.error.stage !== 'exec') {
      process.stderr.write(`cubicle: the sandbox could not be set up: ${status.error.message}\n`);
      return 125;
    }
    if (status.oomKilled) process.stderr.write(`cubicle: killed: the job's memory limit of ${formatBytes(job.limits.memoryBytes ?? 0)} was reached\n`);
    if (status.timedOut) process.stderr.write(`cubicle: timed out after ${formatDuration(job.limits.timeoutMs ?? status.wallMs)}: every process in the sandbox was killed\n`);
    if (status.signal) {
      if (!status.timedOut && !status.oomKilled) process.stderr.write(`cubicle: the shell was killed by ${describeSignal(status.signal)}\n`);
      return 128 + (os.constants.signals[status.signal as NodeJS.Signals] ?? 9);
    }
    return status.exitCode ?? 125;
  } finally {
    cancel.dispose();
    await userns?.stop();
    await runDir.remove();
  }
}

function describeLimits(job: ResolvedJob, enforced: boolean): string {
  const { memoryBytes, cpus, pids } = job.limits;
  const limits = [memoryBytes === undefined ? '' : `memory ${formatBytes(memoryBytes)}`, cpus === undefined ? '' : `cpus ${cpus}`, pids === undefined ? '' : `pids ${pids}`].filter(Boolean);
  const shown = limits.length === 0 ? 'no memory, cpus or pids limits' : `${limits.join(', ')}${enforced ? '' : ' (not enforced: --no-limits)'}`;
  return `network ${job.network}, ${shown}, no timeout`;
}
