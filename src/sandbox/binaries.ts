// The one place that knows where cubicle's two native programs are (cubicle-sandbox, the helper
// every job runs through, and cubicle-layer, the layer tool). npm runs no install scripts by
// default, so an installed cubicle cannot build them: they come, as esbuild's and swc's do, from an
// optional package per platform (cubicle-linux-x64, cubicle-linux-arm64) that npm installs beside
// it. In order:
//   1. CUBICLE_SANDBOX / CUBICLE_LAYER_TOOL: an explicit copy (a debug build, the Action's prebuilt ones)
//   2. the platform package, resolved from this package (lib/ or src/)
//   3. a checkout's own build in native/ (development: npm run build:native)
//   4. built once from the package's sources into the user's cache, when no package matches and a
//      C compiler and make exist
// otherwise a SandboxUnavailableError (exit 3) naming the missing platform package and the fix.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SandboxUnavailableError } from '../core/errors.js';
import { cacheRoot } from '../core/cache-root.js';
import { PACKAGE_ROOT } from '../core/package-root.js';

export type NativeProgram = 'sandbox' | 'layer';

export type NativeSource = 'env' | 'package' | 'checkout' | 'built';

export interface LocatedProgram {
  readonly path: string;
  readonly source: NativeSource;
  /** Where it came from, in words, for doctor and errors. */
  readonly origin: string;
}

/** Platforms with a prebuilt package (scripts/pack-platforms.mjs builds them). */
export const PREBUILT_PLATFORMS: readonly string[] = ['linux-x64', 'linux-arm64'];

const PROGRAMS: Record<NativeProgram, { file: string; env: string; checkout: string; makeDir: string; title: string }> = {
  sandbox: { file: 'cubicle-sandbox', env: 'CUBICLE_SANDBOX', checkout: 'native/cubicle-sandbox', makeDir: 'native', title: 'the sandbox helper' },
  layer: { file: 'cubicle-layer', env: 'CUBICLE_LAYER_TOOL', checkout: 'native/layer/cubicle-layer', makeDir: 'native/layer', title: 'the layer tool' },
};

export function platformKey(): string {
  return `${process.platform}-${process.arch}`;
}

/** The optional package that carries this platform's binaries. */
export function platformPackage(): string {
  return `cubicle-${platformKey()}`;
}

function packageVersion(root = PACKAGE_ROOT): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The platform package's dir and version, or null when npm did not install it. */
function findPlatformPackage(root = PACKAGE_ROOT): { dir: string; version: string } | null {
  try {
    const manifest = createRequire(path.join(root, 'package.json')).resolve(`${platformPackage()}/package.json`);
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string };
    return { dir: path.dirname(manifest), version: version ?? '?' };
  } catch {
    return null;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** Where a source build goes: one per version and platform, in the user's cache (the package dir may be read-only). */
export function sourceBuildDir(): string {
  return path.join(cacheRoot(process.env), 'native', `${packageVersion()}-${platformKey()}`);
}

function hasSources(): boolean {
  return Object.values(PROGRAMS).every((program) => fs.existsSync(path.join(PACKAGE_ROOT, program.makeDir, 'Makefile')));
}

/**
 * Builds both programs from the package's sources into sourceBuildDir(), in a temp dir renamed
 * into place (two cubicles building at once both end with a whole build). Null with the reason
 * when there is nothing to build with.
 */
function buildFromSource(): string | null {
  const target = sourceBuildDir();
  const compiler = onPath('cc') ?? onPath('gcc');
  if (!compiler || !onPath('make') || !hasSources()) return null;
  const temp = `${target}.tmp-${process.pid}`;
  process.stderr.write(`cubicle: no ${platformPackage()} package is installed; building the helpers from source with ${compiler} into ${target} (once)\n`);
  try {
    for (const [name, program] of Object.entries(PROGRAMS)) {
      const out = path.join(temp, name);
      fs.mkdirSync(out, { recursive: true });
      execFileSync('make', ['-s', '-C', path.join(PACKAGE_ROOT, program.makeDir), `OUT=${out}`, `CC=${compiler}`], { stdio: ['ignore', 2, 2] });
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    try {
      fs.renameSync(temp, target);
    } catch {
      // another cubicle finished first: its build is as good
    }
  } catch (error) {
    throw new SandboxUnavailableError('HELPER_MISSING', `building the helpers from source with ${compiler} failed (its output is above); no job was run`, {
      hint: `Install the platform package instead: npm i -D ${platformPackage()}@${packageVersion()} (or reinstall cubicle without --omit=optional).`,
      cause: error,
    });
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return target;
}

/** Finds one program without building anything; null when only a source build would give it. */
export function findNative(program: NativeProgram, root = PACKAGE_ROOT): LocatedProgram | null {
  const spec = PROGRAMS[program];
  const explicit = process.env[spec.env];
  if (explicit) return { path: explicit, source: 'env', origin: `set by ${spec.env}` };
  const pkg = findPlatformPackage(root);
  // Only the same version: the helper's argv and status protocol move with cubicle's (as esbuild checks its binary's).
  if (pkg && pkg.version === packageVersion(root) && isExecutable(path.join(pkg.dir, 'bin', spec.file))) {
    return { path: path.join(pkg.dir, 'bin', spec.file), source: 'package', origin: `from the platform package ${platformPackage()}@${pkg.version}` };
  }
  const checkout = path.join(root, spec.checkout);
  if (isExecutable(checkout)) return { path: checkout, source: 'checkout', origin: `built in this checkout's ${spec.makeDir}/` };
  const built = path.join(sourceBuildDir(), program, spec.file);
  if (isExecutable(built)) return { path: built, source: 'built', origin: `built from source into ${sourceBuildDir()}` };
  return null;
}

/** Finds one program, building both from source when that is the only way left; throws (exit 3) when there is none. */
export function locateNative(program: NativeProgram): LocatedProgram {
  const spec = PROGRAMS[program];
  const found = findNative(program) ?? (buildFromSource() ? findNative(program) : null);
  if (found && (found.source !== 'env' || isExecutable(found.path))) return found;
  if (found) {
    throw new SandboxUnavailableError('HELPER_MISSING', `${spec.title} ${found.path} (${found.origin}) is missing or not executable; no job was run`, {
      hint: `Point ${spec.env} at an executable ${spec.file}, or unset it to use the platform package ${platformPackage()}.`,
    });
  }
  const version = packageVersion();
  const stale = findPlatformPackage();
  const why =
    stale && stale.version !== version
      ? `the platform package ${platformPackage()} installed is version ${stale.version}, not cubicle's ${version} (${stale.dir})`
      : PREBUILT_PLATFORMS.includes(platformKey())
        ? `the platform package ${platformPackage()} is not installed (npm leaves optional dependencies out with --omit=optional, and when they fail to download)`
        : `there is no prebuilt package for ${platformKey()} (only ${PREBUILT_PLATFORMS.join(', ')})`;
  throw new SandboxUnavailableError(
    'HELPER_MISSING',
    `${spec.title} (${spec.file}) is missing: ${why}, and there is no C compiler and make to build it from source; no job was run`,
    {
      hint: PREBUILT_PLATFORMS.includes(platformKey())
        ? `Install it: npm i -D ${platformPackage()}@${version} (or reinstall cubicle without --omit=optional); or install a C compiler and make (sudo apt-get install gcc make libc6-dev) and cubicle builds it once from source.`
        : `Install a C compiler and make (sudo apt-get install gcc make libc6-dev, apk add build-base): cubicle then builds it once from source.`,
    },
  );
}
