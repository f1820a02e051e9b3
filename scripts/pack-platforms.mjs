#!/usr/bin/env node
// Builds cubicle's native programs as static binaries for each platform and packs the platform
// packages (npm/linux-x64, npm/linux-arm64) and cubicle itself, as esbuild ships its binaries:
// cubicle names each platform package in optionalDependencies, at its own exact version.
//   node scripts/pack-platforms.mjs [--out DIR] [--only linux-x64,linux-arm64] [--no-main]
// Each package is packed from a staging copy; the optionalDependencies are written into the packed package.json only (the repo's
// package-lock.json cannot name packages that are not published yet). lib/ must be built.
// Toolchains (Debian, on x86_64): musl-tools for linux-x64, gcc-aarch64-linux-gnu for linux-arm64;
// the arm64 binaries are run once under qemu-aarch64-static (qemu-user-static) when it is there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PLATFORMS = ['linux-x64', 'linux-arm64'];
const PROGRAMS = [
  ['native', 'cubicle-sandbox'],
  ['native/layer', 'cubicle-layer'],
];

function version() {
  return JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version;
}

function have(program) {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The compiler and flags for a platform, or an error naming the Debian package that has them. */
function toolchain(platform, work) {
  if (os.arch() !== 'x64') throw new Error(`scripts/pack-platforms.mjs cross-builds from an x86_64 host; this one is ${os.arch()}`);
  if (platform === 'linux-x64') {
    if (!have('musl-gcc')) throw new Error('linux-x64 needs musl-gcc: sudo apt-get install musl-tools');
    // musl-gcc searches only musl's headers; the kernel's (linux-libc-dev) are libc-neutral.
    const headers = path.join(work, 'kernel-headers');
    fs.mkdirSync(headers, { recursive: true });
    for (const [name, target] of [
      ['linux', '/usr/include/linux'],
      ['asm-generic', '/usr/include/asm-generic'],
      ['asm', '/usr/include/x86_64-linux-gnu/asm'],
    ]) {
      fs.symlinkSync(target, path.join(headers, name));
    }
    return { cc: 'musl-gcc', cppflags: `-isystem ${headers}`, run: [] };
  }
  if (platform === 'linux-arm64') {
    if (!have('aarch64-linux-gnu-gcc')) throw new Error('linux-arm64 needs aarch64-linux-gnu-gcc: sudo apt-get install gcc-aarch64-linux-gnu');
    return { cc: 'aarch64-linux-gnu-gcc', cppflags: '', run: have('qemu-aarch64-static') ? ['qemu-aarch64-static'] : null };
  }
  throw new Error(`no toolchain for ${platform} (known: ${PLATFORMS.join(', ')})`);
}

/**
 * Builds both programs for `platform` into `dest` (static, stripped) and runs each once
 * (`--version`, natively or under qemu); returns their paths and sizes.
 */
export function buildPlatform(platform, dest) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `cubicle-${platform}-`));
  try {
    const { cc, cppflags, run } = toolchain(platform, work);
    fs.mkdirSync(dest, { recursive: true });
    const built = [];
    for (const [dir, file] of PROGRAMS) {
      const out = path.join(work, file);
      fs.mkdirSync(out);
      execFileSync('make', ['-s', '-C', path.join(repo, dir), 'static', `OUT=${out}`, `CC=${cc}`, `CPPFLAGS=${cppflags}`], { stdio: ['ignore', 2, 2] });
      const target = path.join(dest, file);
      fs.copyFileSync(path.join(out, file), target);
      fs.chmodSync(target, 0o755);
      if (run === null) {
        console.error(`${platform}: ${file} not run: no qemu-aarch64-static (apt-get install qemu-user-static)`);
      } else {
        const [command, ...args] = [...run, target, '--version'];
        const printed = execFileSync(command, args, { encoding: 'utf8' }).trim();
        if (!printed.startsWith(`${file} ${version()}`)) throw new Error(`${platform}: ${file} --version printed ${JSON.stringify(printed)}`);
      }
      built.push({ file: target, bytes: fs.statSync(target).size });
    }
    return built;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** npm pack of `dir` into `out`; returns the tarball's path. */
function npmPack(dir, out) {
  const [result] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 2] }));
  return path.join(out, result.filename);
}

/** Copies `files` (relative to `from`) into a new staging dir, so packing never changes the checkout. */
function stage(from, files, work) {
  const dir = fs.mkdtempSync(path.join(work, 'stage-'));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(dir, file));
    fs.chmodSync(path.join(dir, file), fs.statSync(path.join(from, file)).mode & 0o777);
  }
  return dir;
}

/** Builds and packs the platform packages and (unless main is false) cubicle; returns the tarballs. Nothing in the checkout changes. */
export function packAll({ out, platforms = PLATFORMS, main = true }) {
  fs.mkdirSync(out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-pack-'));
  try {
    const tarballs = [];
    for (const platform of platforms) {
      const dir = stage(path.join(repo, 'npm', platform), ['package.json', 'README.md'], work);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ ...manifest, version: version() }, null, 2)}\n`);
      for (const { file, bytes } of buildPlatform(platform, path.join(dir, 'bin'))) console.error(`${platform}: bin/${path.basename(file)} ${bytes} bytes`);
      tarballs.push(npmPack(dir, out));
    }
    if (main) {
      if (!fs.existsSync(path.join(repo, 'lib', 'cubicle.cjs'))) throw new Error('lib/cubicle.cjs is not built: run `npm run build:ts` first');
      const [listing] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 2] }));
      const dir = stage(
        repo,
        listing.files.map((entry) => entry.path),
        work,
      );
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const optionalDependencies = Object.fromEntries(PLATFORMS.map((platform) => [`cubicle-${platform}`, manifest.version]));
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ ...manifest, optionalDependencies }, null, 2)}\n`);
      tarballs.push(npmPack(dir, out));
    }
    return tarballs;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const out = path.resolve(option('--out') ?? path.join(repo, 'npm', 'dist'));
  const platforms = option('--only')?.split(',') ?? PLATFORMS;
  try {
    for (const tarball of packAll({ out, platforms, main: !args.includes('--no-main') })) console.log(tarball);
  } catch (error) {
    console.error(`pack-platforms: ${error.message}`);
    process.exit(1);
  }
}
