#!/usr/bin/env node
// cubicle inside a container, as GitLab's docker executor, Kubernetes runners, act and devcontainers
// run it: a rootful podman container per option set users typically try, each running
// test/containers/inner.mjs (doctor, a limited run, a --no-limits run; as root and as a user).
// Asserts what doctor names as the block and the fix, and that limits are enforced or refused
// (exit 3), never dropped. Prints TAP and `N passed, N failed, N skipped`.
// No registry is reachable: the rootfs is Debian 12 minbase from the apt mirror (mmdebstrap),
// cached in test/containers/.cache/; node and this checkout are bind-mounted read-only.
// Usage: test/containers/podman.mjs [CASE...]   (as root; CASE: a case's name, default all)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES } from './cases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const cacheDir = path.join(here, '.cache');
const rootfs = path.join(cacheDir, 'rootfs-bookworm');
const testUser = 'cubtest';
const counts = { passed: 0, failed: 0, skipped: 0 };
let number = 0;

function tap(ok, name, diagnostics = '') {
  number += 1;
  counts[ok ? 'passed' : 'failed'] += 1;
  console.log(`${ok ? 'ok' : 'not ok'} ${number} - ${name}`);
  if (!ok && diagnostics)
    console.log(
      diagnostics
        .split('\n')
        .map((line) => `#   ${line}`)
        .join('\n'),
    );
}

function skip(name, why) {
  number += 1;
  counts.skipped += 1;
  console.log(`ok ${number} - ${name} # SKIP skipped: ${why}`);
}

function finish() {
  console.log(`1..${number}`);
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exit(counts.failed > 0 ? 1 : 0);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { exitCode: result.status ?? 128, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

function has(tool) {
  return run('sh', ['-c', `command -v ${tool}`]).exitCode === 0;
}

/** Why this host cannot run the suite at all, or null. */
function hostProblem() {
  if (process.getuid() !== 0) return 'needs root (rootful podman; the rootless case runs as the test user from there)';
  const missing = ['podman', 'runc', 'mmdebstrap'].filter((tool) => !has(tool));
  if (missing.length) return `missing ${missing.join(', ')}: apt-get install podman runc uidmap mmdebstrap`;
  const built = ['native/cubicle-sandbox', 'lib/cubicle.cjs'].every((file) => fs.existsSync(path.join(repo, file)));
  if (!built) return 'cubicle is not built: npm run build';
  return null;
}

/** Debian 12 minbase with the test user at the host's uid (for --userns=keep-id); built once, by rename. */
function ensureRootfs() {
  if (fs.existsSync(path.join(rootfs, '.complete'))) return { built: false, ms: 0 };
  const started = Date.now();
  const uid = run('id', ['-u', testUser]).stdout.trim() || '1001';
  const partial = `${rootfs}.partial-${process.pid}`;
  fs.mkdirSync(cacheDir, { recursive: true });
  const mirror = process.env.CUBICLE_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
  const hook = `chroot "$1" useradd --create-home --uid ${uid} --user-group --shell /bin/sh ${testUser}`;
  const options = ['--quiet', '--variant=minbase', '--mode=root', '--format=directory', `--customize-hook=${hook}`];
  const built = run('mmdebstrap', [...options, 'bookworm', partial, mirror], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.exitCode !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new Error(`mmdebstrap failed (exit ${built.exitCode}); the Debian mirror ${mirror} must be reachable`);
  }
  fs.writeFileSync(path.join(partial, '.complete'), `${new Date().toISOString()}\n`);
  fs.rmSync(rootfs, { recursive: true, force: true });
  fs.renameSync(partial, rootfs);
  return { built: true, ms: Date.now() - started };
}

/**
 * Rootless podman keeps images in the user's own storage: the rootfs is imported there as an
 * image (about 5 s), as a user's `podman pull` would, and removed at the end. Returns its name.
 */
function importForUser() {
  const image = 'localhost/cubicle-test:bookworm';
  const tarball = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-podman-')), 'rootfs.tar');
  try {
    const packed = run('tar', ['-C', rootfs, '--exclude=./.complete', '-cf', tarball, '.']);
    if (packed.exitCode !== 0) throw new Error(`tar of the rootfs failed: ${packed.stderr}`);
    fs.chmodSync(path.dirname(tarball), 0o755);
    fs.chmodSync(tarball, 0o644);
    asUser(['podman', 'rmi', '--force', image]); // one a killed run left behind, else 341 MB more per run
    const imported = asUser(['podman', 'import', '--quiet', tarball, image]);
    if (imported.exitCode !== 0) throw new Error(`podman import as ${testUser} failed: ${imported.stderr}`);
    return image;
  } finally {
    fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
  }
}

/** The checkout as the test user can read it (CI's clone may sit in root's home): what the CLI runs from, copied. */
function checkoutForUser() {
  const needed = ['-r', path.join(repo, 'lib/cubicle.cjs'), '-a', '-x', path.join(repo, 'native/cubicle-sandbox'), '-a', '-r', path.join(here, 'inner.mjs')];
  const readable = asUser(['test', ...needed]);
  if (readable.exitCode === 0) return repo;
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-podman-checkout-'));
  fs.chmodSync(copy, 0o755);
  for (const entry of ['package.json', 'bin', 'lib', 'presets', 'native/cubicle-sandbox', 'native/layer/cubicle-layer', 'test/containers/inner.mjs']) {
    if (!fs.existsSync(path.join(repo, entry))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, entry)), { recursive: true, mode: 0o755 });
    fs.cpSync(path.join(repo, entry), path.join(copy, entry), { recursive: true });
  }
  run('chmod', ['-R', 'a+rX', copy]);
  return copy;
}

function asUser(args) {
  const home = run('sh', ['-c', `getent passwd ${testUser} | cut -d: -f6`]).stdout.trim();
  return run('runuser', ['-u', testUser, '--', 'env', `HOME=${home}`, `PATH=${process.env.PATH}`, ...args], { cwd: '/' });
}

/** The host's hard limits: podman's defaults (nofile 1048576) exceed them and runc's setrlimit fails without CAP_SYS_RESOURCE. */
function ulimitArgs() {
  const hard = (flag) => Number(run('sh', ['-c', `ulimit -H ${flag}`]).stdout.trim()) || 4096;
  // nproc above 32768 was refused by runc here even under the host's hard limit (96367); 32768 is plenty.
  const nproc = Math.min(hard('-u'), 32768);
  return ['--ulimit', `nofile=${hard('-n')}:${hard('-n')}`, '--ulimit', `nproc=${nproc}:${nproc}`];
}

/** One case: the container's options, who runs podman, and what each user's run must show. */
function runCase(spec, volume) {
  // crun refuses this cgroup-v1 hybrid host ("cgroups in hybrid mode not supported"); runc is what Docker uses.
  const podman = ['podman', '--runtime', 'runc', 'run', '--rm', '--network', 'none', ...ulimitArgs()];
  const checkout = spec.rootless ? (userCheckout ??= checkoutForUser()) : repo;
  const mounts = ['-v', `${process.execPath}:/usr/bin/node:ro`, '-v', `${checkout}:/cubicle:ro`];
  if (volume) mounts.push('-v', `${volume}:/cache`, '-e', 'CUBICLE_CACHE_DIR=/cache');
  if (spec.setupUsers) mounts.push('-e', 'CUBICLE_SETUP_USERS=1');
  const inner = ['/usr/bin/node', '/cubicle/test/containers/inner.mjs', '/cubicle/bin/cubicle.js', ...(spec.asUser ? [testUser] : [])];
  const root = spec.rootless ? [(userImage ??= importForUser())] : ['--rootfs', `${rootfs}:O`];
  const args = [...podman, ...spec.options, ...mounts, ...root, ...inner];
  const started = Date.now();
  const result = spec.rootless ? asUser(args) : run(args[0], args.slice(1));
  const line = result.stdout.split('\n').find((entry) => entry.startsWith('RESULT '));
  return { ms: Date.now() - started, podman: result, report: line ? JSON.parse(line.slice('RESULT '.length)) : null };
}

const problem = hostProblem();
if (problem) {
  if (process.env.CI === 'true') tap(false, `cubicle inside podman: ${problem}`);
  else skip('cubicle inside podman', problem);
  finish();
}

const wanted = process.argv.slice(2);
let userImage = null;
let userCheckout = null;
let rootfsBuild;
try {
  rootfsBuild = ensureRootfs();
} catch (error) {
  tap(false, 'the container rootfs (Debian 12 minbase, mmdebstrap)', error.message);
  finish();
}
console.log(`# rootfs ${rootfs}: ${rootfsBuild.built ? `built in ${(rootfsBuild.ms / 1000).toFixed(1)} s` : 'cached'}`);
for (const spec of CASES.filter((entry) => wanted.length === 0 || wanted.includes(entry.name))) {
  if (spec.rootless && run('id', ['-u', testUser]).exitCode !== 0) {
    skip(`${spec.name}`, `no user ${testUser} on this host for rootless podman (useradd -m ${testUser}, with a /etc/subuid range)`);
    continue;
  }
  const volume = spec.cacheVolume === false ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-podman-cache-'));
  if (volume) fs.chmodSync(volume, 0o755);
  if (volume && spec.rootless) fs.chownSync(volume, Number(run('id', ['-u', testUser]).stdout), Number(run('id', ['-g', testUser]).stdout));
  try {
    const outcome = runCase(spec, volume);
    const how = `${spec.rootless ? `rootless as ${testUser} ` : ''}${spec.options.join(' ') || 'with defaults'}`;
    console.log(`# ${spec.name} (podman ${how}): ${(outcome.ms / 1000).toFixed(1)} s`);
    if (!outcome.report) {
      const { exitCode, stderr, stdout } = outcome.podman;
      tap(false, `${spec.name}: the container ran inner.mjs`, `podman exit ${exitCode}\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}`);
      continue;
    }
    if (process.env.CUBICLE_PODMAN_DEBUG) console.log(`# ${JSON.stringify(outcome.report)}`);
    for (const [user, expected] of Object.entries(spec.expect)) {
      const seen = outcome.report[user];
      if (!seen) {
        tap(false, `${spec.name}, as ${user}: a report`, JSON.stringify(outcome.report).slice(0, 2000));
        continue;
      }
      for (const [title, check] of expected) {
        let failure = null;
        try {
          failure = check(seen);
        } catch (error) {
          failure = String(error);
        }
        tap(failure === null, `${spec.name}, as ${user} in the container: ${title}`, failure ?? '');
      }
    }
  } finally {
    if (volume) fs.rmSync(volume, { recursive: true, force: true });
  }
}
if (userImage) asUser(['podman', 'rmi', '--force', userImage]);
if (userCheckout && userCheckout !== repo) fs.rmSync(userCheckout, { recursive: true, force: true });
finish();
