// One command in one job's sandbox, its stdio passed through: what `cubicle shell` and
// `cubicle exec` share. The job's image, setup layers, network and services are prepared as a
// run prepares them; nothing the command writes is kept, no service outlives it.
import os from 'node:os';
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { resolveBase } from '../image/resolve-base.js';
import { jobSandboxSpec } from '../plan/sandbox-spec.js';
import type { OneJobPlan } from '../plan/run-plan.js';
import { fenceToken, fencedWriter } from '../report/fence.js';
import { isGithubActions } from '../report/github.js';
import { safeMessage } from '../core/message.js';
import { waitForDrain } from '../core/drain.js';
import { combineReporters } from '../run/events.js';
import { sanitizeOutputLine } from '../report/sanitize.js';
import { explainHostFailure } from '../host/host-failure.js';
import { prepareJob } from '../run/prepare.js';
import { needsSystemdScope, planLimits, type SystemdScopeNeeded } from '../run/limits.js';
import { startNetworkFor, type JobNetwork } from '../run/network.js';
import { startServices, type RunningServices } from '../run/services.js';
import { createRunDir, reapStaleRuns, runsRoot } from '../store/runs.js';
import { startRunUserns } from '../host/shared-userns.js';
import { runSandbox } from '../sandbox/spawn.js';
import { describeSignal } from '../core/signal-names.js';
import { reapStore } from '../store/layers.js';
import { ensureStore } from '../store/paths.js';
import { cancelOnHangup, cancelOnSignals } from './signals.js';

export interface OneJobOptions {
  readonly command: readonly string[];
  /** A terminal session: Ctrl-C goes to the command, the job's timeout does not apply. */
  readonly interactive: boolean;
  /** What the command is called in messages: "the shell", "the command". */
  readonly what: string;
  /** When the image or a setup step fails: the words ending the message, and the exit code. */
  readonly notStarted: { readonly words: string; readonly exitCode: number };
  /** Printed once the sandbox is ready, before the command starts. */
  readonly banner?: ((job: ResolvedJob, limitsEnforced: boolean) => string) | undefined;
}

/** Runs it; returns the exit code to leave with: the command's, 128+N for a signal, 125 when the sandbox could not be made. */
export async function runInJobSandbox(plan: OneJobPlan, options: OneJobOptions): Promise<number | SystemdScopeNeeded> {
  const { only: planned, store } = plan;
  const { job } = planned;
  const limits = await planLimits([job], plan.noLimits);
  if (needsSystemdScope(limits)) return limits;
  await reapStaleRuns(runsRoot(store.root));
  ensureStore(store);
  await reapStore(store);
  const runDir = createRunDir(runsRoot(store.root));
  const userns = await startRunUserns();
  const cancel = options.interactive ? cancelOnHangup() : cancelOnSignals();
  // Setup and image lines are the checkout's: colours only, and fenced from workflow commands in GitHub Actions.
  const log = fencedWriter((text) => process.stderr.write(text), isGithubActions(process.env));
  try {
    const reporter = combineReporters([
      { onJobLine: (_job, _stream, line) => log.untrusted(`[${job.name}] ${sanitizeOutputLine(line)}\n`), backpressure: () => waitForDrain(process.stderr) },
    ]);
    const prepareOptions = {
      projectDir: plan.projectDir,
      hostEnv: plan.hostEnv,
      store,
      runDir,
      limits,
      signal: cancel.signal,
      reporter,
      userns: userns?.path,
      noCache: false,
      cacheScope: plan.cacheScope,
      resolveBase: (job: ResolvedJob, onStatus: (line: string) => void) =>
        resolveBase(job.image, { store, signal: cancel.signal, onStatus, insecureRegistries: plan.insecureRegistries, pull: plan.pull }),
      resolveImage: (ref: string, onStatus: (line: string) => void) =>
        resolveBase(ref, { store, signal: cancel.signal, onStatus, insecureRegistries: plan.insecureRegistries, pull: plan.pull }),
    };
    const prepared = await prepareJob(planned, prepareOptions);
    if ('message' in prepared) {
      if (prepared.outputTail) log.untrusted(`${prepared.outputTail.split('\n').map(sanitizeOutputLine).join('\n')}\n`);
      log.own(`cubicle: ${prepared.what} ${safeMessage(prepared.message)}; ${options.notStarted.words}\n`);
      return options.notStarted.exitCode;
    }
    // An interactive session is not bounded by the job's timeout: debugging takes what it takes.
    const commandJob: ResolvedJob = {
      ...job,
      command: [...options.command],
      limits: options.interactive ? { ...job.limits, timeoutMs: undefined } : job.limits,
    };
    const dirs = { ...runDir.jobDirs(job.name, 1), cgroups: limits.cgroupsFor(runDir.id, job.name, 1) };
    let ran;
    let network: JobNetwork | null = null;
    let services: RunningServices | null = null;
    try {
      // The job's network and services as runJob (run/job.ts) gives them: same namespace, same health waits, same logs.
      network = await startNetworkFor(job, dirs.root);
      if (job.services.length > 0) {
        const logsDir = path.join(plan.artifactsDir, job.name, 'services');
        services = await startServices(planned, { ...prepareOptions, userns: network?.userns ?? userns?.path, network, attempt: 1, logsDir });
        if (services.failure) {
          log.own(`cubicle: ${safeMessage(services.failure)}; ${options.notStarted.words}\n`);
          return options.notStarted.exitCode;
        }
      }
      log.close();
      if (options.banner) process.stderr.write(options.banner(job, limits.enforced));
      const context = {
        projectDir: plan.projectDir,
        hostEnv: plan.hostEnv,
        attempt: 1,
        userns: network?.userns ?? userns?.path,
        network: network ?? undefined,
      };
      const spec = jobSandboxSpec(commandJob, context, dirs, prepared.filesystem);
      // In GitHub Actions the command's output reaches the runner straight: both streams go to
      // stdout, inside one fence (two pipes would race the runner's reading of the fence lines).
      const fence = isGithubActions(process.env) && !options.interactive ? fenceToken() : undefined;
      if (fence) process.stdout.write(`::stop-commands::${fence}\n`);
      try {
        ran = await runSandbox(options.interactive ? { ...spec, newSession: false } : spec, {
          stdio: fence ? 'inherit-merged' : 'inherit',
          signal: cancel.signal,
        });
      } finally {
        // A line the command left unfinished must not swallow the resume.
        if (fence) process.stdout.write(`\n::${fence}::\n`);
      }
    } finally {
      await services?.stop();
      await network?.stop();
    }
    const { status } = ran;
    explainHostFailure(status);
    if (status.error && status.error.stage !== 'exec') {
      process.stderr.write(`cubicle: the sandbox could not be set up: ${status.error.message}\n`);
      return 125;
    }
    if (status.oomKilled) process.stderr.write(`cubicle: killed: the job's memory limit of ${formatBytes(job.limits.memoryBytes ?? 0)} was reached\n`);
    if (status.timedOut)
      process.stderr.write(`cubicle: timed out after ${formatDuration(job.limits.timeoutMs ?? status.wallMs)}: every process in the sandbox was killed\n`);
    if (status.signal) {
      if (!status.timedOut && !status.oomKilled) process.stderr.write(`cubicle: ${options.what} was killed by ${describeSignal(status.signal)}\n`);
      return 128 + (os.constants.signals[status.signal as NodeJS.Signals] ?? 9);
    }
    return status.exitCode ?? 125;
  } finally {
    log.close();
    cancel.dispose();
    await userns?.stop();
    await runDir.remove();
  }
}
