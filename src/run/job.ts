// One job's life: for each attempt, a fresh upper dir, the sandbox, its outputs copied out,
// the upper dir removed.
import { readCgroupMemory } from '../host/cgroup-memory.js';
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { jobSandboxSpec, type JobContext } from '../plan/sandbox-spec.js';
import { runSandbox, type SandboxStatus } from '../sandbox/spawn.js';
import { describeExitCode, describeSignal } from '../core/signal-names.js';
import { collectOutputs, UnsafeDestinationError, type CollectedFiles } from './collect.js';
import { explainHostFailure } from '../host/host-failure.js';
import { prepareJob, type PreparedJob, type PrepareOptions, type SetupFailure } from './prepare.js';
import type { SandboxSpec } from '../sandbox/ops.js';
import { startNetworkFor, type JobNetwork } from './network.js';
import { serviceLogName, startServices, type RunningServices } from './services.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { withOwnerHint } from './owner-hint.js';
import { readAttemptTests } from '../junit/index.js';
import { PASSING, statusOf, type EarlierFailure, type JobResult, type JobStatus } from './result.js';
import type { PlannedJob } from '../plan/run-plan.js';
import type { TestFilesOfShard } from '../plan/shard.js';

/** What a job's layers need (PrepareOptions: the store, run dir, limits, userns, ...), and its run's shard and artifacts. */
export interface JobRunOptions extends PrepareOptions {
  readonly shard?: string | undefined;
  /** --shard-by test: the shard goes to the job's test framework (CUBICLE_TEST_SHARD). */
  readonly shardByTest?: boolean;
  readonly artifactsDir: string;
}

export async function runJob(planned: PlannedJob, options: JobRunOptions): Promise<JobResult> {
  const { job, testFiles } = planned;
  const unsplit = testFiles && noTestFilesResult(job, testFiles, options);
  if (unsplit) return unsplit;
  const startedAt = new Date().toISOString();
  const previousFailures: EarlierFailure[] = [];
  options.reporter.onJobStart(job, 1);
  const prepared = await prepareJob(planned, options);
  if ('message' in prepared) return setupFailureResult(job, prepared, options, startedAt);
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) options.reporter.onJobStart(job, attempt);
    const dirs = { ...options.runDir.jobDirs(job.name, attempt), cgroups: options.limits.cgroupsFor(options.runDir.id, job.name, attempt) };
    options.reporter.onJobSandbox(job, attempt, { memoryBytes: () => readCgroupMemory(dirs.cgroups) });
    let outcome;
    let network: JobNetwork | null = null;
    let services: RunningServices | null = null;
    try {
      network = await startNetworkFor(job, dirs.root);
      const context: JobContext = {
        projectDir: options.projectDir,
        hostEnv: options.hostEnv,
        attempt,
        shard: options.shard,
        testShard: options.shardByTest ? options.shard : undefined,
        testFiles: testFiles?.mine,
        userns: network?.userns ?? options.userns,
        network: network ?? undefined,
      };
      if (job.services.length > 0) {
        services = await startServices(planned, { ...options, network, attempt, logsDir: path.join(options.artifactsDir, job.name, 'services') });
        if (services.failure) return servicesFailureResult(job, services.failure, options, startedAt, attempt);
      }
      const { status, outputTail } = await runSandbox(
        builtImageSpec(jobSandboxSpec(onBuiltImage(job, prepared), context, dirs, prepared.filesystem), prepared),
        {
          signal: options.signal,
          onLine: (stream, line) => options.reporter.onJobLine(job, stream, line),
          backpressure: () => options.reporter.backpressure(),
        },
      );
      explainHostFailure(status);
      let collected: CollectedFiles = { junitFiles: [], artifacts: [], refused: [], failed: [] };
      let copyError: string | null = null;
      try {
        collected = await collectOutputs({
          upper: dirs.upper,
          junit: job.junit,
          artifacts: job.artifacts,
          destination: path.join(options.artifactsDir, job.name),
          trustedRoot: options.projectDir,
          budgetBytes: job.limits.diskBytes,
          keepEntries: job.services.length > 0 ? ['services'] : [],
          ownFiles: job.services.flatMap((service) => Array.from({ length: attempt }, (_, index) => `services/${serviceLogName(service.name, index + 1)}`)),
        });
        if (collected.failed.length) copyError = describeFailedCopies(collected.failed);
      } catch (error) {
        if (!(error instanceof UnsafeDestinationError)) throw error;
        copyError = error.message;
      }
      outcome = { status, outputTail, collected, copyError };
    } finally {
      await services?.stop();
      await network?.stop();
      await removeTree(dirs.root);
    }
    const ranStatus = outcome.copyError ? 'error' : statusOf(outcome.status, options.signal.aborted);
    const missing = ['passed', 'failed'].includes(ranStatus) ? missingReport(job, outcome.collected, options.projectDir) : null;
    const jobStatus: JobStatus = missing ? 'failed' : ranStatus;
    const outcomeText = outcome.copyError ?? describeOutcome(ranStatus, outcome.status, job, outcome.collected, options.signal);
    const described = missing && outcomeText ? `${outcomeText}; ${missing}` : (missing ?? outcomeText);
    const message = PASSING.has(jobStatus) ? described : withOwnerHint(described, outcome.outputTail, options.projectDir);
    const cgroup = outcome.status.cgroup;
    const retry = attempt <= job.retries && !['passed', 'cancelled'].includes(jobStatus);
    if (retry) {
      // Read before the next attempt clears the copied files: the report puts them on their test cases.
      const tests = job.junit.length ? readAttemptTests(path.join(options.artifactsDir, job.name), outcome.collected.junitFiles) : undefined;
      previousFailures.push({ message: message ?? jobStatus, outputTail: outcome.outputTail, status: jobStatus, tests });
      continue;
    }
    return {
      name: job.name,
      status: jobStatus === 'passed' && previousFailures.length > 0 ? 'flaky' : jobStatus,
      exitCode: outcome.status.exitCode,
      signal: outcome.status.signal,
      wallMs: outcome.status.wallMs,
      cpuUserMs: cgroup?.cpuUserMs ?? outcome.status.cpuUserMs,
      cpuSystemMs: cgroup?.cpuSystemMs ?? outcome.status.cpuSystemMs,
      peakMemoryBytes: cgroup?.memoryPeakBytes ?? outcome.status.peakRssBytes,
      cpuThrottledMs: cgroup?.cpuThrottledMs ?? null,
      pidsLimitHits: cgroup?.pidsLimitHits ?? null,
      limits: job.limits,
      limitsEnforced: options.limits.enforced,
      image: { ref: job.image, digest: prepared.base.digest },
      seccomp: outcome.status.seccomp ?? job.seccomp,
      disk: outcome.status.disk ?? null,
      cacheHits: prepared.cacheHits,
      attempts: attempt,
      startedAt,
      message,
      outputTail: outcome.outputTail,
      junitFiles: outcome.collected.junitFiles,
      artifacts: outcome.collected.artifacts,
      previousFailures,
    };
  }
}

/**
 * A job with `junit:` promised a report: none found is the job's failure, in the same words in the
 * console, --json and the JUnit report (which reads this message), with where cubicle looked.
 */
function missingReport(job: ResolvedJob, collected: CollectedFiles, projectDir: string): string | null {
  if (job.junit.length === 0 || collected.junitFiles.length > 0) return null;
  const patterns = job.junit.map((glob) => `"${glob}"`).join(', ');
  const where = `among the files the job wrote beneath the checkout (${projectDir}, the patterns relative to it)`;
  const fix = "write the report there (not in /tmp or $HOME) or change the job's junit: patterns";
  return `missing JUnit report: junit: ${patterns} matched no file ${where}; ${fix}`;
}

/** The files a job left that could not be copied out: the job's error, the first few named. */
function describeFailedCopies(failed: readonly string[]): string {
  const shown = failed.slice(0, 5).map((entry) => (entry.length > 300 ? `${entry.slice(0, 150)}…${entry.slice(-150)}` : entry));
  const more = failed.length > shown.length ? `; and ${failed.length - shown.length} more` : '';
  return `its files were not all copied out: ${shown.join('; ')}${more}`;
}

/** Why the run's signal was aborted: --fail-fast names the job, Ctrl-C/SIGTERM is an interruption. */
function cancelReason(signal: AbortSignal): string {
  return signal.reason instanceof Error && signal.reason.name === 'FailFast' ? signal.reason.message : 'the run was interrupted';
}

function describeOutcome(jobStatus: JobStatus, status: SandboxStatus, job: ResolvedJob, collected: CollectedFiles, signal: AbortSignal): string | null {
  const pidsHit = status.cgroup?.pidsLimitHits ? `; the pids limit of ${job.limits.pids} was reached (${status.cgroup.pidsLimitHits} forks refused)` : '';
  const refused = pidsHit + (collected.refused.length ? `; not copied (not a regular file): ${collected.refused.join(', ')}` : '');
  switch (jobStatus) {
    case 'passed':
      return refused ? refused.slice(2) : null;
    case 'failed': {
      const exited = status.error ? status.error.message : `exited with ${describeExitCode(status.exitCode ?? -1)}`;
      if (status.disk?.full) return `disk limit ${formatBytes(status.disk.limitBytes)} reached: the job's writes filled it (${exited})${refused}`;
      return exited + refused;
    }
    case 'signaled':
      return `killed by ${describeSignal(status.signal ?? 'a signal')}${refused}`;
    case 'oom': {
      const limit = job.limits.memoryBytes === undefined ? 'the memory limit' : `memory limit ${formatBytes(job.limits.memoryBytes)}`;
      return `killed: ${limit} reached (${status.cgroup?.oomKills ?? 1} process${(status.cgroup?.oomKills ?? 1) > 1 ? 'es' : ''} killed by the OOM killer)${refused}`;
    }
    case 'timeout':
      return `timed out after ${formatDuration(job.limits.timeoutMs ?? status.wallMs)}: every process in the sandbox was killed${refused}`;
    case 'error':
      return `the sandbox could not be set up: ${status.error?.message ?? 'unknown error'}`;
    case 'cancelled':
      return `cancelled: ${cancelReason(signal)} before the job finished`;
    default:
      return null;
  }
}

/** --shard-by test: a job whose globs match no file at all (an error), or none of them fell to this shard (skipped). */
function noTestFilesResult(job: ResolvedJob, files: TestFilesOfShard, options: JobRunOptions): JobResult | null {
  if (files.total === 0) {
    const globs = job.testFiles.map((glob) => `"${glob}"`).join(', ');
    return {
      ...notRunResult(job, 'skipped', '', options.limits.enforced),
      status: 'error',
      message: `testFiles ${globs} match no file in ${options.projectDir}, so --shard-by test has nothing to split; the job's command was not run`,
    };
  }
  if (files.mine.length > 0) return null;
  return notRunResult(
    job,
    'skipped',
    `no test files in shard ${options.shard}: its ${files.total} file${files.total === 1 ? '' : 's'} went to other shards; the job's command was not run`,
    options.limits.enforced,
  );
}

/** A job whose services did not come up: its own command never ran. */
function servicesFailureResult(job: ResolvedJob, failure: string, options: JobRunOptions, startedAt: string, attempt: number): JobResult {
  return {
    ...notRunResult(job, 'skipped', '', options.limits.enforced),
    status: options.signal.aborted ? 'cancelled' : 'error',
    attempts: attempt,
    startedAt,
    message: `${failure}; the job's command was not run`,
  };
}

/** A job whose setup step failed: its own command never ran. */
function setupFailureResult(job: ResolvedJob, failure: SetupFailure, options: JobRunOptions, startedAt: string): JobResult {
  const status = failure.status;
  const jobStatus: JobStatus = status ? statusOf(status, options.signal.aborted) : 'error';
  const cgroup = status?.cgroup;
  return {
    ...notRunResult(job, 'skipped', '', options.limits.enforced),
    status: jobStatus === 'passed' ? 'error' : jobStatus,
    exitCode: status?.exitCode ?? null,
    signal: status?.signal ?? null,
    wallMs: status?.wallMs ?? 0,
    cpuUserMs: cgroup?.cpuUserMs ?? status?.cpuUserMs ?? 0,
    cpuSystemMs: cgroup?.cpuSystemMs ?? status?.cpuSystemMs ?? 0,
    peakMemoryBytes: cgroup?.memoryPeakBytes ?? status?.peakRssBytes ?? 0,
    attempts: 1,
    startedAt,
    message: `${failure.what} ${failure.message}; the job's command was not run`,
    outputTail: failure.outputTail,
  };
}

/** A result for a job that never started. */
export function notRunResult(job: ResolvedJob, status: 'skipped' | 'cancelled', message: string, limitsEnforced: boolean): JobResult {
  return {
    name: job.name,
    status,
    exitCode: null,
    signal: null,
    wallMs: 0,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    peakMemoryBytes: 0,
    cpuThrottledMs: null,
    pidsLimitHits: null,
    limits: job.limits,
    limitsEnforced,
    image: { ref: job.image, digest: null },
    cacheHits: 0,
    attempts: 0,
    startedAt: new Date().toISOString(),
    message,
    outputTail: '',
    junitFiles: [],
    artifacts: [],
    previousFailures: [],
  };
}

/** A `build:` job: the image's CMD where the job gives no `run`, its USER where the job gives no `user`. */
function onBuiltImage(job: ResolvedJob, prepared: PreparedJob): ResolvedJob {
  if (!job.build) return job;
  return { ...job, ...(prepared.command ? { command: prepared.command, script: false } : {}), user: prepared.user ?? null };
}

/** ... and its WORKDIR as the command's working dir, as `docker run` starts it. */
function builtImageSpec(spec: SandboxSpec, prepared: PreparedJob): SandboxSpec {
  // Made in the job's own upper when the image lacks it, as runc makes a container's cwd.
  return prepared.workdir ? { ...spec, ops: [...spec.ops, { kind: 'dir', dest: prepared.workdir, mode: 0o755 }], cwd: prepared.workdir } : spec;
}
