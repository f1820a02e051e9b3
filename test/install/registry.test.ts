// cubicle installed the way a user installs it: a real npm registry (verdaccio) on 127.0.0.1 with
// no uplink, the platform packages and cubicle published to it (scripts/pack-platforms.mjs), then,
// as an ordinary user in a fresh project with no C compiler on PATH, `npm i -D cubicle` and
// `npx cubicle run` of a job with a setup step, a memory limit and a JUnit report; `npx cubicle@V
// exec` with no project at all; and without the platform package, exit 3 naming it and the fix.
// As root the user is cubtest (test/run-all.mjs's rootless user); as anyone else, that user.
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { REPO } from '../helpers/paths.js';
import { freePort } from '../image/registry.js';

const TEST_USER = process.env.CUBICLE_TEST_USER || 'cubtest';
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const PLATFORM = `cubicle-linux-${process.arch}`;
/** Compilers and make, by name: none of them may be on the user's PATH. */
const BUILD_TOOL = /^(cc|gcc|c\+\+|g\+\+|cpp|c89|c99|c89-gcc|c99-gcc|tcc|make|gmake|musl-gcc|clang.*|gcc-\d+|.*-gcc(-\d+)?|.*-g\+\+(-\d+)?|.*-cpp(-\d+)?)$/;

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, name)));
}

function uidOf(user: string): { uid: number; gid: number } | null {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  return line ? { uid: Number(line.split(':')[2]), gid: Number(line.split(':')[3]) } : null;
}

const missing = [
  ...['musl-gcc', 'aarch64-linux-gnu-gcc', 'qemu-aarch64-static', 'make'].filter((tool) => !onPath(tool)),
  ...(process.arch === 'x64' ? [] : [`an x64 host (this is ${process.arch})`]),
  ...(IS_ROOT && !uidOf(TEST_USER) ? [`user ${TEST_USER}`] : []),
  ...(fs.existsSync(path.join(REPO, 'lib', 'cubicle.cjs')) ? [] : ['lib/cubicle.cjs (npm run build)']),
];
const why = missing.length ? `needs ${missing.join(', ')}: apt-get install musl-tools gcc-aarch64-linux-gnu qemu-user-static make` : null;
if (why && process.env.CI === 'true') throw new Error(`install test: ${why}`);
if (why) console.warn(`skipped: install from a registry: ${why}`);

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

describe.skipIf(why !== null)('cubicle installed from a registry, as a user installs it', { timeout: 300_000 }, () => {
  let base = '';
  let registry = '';
  let verdaccio: ResultPromise | undefined;
  let home = '';
  let userPath = '';
  let tarballs: string[] = [];
  const owner = IS_ROOT ? uidOf(TEST_USER)! : null;
  let undoSetup: (() => Promise<unknown>) | null = null;

  /** A dir the user owns. */
  function userDir(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    return dir;
  }

  /** Runs a command as the user, with the user's environment only (no compiler on PATH). */
  async function asUser(command: string, args: readonly string[], cwd: string, extra: Record<string, string> = {}): Promise<Run> {
    const env = { HOME: home, PATH: userPath, LANG: 'C.UTF-8', ...extra };
    const argv = owner
      ? ['runuser', '-u', TEST_USER, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), command, ...args]
      : [command, ...args];
    const result = await execa(argv[0]!, argv.slice(1), {
      cwd,
      env: owner ? { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } : env,
      extendEnv: false,
      reject: false,
      timeout: 240_000,
    });
    // A command that did not start has no exit code: its error is the stderr.
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: result.exitCode === undefined ? (result.message ?? '') : String(result.stderr) };
  }

  const savedNpmCache = process.env.npm_config_cache;
  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-install-'));
    fs.chmodSync(base, 0o755);
    const { packAll } = (await import(path.join(REPO, 'scripts', 'pack-platforms.mjs'))) as { packAll: (options: { out: string }) => string[] };
    // npm pack and publish from this process use this test's npm cache, not the one `npm test` exported
    // to every script (npm_config_cache=/root/.npm, which the rootless pass cannot write); afterAll restores it.
    process.env.npm_config_cache = path.join(base, 'npm-cache');
    tarballs = packAll({ out: path.join(base, 'tarballs') });

    // The registry: verdaccio, its own storage, no uplink (nothing may come from the internet).
    const port = await freePort();
    registry = `http://127.0.0.1:${port}/`;
    const config = path.join(base, 'verdaccio', 'config.yaml');
    fs.mkdirSync(path.dirname(config));
    fs.writeFileSync(
      config,
      [
        'storage: ./storage',
        'auth:',
        '  htpasswd:',
        '    file: ./htpasswd',
        'packages:',
        "  '**':",
        '    access: $all',
        '    publish: $authenticated',
        'log: { type: stdout, format: pretty, level: warn }',
        '',
      ].join('\n'),
    );
    verdaccio = execa(path.join(REPO, 'node_modules', '.bin', 'verdaccio'), ['--config', config, '--listen', `127.0.0.1:${port}`], {
      reject: false,
      all: true,
    });
    await waitFor(`${registry}-/ping`, verdaccio);
    const login = await fetch(`${registry}-/user/org.couchdb.user:publisher`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'publisher', password: 'publisher-password' }),
    });
    const { token } = (await login.json()) as { token: string };
    const publishRc = path.join(base, 'publish.npmrc');
    fs.writeFileSync(publishRc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    for (const tarball of tarballs) {
      const published = await execa('npm', ['publish', tarball, '--userconfig', publishRc, '--registry', registry], { reject: false, cwd: base });
      expect(published.exitCode, `npm publish ${tarball}: ${published.stderr}`).toBe(0);
    }

    // The user: a fresh HOME with the registry in ~/.npmrc, and a PATH of the host's programs less every compiler and make.
    home = userDir(path.join(base, 'home'));
    fs.writeFileSync(path.join(home, '.npmrc'), `registry=${registry}\nupdate-notifier=false\naudit=false\nfund=false\n`);
    if (owner) fs.chownSync(path.join(home, '.npmrc'), owner.uid, owner.gid);
    userPath = buildPathWithoutCompilers(path.join(base, 'path-bin'));
  }, 300_000);

  afterAll(async () => {
    await undoSetup?.();
    verdaccio?.kill('SIGTERM');
    await verdaccio;
    if (base) fs.rmSync(base, { recursive: true, force: true });
    if (savedNpmCache === undefined) delete process.env.npm_config_cache;
    else process.env.npm_config_cache = savedNpmCache;
  }, 60_000);

  it('packs static helpers; the arm64 ones run under qemu-aarch64-static', async () => {
    expect(tarballs.map((file) => path.basename(file)).sort()).toEqual([
      `cubicle-${VERSION}.tgz`,
      `cubicle-linux-arm64-${VERSION}.tgz`,
      `cubicle-linux-x64-${VERSION}.tgz`,
    ]);
    const unpacked = path.join(base, 'arm64');
    fs.mkdirSync(unpacked);
    await execa('tar', ['-xzf', path.join(base, 'tarballs', `cubicle-linux-arm64-${VERSION}.tgz`), '-C', unpacked]);
    for (const program of ['cubicle-sandbox', 'cubicle-layer']) {
      const binary = path.join(unpacked, 'package', 'bin', program);
      expect((await execa('file', ['-b', binary])).stdout).toMatch(/ARM aarch64.*statically linked/);
      expect((await execa('qemu-aarch64-static', [binary, '--version'])).stdout).toMatch(new RegExp(`^${program} ${VERSION}`));
    }
    const manifest = JSON.parse(
      (await execa('tar', ['-xOzf', path.join(base, 'tarballs', `cubicle-${VERSION}.tgz`), 'package/package.json'])).stdout,
    ) as Record<string, unknown>;
    expect(manifest.optionalDependencies).toEqual({ 'cubicle-linux-x64': VERSION, 'cubicle-linux-arm64': VERSION });
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('npm i -D cubicle with no compiler on PATH, then npx cubicle run: a setup step, a memory limit, a JUnit report', async () => {
    const noCompiler = await asUser('sh', ['-c', 'command -v cc || command -v gcc || command -v make'], base);
    expect(noCompiler.exitCode, `a compiler is on the user's PATH: ${noCompiler.stdout}`).not.toBe(0);
    const project = userDir(path.join(base, 'project'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'a-project', version: '1.0.0', private: true }));
    fs.writeFileSync(
      path.join(project, 'cubicle.config.yaml'),
      [
        'jobs:',
        '  unit:',
        '    memory: 256m',
        // The runner's PATH here is a test dir of links (no compilers) that the sandbox does not have.
        '    env: { PATH: /usr/bin:/bin }',
        '    setup:',
        '      - run: mkdir -p tool && echo built-in-a-layer > tool/marker',
        '        network: none',
        '    run: cat tool/marker && mkdir -p reports && printf \'<testsuite name="s" tests="1"><testcase classname="c" name="works"/></testsuite>\' > reports/unit.xml',
        '    junit: reports/*.xml',
        '',
      ].join('\n'),
    );
    if (owner) for (const file of ['package.json', 'cubicle.config.yaml']) fs.chownSync(path.join(project, file), owner.uid, owner.gid);

    const install = await asUser('npm', ['i', '-D', 'cubicle'], project);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'node_modules', PLATFORM, 'bin', 'cubicle-sandbox'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'node_modules', 'cubicle-linux-arm64'))).toBe(false);
    // Bundled: no runtime dependency installed beside it.
    expect(
      fs
        .readdirSync(path.join(project, 'node_modules'))
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['cubicle', PLATFORM]);

    const doctor = await asUser('npx', ['cubicle', 'doctor', '--json'], project);
    const checks = (JSON.parse(doctor.stdout) as { checks: { id: string; state: string; detail: string }[] }).checks;
    const origin = `(from the platform package ${PLATFORM}@${VERSION})`;
    expect(checks.find((check) => check.id === 'helper')?.detail).toContain(`node_modules/${PLATFORM}/bin/cubicle-sandbox ${origin}`);
    expect(checks.find((check) => check.id === 'layer-tool')?.detail).toContain(`node_modules/${PLATFORM}/bin/cubicle-layer ${origin}`);
    if (owner && checks.find((check) => check.id === 'cgroups')?.state !== 'ok') {
      // As the README says: once, as root, delegate cgroups to the user for limits.
      const cli = path.join(project, 'node_modules', 'cubicle', 'bin', 'cubicle.js');
      const setup = await execa(process.execPath, [cli, 'setup', '--user', TEST_USER], { reject: false });
      expect(setup.exitCode, setup.stderr).toBe(0);
      undoSetup = () => execa(process.execPath, [cli, 'setup', '--user', TEST_USER, '--undo'], { reject: false });
    }

    const run = await asUser('npx', ['cubicle', 'run', '--json', 'results.json', '--junit', 'cubicle-junit.xml'], project);
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('built-in-a-layer');
    const results = JSON.parse(fs.readFileSync(path.join(project, 'results.json'), 'utf8')) as { jobs: { status: string }[]; limitsEnforced: boolean };
    expect(results.jobs.map((job) => job.status)).toEqual(['passed']);
    expect(results.limitsEnforced).toBe(true);
    expect(fs.readFileSync(path.join(project, 'cubicle-junit.xml'), 'utf8')).toMatch(/<testcase [^>]*name="works"/);
    // The layer: in the store, and taken from it the second time.
    const again = await asUser('npx', ['cubicle', 'run'], project);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\[setup 1\/1\] cached: mkdir -p tool/);
    const layers = await asUser('npx', ['cubicle', 'cache', 'ls'], project);
    expect(layers.exitCode, layers.stderr).toBe(0);
    expect(layers.stdout).toContain('mkdir -p');
  });

  it('npx cubicle@VERSION exec -- true, with no project at all', async () => {
    const empty = userDir(path.join(base, 'empty'));
    // `true` by its path: the runner's PATH (links without compilers, in this test's temp dir) does not exist in the sandbox.
    const result = await asUser('npx', ['--yes', `cubicle@${VERSION}`, 'exec', '--', '/bin/true'], empty);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('building the helpers from source');
    const failing = await asUser('npx', ['--yes', `cubicle@${VERSION}`, 'exec', '--', '/bin/sh', '-c', 'exit 7'], empty);
    expect(failing.exitCode, failing.stderr).toBe(7);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  it('without the platform package and no compiler: exit 3 naming the package and the fix', async () => {
    const project = userDir(path.join(base, 'no-optional'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'b-project', version: '1.0.0', private: true }));
    if (owner) fs.chownSync(path.join(project, 'package.json'), owner.uid, owner.gid);
    const install = await asUser('npm', ['i', '-D', 'cubicle', '--omit=optional'], project);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'node_modules', PLATFORM))).toBe(false);
    const result = await asUser('npx', ['cubicle', 'exec', '--', 'true'], project);
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toContain(`the platform package ${PLATFORM} is not installed`);
    expect(result.stderr).toContain('no C compiler and make to build it from source; no job was run');
    expect(result.stderr).toContain(`npm i -D ${PLATFORM}@${VERSION}`);
    const doctor = await asUser('npx', ['cubicle', 'doctor'], project);
    expect(doctor.exitCode).toBe(3);
    expect(doctor.stdout).toMatch(/^missing {2}sandbox helper: .*cubicle-linux-\w+ is not installed/m);
  });

  it('without the platform package but with a compiler: built once from the shipped sources into ~/.cache/cubicle/native', async () => {
    const project = path.join(base, 'no-optional');
    const withCompiler = `${userPath}:/usr/local/bin:/usr/bin:/bin`;
    const first = await asUser('npx', ['cubicle', 'exec', '--', '/bin/true'], project, { PATH: withCompiler });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(
      new RegExp(
        `no ${PLATFORM} package is installed; building the helpers from source with \\S+ into ${home}/.cache/cubicle/native/${VERSION}-linux-${process.arch} \\(once\\)`,
      ),
    );
    // Once: the next run finds the build, even with no compiler any more.
    const again = await asUser('npx', ['cubicle', 'doctor', '--json'], project);
    const helper = (JSON.parse(again.stdout) as { checks: { id: string; detail: string }[] }).checks.find((check) => check.id === 'helper');
    expect(helper?.detail).toContain(`(built from source into ${home}/.cache/cubicle/native/${VERSION}-linux-${process.arch})`);
    expect(again.stderr).not.toContain('building the helpers');
  });
});

async function waitFor(url: string, server: ResultPromise): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null && server.exitCode !== undefined) throw new Error(`verdaccio exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`verdaccio did not answer ${url} within 60 s`);
}

/** A dir of links to every program on the host's PATH but compilers and make, as the user's whole PATH. */
function buildPathWithoutCompilers(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const linked = new Set<string>();
  for (const source of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin', path.dirname(process.execPath)]) {
    if (!fs.existsSync(source)) continue;
    for (const name of fs.readdirSync(source)) {
      if (BUILD_TOOL.test(name) || linked.has(name)) continue;
      linked.add(name);
      fs.symlinkSync(path.join(source, name), path.join(dir, name));
    }
  }
  return dir;
}
