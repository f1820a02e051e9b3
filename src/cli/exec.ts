import { resolveConfig, type LimitFlags } from '../config/resolve.js';
import { jobSandboxSpec } from '../plan/job.js';
import { runSandbox } from '../sandbox/spawn.js';
import { explainHostFailure } from '../run/host-failure.js';
import { createRunDir, reapStaleRuns } from '../run/rundir.js';
import { planLimits } from '../run/limits.js';
import { describeSignal } from '../signals.js';
import os from 'node:os';
import { cancelOnSignals } from './signals.js';

export interface ExecCommandArgs {
  command: string[];
  image: string;
  network: 'none' | 'host';
  noLimits: boolean;
  flags: LimitFlags;
}

/** `cubicle exec -- CMD`: one command, the current directory as the checkout, its stdio passed through. */
export async function execCommand(args: ExecCommandArgs): Promise<number> {
  const cwd = process.cwd();
  const config = resolveConfig({
    raw: { jobs: { exec: { run: args.command, image: args.image, network: args.network } } },
    source: '(cubicle exec)',
    projectDir: cwd,
    flags: args.flags,
  });
  const job = config.jobs[0]!;
  const limits = await planLimits([job], args.noLimits);
  await reapStaleRuns();
  const runDir = createRunDir();
  const cancel = cancelOnSignals();
  try {
    const dirs = { ...runDir.jobDirs(job.name, 1), cgroups: limits.cgroupsFor(runDir.id, job.name, 1) };
    const { status } = await runSandbox(jobSandboxSpec(job, { projectDir: cwd, hostEnv: process.env, attempt: 1 }, dirs), { stdio: 'inherit', signal: cancel.signal });
    explainHostFailure(status);
    if (status.error && status.error.stage !== 'exec') {
      process.stderr.write(`cubicle: the sandbox could not be set up: ${status.error.message}\n`);
      return 125;
    }
    if (status.timedOut) process.stderr.write(`cubicle: timed out after ${job.limits.timeoutMs} ms: every process in the sandbox was killed\n`);
    if (status.signal) {
      if (!status.timedOut) process.stderr.write(`cubicle: the command was killed by ${describeSignal(status.signal)}\n`);
      return 128 + (os.constants.signals[status.signal as NodeJS.Signals] ?? 9);
    }
    return status.exitCode ?? 125;
  } finally {
    cancel.dispose();
    await runDir.remove();
  }
}
