// A job's services (a database, a cache): each in its own sandbox, on its own image and setup
// layers, in the job's network namespace, started in `needs` order, each healthy before the
// next; their logs kept beside the job's artifacts; all torn down after the job, also when it
// fails or the run is cancelled.
import fs from 'node:fs';
import path from 'node:path';
import type { ImageRunConfig } from '../store/images.js';
import type { ResolvedJob, ResolvedService } from '../config/resolve.js';
import { createFileBeneath } from '../confine/index.js';
import { PathConfinementError } from '../core/errors.js';
import { serviceOrder } from '../config/resolve.js';
import { jobSandboxSpec, joinSandboxSpec, type JobContext } from '../plan/sandbox-spec.js';
import { waitForDrain } from '../core/drain.js';
import type { Reporter } from './events.js';
import { runSandbox, type SandboxRun } from '../sandbox/spawn.js';
import { describeExitCode } from '../core/signal-names.js';
import { destinationBeneath } from './collect.js';
import { prepareJob, type PrepareOptions } from './prepare.js';
import type { PlannedJob } from '../plan/run-plan.js';
import type { JobNetwork } from './network.js';
import { removeTree } from '../sandbox/remove-tree.js';

export interface ServicesOptions extends PrepareOptions {
  /** Null with `network: host`: the job and its services then share the host's network. */
  readonly network: JobNetwork | null;
  readonly attempt: number;
  readonly logsDir: string;
  readonly reporter: Required<Reporter>;
}

export interface RunningServices {
  /** Why the job must not run (a service that failed to start or never became healthy); null when all are up. */
  readonly failure: string | null;
  stop(): Promise<void>;
}

interface Started {
  readonly service: ResolvedService;
  readonly controller: AbortController;
  readonly done: Promise<SandboxRun>;
  readonly root: string;
  exited: SandboxRun | null;
}

const STOP_GRACE_MS = 5000;

/** A retried job's services log each attempt apart: the first attempt's log is the one that shows why it was retried. */
export function serviceLogName(service: string, attempt: number): string {
  return attempt === 1 ? `${service}.log` : `${service}.attempt-${attempt}.log`;
}

export async function startServices(planned: PlannedJob, options: ServicesOptions): Promise<RunningServices> {
  const { job } = planned;
  const started: Started[] = [];
  const stop = async () => {
    for (const entry of [...started].reverse()) entry.controller.abort();
    await Promise.all(started.map((entry) => entry.done.catch(() => undefined)));
    for (const entry of started) await removeTree(entry.root);
  };
  for (const service of serviceOrder(job.services) ?? []) {
    const failure = await startOne(job, service, planned.services[service.name]!, options, started);
    if (failure) {
      options.reporter.onJobLine(job, 'stderr', `[service ${service.name}] ${failure}`);
      return { failure: `service "${service.name}" ${failure} (its log: ${path.join(options.logsDir, serviceLogName(service.name, options.attempt))})`, stop };
    }
  }
  return { failure: null, stop };
}

async function startOne(
  job: ResolvedJob,
  service: ResolvedService,
  plannedService: PlannedJob,
  options: ServicesOptions,
  started: Started[],
): Promise<string | null> {
  const prepared = await prepareJob(plannedService, options);
  if ('message' in prepared) return `could not be prepared: ${prepared.what} ${prepared.message}`;
  const command = serviceCommand(service, prepared.base);
  if (command.length === 0)
    return (
      `could not be started: neither it nor its image ${service.job.image} names a command (the image's config has no Entrypoint or Cmd; ` +
      'an image pulled by an older cubicle: pull it again with --pull always); give it command:'
    );
  const imageConfig = service.compose ? imageUserAndDir(service, prepared.base) : {};
  if ('problem' in imageConfig) return `could not be started: ${imageConfig.problem}`;
  const serviceJob: ResolvedJob = { ...service.job, command, ...imageConfig };
  const context: JobContext = {
    projectDir: options.projectDir,
    hostEnv: options.hostEnv,
    attempt: options.attempt,
    userns: options.network?.userns ?? options.userns,
    network: options.network ?? undefined,
  };
  const dirs = {
    ...options.runDir.jobDirs(`${job.name}.svc-${service.name}`, options.attempt),
    cgroups: options.limits.cgroupsFor(options.runDir.id, `${job.name}.svc-${service.name}`, options.attempt),
  };
  // The log goes beneath the checkout's artifacts dir: opened exclusively, no shipped symlink on the way or in its place.
  const { root, rel } = destinationBeneath(options.logsDir, options.projectDir);
  let log: fs.WriteStream;
  try {
    const fd = createFileBeneath(root, `${rel}/${serviceLogName(service.name, options.attempt)}`, { replace: true, notDone: 'the service was not started' });
    log = fs.createWriteStream('', { fd });
  } catch (error) {
    if (error instanceof PathConfinementError) return `could not be started: its log ${error.message}`;
    throw error;
  }
  const controller = new AbortController();
  const spec = { ...jobSandboxSpec(serviceJob, context, dirs, prepared.filesystem), hostname: service.name, timeoutMs: undefined };
  let helperPid: number | undefined;
  const entry: Started = {
    service,
    controller,
    root: dirs.root,
    exited: null,
    done: runSandbox(spec, {
      signal: controller.signal,
      killGraceMs: STOP_GRACE_MS,
      onLine: (_stream, line) => log.write(`${line}\n`),
      backpressure: () => waitForDrain(log),
      onSpawn: (pid) => (helperPid = pid),
    }).finally(() => log.end()),
  };
  void entry.done.then(
    (run) => (entry.exited = run),
    () => undefined,
  );
  started.push(entry);
  options.reporter.onJobLine(job, 'stdout', `[service ${service.name}] started`);
  if (service.completes) return awaitCompletion(entry, options.signal, job.limits.timeoutMs);
  if (!service.health) return null;
  const health = service.health;
  const since = Date.now();
  let failures = 0;
  let last = '';
  for (;;) {
    if (entry.exited) return `exited before it was healthy: ${describeRun(entry.exited)}`;
    if (options.signal.aborted) return 'was cancelled before it was healthy';
    // The check runs inside the service's sandbox, as `docker exec` would: it sees the
    // service's sockets and files. It joins through the service's command (its PID 1 is not dumpable).
    const target = helperPid === undefined ? undefined : serviceProcess(helperPid);
    if (target === undefined) {
      last = 'the service has no running process to check yet';
    } else {
      const timeoutMs = health.timeoutMs ?? Math.max(health.intervalMs * 5, 5000);
      const check = await runSandbox(joinSandboxSpec(serviceJob, context, prepared.filesystem, target, health.command, timeoutMs), {
        signal: options.signal,
      });
      if (check.status.exitCode === 0) {
        options.reporter.onJobLine(job, 'stdout', `[service ${service.name}] healthy`);
        return null;
      }
      last = `${describeRun(check)}${check.outputTail.trim() ? `: ${check.outputTail.trim().split('\n').slice(-2).join(' | ')}` : ''}`;
    }
    // Compose's start_period: failures while the service boots do not count.
    if (Date.now() - since >= (health.startPeriodMs ?? 0)) failures++;
    if (failures >= health.retries) break;
    await new Promise((resolve) => setTimeout(resolve, health.intervalMs));
  }
  return `is unhealthy: its health check \`${describeCommand(health.command)}\` failed ${health.retries} times (last: ${last})`;
}

/** As Docker composes it: the image's Entrypoint unless the service gives one, then its command, else the image's Cmd when it gives neither. */
export function serviceCommand(service: ResolvedService, image: { readonly runConfig?: ImageRunConfig | undefined }): readonly string[] {
  if (!service.fromImage) return service.job.command;
  const { entrypoint, command } = service.fromImage;
  const config = image.runConfig;
  return [...(entrypoint ?? config?.entrypoint ?? []), ...(command ?? (entrypoint === null ? (config?.cmd ?? []) : []))];
}

/** A Compose service's image's User and WorkingDir, where the service gives none: Docker runs it so. */
function imageUserAndDir(
  service: ResolvedService,
  image: { readonly runConfig?: ImageRunConfig | undefined },
): { user?: { uid: number; gid: number }; workdir?: string } | { problem: string } {
  const result: { user?: { uid: number; gid: number }; workdir?: string } = {};
  const workdir = image.runConfig?.workdir;
  // An image without WorkingDir has '/' in its record: the service keeps the checkout as its cwd.
  if (service.job.workdir === undefined && workdir && workdir !== '/') result.workdir = workdir;
  const user = image.runConfig?.user;
  if (service.job.user !== null || !user || user === 'root' || user === '0') return result;
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!numeric) {
    return {
      problem:
        `its image ${service.job.image} runs as user "${user}", a name cubicle does not look up in the image yet; ` +
        'give the service user: with its UID[:GID]',
    };
  }
  result.user = { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
  return result;
}

/** A script as written (`sh -c SCRIPT`), an argv (Compose's CMD form) as its words. */
function describeCommand(command: readonly string[]): string {
  return command.length === 3 && command[0] === '/bin/sh' && command[1] === '-c' ? command[2]! : command.join(' ');
}

/** A one-shot service (a migration): those that need it start once it has exited 0. */
async function awaitCompletion(entry: Started, signal: AbortSignal, timeoutMs: number | undefined): Promise<string | null> {
  const cancel = () => entry.controller.abort();
  signal.addEventListener('abort', cancel, { once: true });
  // A one-shot service that never exits would hold the job forever: the job's timeout bounds the wait.
  let timedOut = false;
  const expire = () => {
    timedOut = true;
    cancel();
  };
  const timer = timeoutMs === undefined ? undefined : setTimeout(expire, timeoutMs);
  const run = await entry.done
    .catch((error: unknown) => error as Error)
    .finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
    });
  if (timedOut) return `did not complete within the job's timeout (${timeoutMs} ms)`;
  if (signal.aborted) return 'was cancelled before it completed';
  if (run instanceof Error) return `did not complete: ${run.message}`;
  return run.status.exitCode === 0 && !run.status.signal && !run.status.error ? null : `did not complete successfully: ${describeRun(run)}`;
}

/** The service's command: the helper's child is the sandbox's PID 1, whose child it is. */
function serviceProcess(helperPid: number): number | undefined {
  const childrenOf = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const [init] = childrenOf(helperPid);
  return init === undefined ? undefined : childrenOf(init)[0];
}

function describeRun(run: SandboxRun): string {
  if (run.status.error) return run.status.error.message;
  if (run.status.signal) return `killed by ${run.status.signal}`;
  return `exited with ${describeExitCode(run.status.exitCode ?? -1)}`;
}
