// Which image of a multi-platform index fits this machine (os/architecture/variant, as Docker names them).
import { NOTHING_STORED, PlatformNotFoundError } from './image-errors.js';
import type { Descriptor, ImageConfig, ImageIndex, Platform } from './manifest.js';

/** Node's process.arch in the GOARCH spelling that images use. */
const ARCHITECTURES: Readonly<Record<string, Platform>> = {
  x64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
  ia32: { os: 'linux', architecture: '386' },
  ppc64: { os: 'linux', architecture: 'ppc64le' },
  s390x: { os: 'linux', architecture: 's390x' },
  riscv64: { os: 'linux', architecture: 'riscv64' },
  loong64: { os: 'linux', architecture: 'loong64' },
  mips64el: { os: 'linux', architecture: 'mips64le' },
};

export function hostPlatform(arch: string = process.arch): Platform {
  return ARCHITECTURES[arch] ?? { os: 'linux', architecture: arch };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** arm64 images often leave out the variant, which then means v8 (as containerd treats it). */
function variantOf(platform: Platform): string | undefined {
  return platform.variant ?? (platform.architecture === 'arm64' ? 'v8' : undefined);
}

export function matchesPlatform(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  const wantedVariant = variantOf(wanted);
  const candidateVariant = variantOf(candidate);
  return wantedVariant === undefined || candidateVariant === undefined || wantedVariant === candidateVariant;
}

/** The index entry for `wanted`; an exact variant wins over an entry with none. */
export function selectPlatform(index: ImageIndex, wanted: Platform, imageName: string): Descriptor {
  const fitting = index.manifests.filter((entry) => entry.platform && matchesPlatform(entry.platform, wanted));
  const exact = fitting.find((entry) => entry.platform && variantOf(entry.platform) === variantOf(wanted));
  const chosen = exact ?? fitting[0];
  if (chosen) return chosen;
  const available = index.manifests
    .filter((entry) => entry.platform && entry.platform.os !== 'unknown')
    .map((entry) => formatPlatform(entry.platform as Platform));
  throw new PlatformNotFoundError(
    `${imageName} has no image for ${formatPlatform(wanted)} (it has: ${available.join(', ') || 'no platform-specific images'}); ${NOTHING_STORED}`,
    available,
    { hint: `pick an image built for ${formatPlatform(wanted)}, or ask for one of the listed platforms explicitly` },
  );
}

/** A single-platform image must still be for this platform: a job would otherwise fail with "exec format error". */
export function checkPlatform(config: ImageConfig, wanted: Platform, name: string): void {
  if (!config.os || !config.architecture) return;
  const actual: Platform = { os: config.os, architecture: config.architecture, variant: config.variant };
  if (matchesPlatform(actual, wanted)) return;
  throw new PlatformNotFoundError(
    `${name} is an image for ${formatPlatform(actual)}, not ${formatPlatform(wanted)}; ${NOTHING_STORED}`,
    [formatPlatform(actual)],
    {
      hint: `pick an image built for ${formatPlatform(wanted)} (a multi-platform tag, or one with the architecture in its name)`,
    },
  );
}
