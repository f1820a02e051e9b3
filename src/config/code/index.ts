// A code config (cubicle.config.{ts,mjs,js}, .cjs, .mts, .cts) is a program from the checkout:
// it is never imported by the runner (nor by the Action, which holds GITHUB_TOKEN). It runs in
// a sandbox of its own (spec.ts) that prints the config as JSON (program.ts); the runner keeps
// only that JSON (output.ts), bounded, and validates it as it validates a YAML config.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { formatBytes } from '../../core/units.js';
import { ConfigError, SandboxUnavailableError } from '../../core/errors.js';
import { findCgroupPlacement, jobCgroupDirs } from '../../host/cgroups.js';
import { userName } from '../../host/checks.js';
import { explainHostFailure } from '../../host/host-failure.js';
import { processTag } from '../../core/process-tag.js';
import { runSandbox, type SandboxStatus } from '../../sandbox/spawn.js';
import { LineTail, PayloadReader, type Markers } from './output.js';
import { TYPESCRIPT_UNAVAILABLE } from './program.js';
import { EVALUATION_LIMITS, evaluationSpec, LIMITS_NOT_SET_EXIT } from './spec.js';

export { EVALUATION_LIMITS } from './spec.js';

/** Evaluates `file` in a sandbox and returns what its default export resolved to, as parsed JSON. */
export async function evaluateCodeConfig(file: string): Promise<unknown> {
  const source = path.resolve(file);
  const id = randomBytes(12).toString('hex');
  const markers: Markers = { start: `cubicle-config-start-${id}`, end: `cubicle-config-end-${id}` };
  const cgroups = await evaluationCgroups(id);
  const spec = evaluationSpec({ file: source, projectDir: path.dirname(source), markers, cgroupDirs: cgroups.dirs, hostEnv: process.env });
  const payload = new PayloadReader(markers);
  const stderr = new LineTail();
  const { status } = await runSandbox(spec, { onLine: (stream, line) => (stream === 'stdout' ? payload.push(line) : stderr.push(line)) });
  refuseHostFailure(source, status, stderr.text());
  const problem = (reason: string) => new ConfigError([`${source} ${reason} (evaluated in a sandbox)`], { source, hint: CODE_CONFIG_HINT });
  const output = stderr.text();
  if (status.timedOut) throw problem(`did not finish within ${EVALUATION_LIMITS.timeoutMs / 1000} s (a config must not wait for anything)`);
  if (status.oomKilled || /heap out of memory|allocation failed|bad_alloc|Cannot allocate memory/i.test(output)) {
    throw problem(`ran out of memory (${describeMemoryLimits(cgroups)})${quoted(output)}`);
  }
  if (status.signal) throw problem(`was killed by ${status.signal}${quoted(output)}`);
  if (status.exitCode !== 0) throw problem(`failed (exit ${status.exitCode})${quoted(output)}`);
  const printed = payload.payload();
  if (printed.kind === 'too-big') throw problem(`evaluates to more than ${formatBytes(printed.limitBytes)} of JSON`);
  if (printed.kind === 'missing') throw problem(`ended without producing a config (did it call process.exit?)${quoted(output)}`);
  let envelope: unknown;
  try {
    envelope = JSON.parse(printed.text);
  } catch (error) {
    throw problem(`produced output that is not JSON (${(error as Error).message})`);
  }
  // The config can read the markers (/proc/self/cmdline) and print a block of its own: still only data.
  if (!isEnvelope(envelope)) throw problem('produced output that is not a config');
  if (envelope[TYPESCRIPT_UNAVAILABLE] === true) {
    throw new ConfigError(
      [`${source} is TypeScript: Node ${process.versions.node} cannot strip its types (22.18 and later can), and the typescript package is not installed`],
      {
        source,
        hint: 'Run cubicle with Node 22.18 or later, or `npm install --save-dev typescript`, or write the config as cubicle.config.mjs or .yaml.',
      },
    );
  }
  if (envelope.config === undefined) throw problem('has no default export (or it is undefined): `export default { jobs: { ... } }`');
  return envelope.config;
}

function isEnvelope(value: unknown): value is { config?: unknown; [TYPESCRIPT_UNAVAILABLE]?: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CODE_CONFIG_HINT =
  'A code config runs with no network, no environment variables but PATH, HOME and LANG, the checkout read-only, ' +
  `${EVALUATION_LIMITS.timeoutMs / 1000} s and ${EVALUATION_LIMITS.heapMiB} MiB of heap: compute the config from the checkout's files, or write it as cubicle.config.yaml.`;

/** The sandbox itself could not be made: a host problem (exit 3), never a reason to import the config here instead. */
function refuseHostFailure(source: string, status: SandboxStatus, output: string): void {
  explainHostFailure(status);
  const setupFailed = status.error !== null && status.error.stage !== 'exec' ? status.error.message : null;
  const limitsFailed = status.exitCode === LIMITS_NOT_SET_EXIT && /^cubicle: cannot set RLIMIT/m.test(output) ? output : null;
  // A node whose shared libraries lie outside the system dirs (Homebrew's) cannot start in there.
  const nodeFailed = status.exitCode === 127 && /error while loading shared libraries/.test(output) ? `${process.execPath} cannot start: ${output}` : null;
  const reason = setupFailed ?? limitsFailed ?? nodeFailed ?? (status.error ? `cannot start /bin/sh: ${status.error.message}` : null);
  if (reason === null) return;
  throw new SandboxUnavailableError('CONFIG_SANDBOX_FAILED', `cannot evaluate the code config ${source} in a sandbox: ${reason}; no job was run`, {
    hint: 'A code config is only ever evaluated in a sandbox. Run `cubicle doctor` for what this host lacks, or write the config as cubicle.config.yaml (read without a sandbox).',
  });
}

interface EvaluationCgroups {
  readonly dirs: readonly string[];
  /** Why there are none: the cgroup memory and pids limits then do not apply. */
  readonly missing: string | null;
}

/** Where cgroups are delegated, the evaluation gets one (named so a later run reaps it if we die). */
async function evaluationCgroups(id: string): Promise<EvaluationCgroups> {
  const placement = await findCgroupPlacement({ uid: process.getuid?.() ?? 0, name: userName() });
  if (placement.kind === 'unavailable') return { dirs: [], missing: placement.reason };
  return { dirs: jobCgroupDirs(placement, `cubicle-${processTag()}-${id.slice(0, 6)}-config`), missing: null };
}

function describeMemoryLimits(cgroups: EvaluationCgroups): string {
  const limits = `${EVALUATION_LIMITS.heapMiB} MiB of V8 heap, ${formatBytes(EVALUATION_LIMITS.dataBytes)} of RLIMIT_DATA`;
  return cgroups.missing ? `${limits}; no cgroup limit: ${cgroups.missing}` : `${limits}, ${formatBytes(EVALUATION_LIMITS.cgroupMemoryBytes)} of cgroup memory`;
}

function quoted(output: string): string {
  return output
    ? `:\n${output
        .split('\n')
        .map((line) => `      ${line}`)
        .join('\n')}`
    : '';
}
