// `image: debian:<suite>`: a minimal Debian rootfs made by mmdebstrap in unshare mode (no root),
// streamed as a tar into the store's extractor and kept as one layer.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import { SandboxUnavailableError } from '../core/errors.js';
import { LAYER_FORMAT } from '../store/layers.js';
import type { StorePaths } from '../store/paths.js';
import { ensureExtractedLayer, findImage, saveImage } from '../store/images.js';
import { baseOf, type Base } from './base.js';

export const DEBIAN_IMAGE = /^debian:([a-z][a-z0-9-]*)$/;
const DEBIAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function requireMmdebstrap(ref: string): void {
  try {
    execFileSync('mmdebstrap', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new SandboxUnavailableError('MMDEBSTRAP_MISSING', `image ${ref} is built with mmdebstrap, which is not installed; no job was run`, {
      hint: 'Install it: apt-get install mmdebstrap (with uidmap, for its unshare mode).',
    });
  }
}

export async function resolveDebianBase(ref: string, paths: StorePaths, signal?: AbortSignal, onStatus?: (line: string) => void): Promise<Base> {
  const found = findImage(paths, ref);
  if (found) return baseOf(found.record, found.layers);
  const suite = DEBIAN_IMAGE.exec(ref)?.[1];
  if (!suite) throw new Error(`not a debian image reference: ${ref}`);
  requireMmdebstrap(ref);
  const key = { format: LAYER_FORMAT, debian: suite, variant: 'minbase', arch: os.arch() };
  const id = createHash('sha256').update(JSON.stringify(key)).digest('hex');
  onStatus?.(`${ref}: not in the store; building it with mmdebstrap (once)`);
  const layer = await ensureExtractedLayer(paths, {
    id,
    parent: null,
    kind: 'debian',
    description: `mmdebstrap --variant=minbase ${suite}`,
    key,
    signal,
    open: () => mmdebstrapTar(suite, signal),
  });
  const record = { ref, kind: 'debian' as const, digest: layer.meta.digest, layerIds: [id], env: { PATH: DEBIAN_PATH } };
  saveImage(paths, record);
  return baseOf(record, [layer]);
}

/** mmdebstrap's tar on stdout; the stream fails with its last words when it exits non-zero. */
function mmdebstrapTar(suite: string, signal?: AbortSignal): Readable {
  const child = spawn('mmdebstrap', ['--mode=unshare', '--variant=minbase', '--format=tar', '--quiet', suite, '-'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(signal ? { signal } : {}),
  });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  child.stdout.pipe(out, { end: false });
  child.once('error', (error) => out.destroy(error));
  child.once('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new Error(`mmdebstrap ${suite} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
  });
  return out;
}
