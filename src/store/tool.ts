// Runs native/layer/cubicle-layer (extract, digest) over store dirs. Files a job created as
// another uid belong to the user's subuid range; only a process in a user namespace with the
// same mapping can read and chown them, so for such users the tool runs in a maintenance sandbox.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { hostImageOps } from '../sandbox/host-root.js';
import { sharedUsernsSavesWork } from '../host/shared-userns.js';
import { locateNative } from '../sandbox/binaries.js';
import { orderByDepth } from '../sandbox/ops.js';
import { runSandbox } from '../sandbox/spawn.js';

/** The layer tool, as src/sandbox/binaries.ts finds it; throws SandboxUnavailableError (exit 3) with the fix when there is none. */
export function layerToolPath(): string {
  return locateNative('layer').path;
}

export interface ToolRun {
  readonly stdout: string;
}

export interface ToolOptions {
  /** Host dirs the tool reads or writes; bound read-write at the same path when sandboxed. */
  readonly dirs: readonly string[];
  readonly input?: Readable;
  /** Inside the user namespace even when it would not be needed (extraction that keeps owners). */
  readonly inUserns?: boolean;
}

/** Whether store files may belong to other uids than ours (a subuid range is mapped in jobs). */
export function storeNeedsUserns(): boolean {
  return sharedUsernsSavesWork();
}

export async function runLayerTool(args: readonly string[], options: ToolOptions): Promise<ToolRun> {
  const tool = layerToolPath();
  if (options.inUserns ?? storeNeedsUserns())
    return runInStoreSandbox([tool, ...args], { ...options, dirs: [...options.dirs], readOnly: [path.dirname(tool)] });
  return runDirect([tool, ...args], options);
}

function runDirect(command: readonly string[], options: ToolOptions): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(firstLine(stderr) || error.message));
      else resolve({ stdout });
    });
    if (options.input && child.stdin) {
      options.input.once('error', (error) => {
        child.kill('SIGKILL');
        reject(error);
      });
      child.stdin.on('error', () => {}); // EPIPE when the tool stops early; its own error says why
      options.input.pipe(child.stdin);
    }
  });
}

/**
 * Runs a command as root of a user namespace with the user's whole subuid range (capabilities
 * kept), the host's system dirs read-only and `dirs` read-write: how store files of any owner
 * are read, written and chowned without real root (`podman unshare`).
 */
export async function runInStoreSandbox(command: readonly string[], options: ToolOptions & { readOnly?: readonly string[] }): Promise<ToolRun> {
  let stdout = '';
  const { status, outputTail, inputError } = await runSandbox(
    {
      ops: orderByDepth([
        ...hostImageOps(),
        { kind: 'proc', dest: '/proc' },
        { kind: 'dev', dest: '/dev' },
        { kind: 'tmpfs', dest: '/tmp', mode: 0o1777 },
        ...(options.readOnly ?? []).map((dir) => ({ kind: 'ro-bind' as const, src: dir, dest: dir })),
        ...options.dirs.map((dir) => ({ kind: 'bind' as const, src: dir, dest: dir })),
      ]),
      command: [...command],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      cwd: '/',
      hostname: 'cubicle-store',
      shareNetwork: false,
      keepCapabilities: true,
    },
    { input: options.input, onLine: (stream, line) => void (stream === 'stdout' && (stdout += `${line}\n`)) },
  );
  if (inputError) throw inputError;
  if (status.exitCode !== 0) {
    const stderr = outputTail
      .split('\n')
      .filter((line) => !stdout.includes(line))
      .join('\n');
    throw new Error(status.error?.message ?? (firstLine(stderr) || `${path.basename(command[0] ?? '')} exited with ${status.exitCode ?? status.signal}`));
  }
  return { stdout };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** sha256 of the trees' content and metadata (no times): what `cache verify` recomputes. */
export async function digestTrees(dirs: readonly string[]): Promise<string> {
  const existing = dirs.filter((dir) => fs.existsSync(dir));
  const { stdout } = await runLayerTool(['digest', ...existing], { dirs: existing });
  const digest = stdout.trim().split('\n').pop() ?? '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`cubicle-layer digest printed ${JSON.stringify(digest)}, not a digest`);
  return digest;
}
