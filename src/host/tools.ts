// doctor's lines for the programs cubicle may run besides node and its helper: each found or
// not, what needs it (so a host that never uses it can ignore it), and the fix. Where each is
// used: the layer tool src/store/tool.ts, zstd src/store/archive.ts and src/image/oci/decompress.ts,
// slirp4netns and nsenter src/run/network.ts, mmdebstrap src/image/debian.ts.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { CheckResult } from './checks.js';
import type { CubicleError } from '../core/errors.js';
import { locateNative } from '../sandbox/binaries.js';

/** The first executable `name` on PATH (then /usr/bin, /usr/sbin, as src/run/network.ts looks). */
export function findProgram(name: string, searchPath = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  for (const dir of searchPath.split(':').filter(Boolean).concat(['/usr/bin', '/usr/sbin'])) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** Required: with the helper, it comes in the platform package; without it every job with a setup step or an image fails. */
export function checkLayerTool(): CheckResult {
  const base = { id: 'layer-tool', title: 'layer tool (cubicle-layer)', required: true };
  const uses = 'setup steps (their layers), OCI and debian: images (extraction) and `cubicle cache verify` need it';
  try {
    const tool = locateNative('layer');
    return { ...base, state: 'ok', detail: `${tool.path} (${tool.origin}): ${uses}`, fix: null };
  } catch (error) {
    return {
      ...base,
      state: 'missing',
      detail: `${(error as Error).message.replace(/; no job was run$/, '')}: ${uses}`,
      fix: (error as CubicleError).hint ?? null,
    };
  }
}

export function checkZstd(): CheckResult {
  const base = { id: 'zstd', title: 'zstd', required: false };
  const nodeHasZstd = typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
  const images = nodeHasZstd
    ? `zstd-compressed image layers are read by this Node (${process.version}) itself`
    : `this Node (${process.version}) has no zstd in node:zlib, so images with zstd-compressed layers need it too`;
  const uses = `\`cubicle cache export\` and \`cache import\` (the Action's layer cache) need it; ${images}`;
  const found = findProgram('zstd');
  if (found) return { ...base, state: 'ok', detail: `${found}: ${uses}`, fix: null };
  return { ...base, state: 'warn', detail: `not installed: ${uses}`, fix: 'sudo apt-get install zstd (dnf install zstd, apk add zstd)' };
}

/** `network: outbound` (a setup step's default): slirp4netns, started in the job's namespaces by nsenter, on /dev/net/tun. */
export function checkOutboundNetwork(): CheckResult {
  const base = { id: 'network', title: 'slirp4netns for network: outbound', required: false };
  const uses =
    '`network: outbound` needs slirp4netns, nsenter and /dev/net/tun open to you: setup steps (their default) and jobs that ask for it; ' +
    "`network: none` (a job's default: its own loopback) and `network: host` need none of them";
  const pasta = findProgram('pasta');
  const pastaNote = pasta ? `; pasta is installed (${pasta}) but cubicle does not use it` : '';
  const slirp = findProgram('slirp4netns');
  const nsenter = findProgram('nsenter');
  const problems: string[] = [];
  const fixes: string[] = [];
  if (!slirp) {
    problems.push('slirp4netns is not installed');
    fixes.push('sudo apt-get install slirp4netns');
  }
  if (!nsenter) {
    problems.push('nsenter is not installed');
    fixes.push('sudo apt-get install util-linux');
  }
  const tun = tunAccess();
  if (tun) {
    problems.push(`/dev/net/tun cannot be opened by you (${tun})`);
    fixes.push("as root: chmod 0666 /dev/net/tun (the distributions' default), or modprobe tun");
  }
  if (problems.length === 0) return { ...base, state: 'ok', detail: `${slirp}: ${uses}${pastaNote}`, fix: null };
  return {
    ...base,
    state: 'warn',
    detail: `${problems.join('; ')}: ${uses}${pastaNote}`,
    fix: `${fixes.join('; ')}; or give the steps and jobs that need no network \`network: none\``,
  };
}

function tunAccess(): string | null {
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'not accessible';
  }
}

export function checkMmdebstrap(): CheckResult {
  const base = { id: 'mmdebstrap', title: 'mmdebstrap', required: false };
  const root = process.getuid?.() === 0;
  const unshare = `mmdebstrap --mode=unshare${root ? '' : ', which needs newuidmap and a subuid range'}`;
  const uses = `only \`image: debian:<suite>\` needs it (built once, with ${unshare}); host and OCI images do not`;
  const found = findProgram('mmdebstrap');
  if (found) return { ...base, state: 'ok', detail: `${found}: ${uses}`, fix: null };
  return { ...base, state: 'warn', detail: `not installed: ${uses}`, fix: 'sudo apt-get install mmdebstrap uidmap' };
}

export function toolChecks(): CheckResult[] {
  return [checkLayerTool(), checkZstd(), checkOutboundNetwork(), checkMmdebstrap()];
}
