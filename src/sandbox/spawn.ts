// Runs one SandboxSpec through native/cubicle-sandbox and reads its status JSON.
// node:child_process, not execa, on this hot path: execa's import alone cost more than the
// whole sandbox start (measured: 124 ms vs 5 ms).
import { makeSkeleton } from './skeleton.js';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { helperPath } from './helper.js';
import { removeLeftoverCgroups } from './maintenance.js';
import { STATUS_FD, toHelperArgs, type SandboxSpec } from './ops.js';

export interface HelperError {
  readonly stage: string;
  readonly errno: number | null;
  readonly message: string;
}

/** What the job's cgroup counted (native/README.md); null fields where the kernel has no such file. */
export interface CgroupStats {
  readonly memoryPeakBytes: number | null;
  readonly oomKills: number;
  readonly cpuUserMs: number | null;
  readonly cpuSystemMs: number | null;
  readonly cpuThrottledMs: number | null;
  readonly throttledPeriods: number | null;
  readonly pidsPeak: number | null;
  readonly pidsLimitHits: number | null;
}

/** The helper's status line (native/README.md). */
export interface SandboxStatus {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly wallMs: number;
  readonly startupMs: number | null;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly peakRssBytes: number;
  readonly timedOut: boolean;
  readonly oomKilled: boolean;
  readonly cgroup: CgroupStats | null;
  readonly error: HelperError | null;
  /** The syscall filter the job ran under (absent from helpers before it had one). */
  readonly seccomp?: 'default' | 'unconfined';
  /** With a disk limit: the tmpfs holding the job's writes, and whether it filled up. */
  readonly disk?: { readonly limitBytes: number; readonly usedBytes: number; readonly full: boolean } | null;
}

export type OutputStream = 'stdout' | 'stderr';

export interface SandboxRunOptions {
  onLine?: (stream: OutputStream, line: string) => void;
  /** Asked after each chunk of output: while it returns a promise, the job's pipes are not read (backpressure). */
  backpressure?: () => Promise<void> | undefined;
  /** Aborting sends SIGTERM (forwarded to the job), then SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  killGraceMs?: number;
  /** Where the job's stdin comes from; a TTY for `cubicle shell`. `inherit-merged`: stderr goes to our stdout (one stream, for one fence). */
  stdio?: 'pipe' | 'inherit' | 'inherit-merged';
  /** Piped to the command's stdin (a tar stream for cubicle-layer extract); default: none. */
  input?: Readable;
  /** Told the helper's host pid once it runs (services: to join the sandbox later). */
  onSpawn?: (pid: number) => void;
}

export interface SandboxRun {
  readonly status: SandboxStatus;
  /** The last bytes of stdout and stderr together, in the order they came. */
  readonly outputTail: string;
  /** Why `input` could not be piped in full (its own stream error, e.g. a digest mismatch). */
  readonly inputError?: unknown;
}

const OUTPUT_TAIL_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 64 * 1024;

export async function runSandbox(spec: SandboxSpec, options: SandboxRunOptions = {}): Promise<SandboxRun> {
  if (spec.skeleton) makeSkeleton(spec.skeleton);
  const started = performance.now();
  const interactive = options.stdio === 'inherit' || options.stdio === 'inherit-merged';
  const child = spawn(helperPath(), toHelperArgs(spec), {
    env: spec.env,
    stdio: interactive
      ? ['inherit', 'inherit', options.stdio === 'inherit-merged' ? 1 : 'inherit', 'pipe']
      : [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  const fed = options.input && child.stdin ? feed(options.input, child.stdin) : Promise.resolve(undefined);
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const stopOnAbort = () => terminate(child, options.killGraceMs ?? 5000);
  if (options.signal?.aborted) stopOnAbort();
  options.signal?.addEventListener('abort', stopOnAbort, { once: true });
  const tail = new OutputTail(OUTPUT_TAIL_BYTES);
  const readers: Promise<void>[] = [];
  if (!interactive) {
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream];
      if (readable) {
        readers.push(
          readLines(
            readable,
            (line) => {
              tail.push(line);
              options.onLine?.(stream, line);
            },
            options.backpressure,
          ),
        );
      }
    }
  }
  const statusStream = child.stdio[STATUS_FD] as Readable | null;
  try {
    const [result, text, inputError] = await Promise.all([exited, statusStream ? collect(statusStream) : Promise.resolve(''), fed, ...readers]);
    // Killed (after the cancel grace), the helper could not remove its cgroups: we do.
    if (result.signal && spec.cgroup) await removeLeftoverCgroups(spec.cgroup.dirs);
    return { status: parseStatus(text, result, performance.now() - started), outputTail: tail.text(), inputError };
  } finally {
    options.signal?.removeEventListener('abort', stopOnAbort);
  }
}

/** SIGTERM (the helper forwards it to the job), then SIGKILL if it is still there after `graceMs`. */
function terminate(child: ReturnType<typeof spawn>, graceMs: number): void {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  timer.unref();
  child.once('close', () => clearTimeout(timer));
}

function parseStatus(text: string, result: { exitCode: number | null; signal: string | null }, wallMs: number): SandboxStatus {
  const line = text.trim().split('\n').pop();
  if (line) {
    try {
      const status = JSON.parse(line) as SandboxStatus;
      return { ...status, oomKilled: status.oomKilled ?? false, cgroup: status.cgroup ?? null };
    } catch {
      // fall through: a helper that died mid-write
    }
  }
  const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
  return {
    exitCode: null,
    signal: result.signal ?? null,
    wallMs,
    startupMs: null,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    peakRssBytes: 0,
    timedOut: false,
    oomKilled: false,
    cgroup: null,
    error: { stage: 'helper', errno: null, message: `the sandbox helper ${how} without reporting a status` },
  };
}

/** Pipes `input` into the child; an input error or a child that stops reading ends the pipe, not us. */
async function feed(input: Readable, stdin: NodeJS.WritableStream): Promise<unknown> {
  try {
    await pipeline(input, stdin);
    return undefined;
  } catch (error) {
    return error;
  }
}

async function collect(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** Splits a stream into lines without holding a huge unterminated line in memory; reads no further while `backpressure` says so. */
async function readLines(stream: Readable, onLine: (line: string) => void, backpressure?: () => Promise<void> | undefined): Promise<void> {
  let pending = '';
  for await (const chunk of stream) {
    pending += String(chunk);
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    while (pending.length > MAX_LINE_BYTES) {
      onLine(pending.slice(0, MAX_LINE_BYTES));
      pending = pending.slice(MAX_LINE_BYTES);
    }
    const wait = backpressure?.();
    if (wait) await wait;
  }
  if (pending) onLine(pending);
}

/** Keeps the last `limit` characters of output, in whole lines. */
class OutputTail {
  private lines: string[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(line: string): void {
    this.lines.push(line);
    this.size += line.length + 1;
    while (this.size > this.limit && this.lines.length > 1) this.size -= this.lines.shift()!.length + 1;
  }

  text(): string {
    return this.lines.join('\n');
  }
}
