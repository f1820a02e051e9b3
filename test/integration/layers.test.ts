// Setup steps as cached layers, the store's commands and `caches:`, on the real CLI, in real
// sandboxes, as whoever runs the suite (root, then an ordinary user with a subuid range).
import { execa, execaSync } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { jobOf, makeProject, outputOf, removeProjects, type Project } from '../helpers/project.js';

afterAll(removeProjects);

/** A package tarball for a file: dependency, so `npm ci` installs something without a registry. */
function writeLocalPackage(project: Project, version: string): void {
  const manifest = { name: 'fixture', version: '1.0.0', private: true, dependencies: { local: `file:deps/local-${version}.tgz` } };
  fs.writeFileSync(project.file('package.json'), JSON.stringify(manifest, null, 2));
  const source = path.join(project.dir, '..', `local-src-${version}`, 'package');
  fs.mkdirSync(source, { recursive: true });
  fs.writeFileSync(path.join(source, 'package.json'), JSON.stringify({ name: 'local', version }));
  fs.writeFileSync(path.join(source, 'index.js'), `module.exports = ${JSON.stringify(version)};\n`);
  fs.mkdirSync(project.file('deps'), { recursive: true });
  execaSyncTar(path.dirname(source), project.file(`deps/local-${version}.tgz`));
}

function execaSyncTar(dir: string, out: string): void {
  // Fixed mtime and owner: the tarball (an input) is byte-identical for the same version.
  const result = execaSync('tar', ['--sort=name', '--mtime=2020-01-01', '--owner=0', '--group=0', '--numeric-owner', '-czf', out, '-C', dir, 'package'], {
    env: { GZIP: '-n' },
  });
  if (result.exitCode !== 0) throw new Error(String(result.stderr));
}

async function lockfile(project: Project): Promise<void> {
  // Its own npm cache: under `npm test`, npm_config_cache names the invoking user's (root's).
  const cache = path.join(project.dir, '..', 'npm-cache');
  const result = await execa('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--offline'], {
    cwd: project.dir,
    reject: false,
    env: { npm_config_cache: cache },
  });
  if (result.exitCode !== 0) throw new Error(`npm install --package-lock-only failed: ${result.stderr}`);
}

const npmConfig = `
jobs:
  unit:
    setup:
      - run: npm ci --no-audit --no-fund --offline && date +%s%N > node_modules/.built-at
        inputs: [package.json, package-lock.json, 'deps/*.tgz']
        network: none
    run: node -e 'console.log("local=" + require("local"))' && cat node_modules/.built-at
`;

describe('setup steps as cached layers', () => {
  it('runs npm ci once; a second run reuses the layer; a changed lockfile rebuilds it', async () => {
    const project = makeProject(npmConfig);
    writeLocalPackage(project, '1.0.0');
    await lockfile(project);
    const first = await project.cubicle(['run', '--json', 'results.json']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const firstOut = outputOf(first.stdout, 'unit');
    expect(firstOut).toContain('[setup 1/1] running: npm ci --no-audit --no-fund --offline && date +%s%N > node_modules/.built-at');
    expect(firstOut).toContain('local=1.0.0');
    const builtAt = firstOut.at(-1);

    const second = await project.cubicle(['run', '--json', 'results.json']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    const secondOut = outputOf(second.stdout, 'unit');
    expect(secondOut.some((line) => line.startsWith('[setup 1/1] cached:'))).toBe(true);
    expect(secondOut.at(-1)).toBe(builtAt);
    expect((jobOf(project, 'unit') as unknown as { cacheHits: number }).cacheHits).toBe(1);
    // The checkout was never written: node_modules lives in the layer.
    expect(fs.existsSync(project.file('node_modules'))).toBe(false);

    writeLocalPackage(project, '2.0.0');
    await lockfile(project);
    const third = await project.cubicle(['run']);
    expect(third.exitCode, third.stdout + third.stderr).toBe(0);
    const thirdOut = outputOf(third.stdout, 'unit');
    expect(thirdOut.some((line) => line.startsWith('[setup 1/1] running:'))).toBe(true);
    expect(thirdOut).toContain('local=2.0.0');

    const noCache = await project.cubicle(['run', '--no-cache']);
    expect(outputOf(noCache.stdout, 'unit').some((line) => line.startsWith('[setup 1/1] running:'))).toBe(true);
  }, 120_000);

  it('shows a step only its inputs, and a failing step fails the job without running it', async () => {
    const project = makeProject(
      `
jobs:
  sees:
    setup:
      - run: ls -A > ~/seen.txt
        inputs: [a.txt]
        network: none
    run: cat ~/seen.txt
  broken:
    setup:
      - run: echo about to fail; exit 7
        network: none
    run: echo never
  missing:
    setup:
      - run: "true"
        inputs: [no-such-file]
        network: none
    run: echo never
`,
      { 'a.txt': 'a', 'b.txt': 'b' },
    );
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    expect(outputOf(result.stdout, 'sees')).toContain('a.txt');
    expect(outputOf(result.stdout, 'sees')).not.toContain('b.txt');
    const broken = jobOf(project, 'broken');
    expect(broken.status).toBe('failed');
    expect(broken.message).toContain('setup step 1 (`echo about to fail; exit 7`) exited with 7');
    expect(outputOf(result.stdout, 'broken')).not.toContain('never');
    const missing = jobOf(project, 'missing');
    expect(missing.status).toBe('error');
    expect(missing.message).toContain('input "no-such-file" does not exist');
  }, 60_000);

  it('stacks deletions and replaced directories as Docker does', async () => {
    const project = makeProject(`
jobs:
  stack:
    setup:
      - run: mkdir -p /root/tree/sub && touch /root/tree/sub/old /root/tree/keep /root/gone && touch ws-gone && mkdir ws-dir && touch ws-dir/old
        network: none
      - run: rm /root/gone ws-gone && rm -rf /root/tree/sub ws-dir && mkdir /root/tree/sub ws-dir && touch /root/tree/sub/new ws-dir/new
        network: none
    run: ls -A /root/tree/sub ws-dir; ls /root/tree; test ! -e /root/gone && test ! -e ws-gone && echo deleted
`);
    for (const round of [1, 2]) {
      const result = await project.cubicle(['run']);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const out = outputOf(result.stdout, 'stack');
      expect(out.filter((line) => line === 'new')).toHaveLength(2);
      expect(out).not.toContain('old');
      expect(out).toContain('keep');
      expect(out).toContain('deleted');
      expect(out.some((line) => line.startsWith(round === 1 ? '[setup 2/2] running' : '[setup 2/2] cached'))).toBe(true);
    }
  }, 60_000);

  it('builds a layer once when two runs on one store need it at the same time', async () => {
    const project = makeProject(`
jobs:
  unit:
    setup:
      - run: sleep 1 && touch ~/built
        network: none
    run: test -e ~/built && echo ok
`);
    const [a, b] = await Promise.all([project.cubicle(['run', '--junit', 'a.xml']), project.cubicle(['run', '--junit', 'b.xml'])]);
    expect(a.exitCode, a.stdout + a.stderr).toBe(0);
    expect(b.exitCode, b.stdout + b.stderr).toBe(0);
    // One runs the step, the other waits for its lock and finds the layer (setup steps see no caches to count in).
    const said = (line: string) => [a, b].filter((result) => outputOf(result.stdout, 'unit').some((out) => out.startsWith(line))).length;
    expect([said('[setup 1/1] running:'), said('[setup 1/1] cached:')]).toEqual([1, 1]);
  }, 60_000);

  it('keeps `caches:` between runs, outside every layer', async () => {
    const project = makeProject(`
jobs:
  unit:
    caches: [~/.cache/tool]
    run: echo run >> ~/.cache/tool/log && wc -l < ~/.cache/tool/log
`);
    const first = await project.cubicle(['run']);
    const second = await project.cubicle(['run']);
    expect(outputOf(first.stdout, 'unit')).toContain('1');
    expect(outputOf(second.stdout, 'unit')).toContain('2');
  }, 60_000);
});

describe('the layer store', () => {
  const config = `
jobs:
  unit:
    setup:
      - run: mkdir -p /root/data && head -c 100000 /dev/urandom > /root/data/blob && touch built-in-ws
        network: none
      - run: echo second > /root/data/second
        network: none
    run: cat /root/data/second && test -e built-in-ws && echo ws-ok
`;

  it('lists, verifies, exports, imports into an empty store and runs on cache hits only', async () => {
    const project = makeProject(config);
    const first = await project.cubicle(['run']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const ls = await project.cubicle(['cache', 'ls', '--json']);
    const layers = JSON.parse(ls.stdout) as { id: string; kind: string; parent: string; digest: string }[];
    expect(layers).toHaveLength(2);
    expect(layers.every((layer) => layer.kind === 'setup' && /^sha256:[0-9a-f]{64}$/.test(layer.digest))).toBe(true);
    expect((await project.cubicle(['cache', 'verify'])).exitCode).toBe(0);

    const archive = path.join(project.dir, '..', 'layers.tar.zst');
    const exported = await project.cubicle(['cache', 'export', archive]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(fs.statSync(archive).size).toBeGreaterThan(0);
    const pruned = await project.cubicle(['cache', 'prune', '--all']);
    expect(pruned.stdout).toContain('removed 2 layers');
    const imported = await project.cubicle(['cache', 'import', archive]);
    expect(imported.exitCode, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toContain('imported 2 layers');
    const again = await project.cubicle(['run', '--json', 'results.json']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    const out = outputOf(again.stdout, 'unit');
    expect(out.filter((line) => line.startsWith('[setup') && line.includes('cached'))).toHaveLength(2);
    expect(out).toContain('ws-ok');
  }, 120_000);

  it('says what failed when an archive is not one: exit 1, one line and the hint, no stack trace, the store unchanged', async () => {
    const project = makeProject(config);
    const garbage = path.join(project.dir, '..', 'not-an-archive.tar.zst');
    fs.writeFileSync(garbage, 'this is not zstd\n');
    const imported = await project.cubicle(['cache', 'import', garbage]);
    expect(imported.exitCode, imported.stderr).toBe(1);
    expect(imported.stderr).toContain(`cubicle: cannot import ${garbage}:`);
    expect(imported.stderr).toContain('nothing was imported');
    expect(imported.stderr).toMatch(/^hint: the file must be an archive made by `cubicle cache export`/m);
    expect(imported.stderr).not.toMatch(/^\s+at /m);
    expect(JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout)).toEqual([]);
  });

  it('drops a layer whose content changed, and the layers built on it', async () => {
    const project = makeProject(config);
    expect((await project.cubicle(['run'])).exitCode).toBe(0);
    const layers = JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout) as { id: string; parent: string }[];
    const bottom = layers.find((layer) => !layers.some((other) => other.id === layer.parent))!;
    fs.appendFileSync(path.join(project.cacheDir, 'layers', bottom.id, 'root', 'root', 'data', 'blob'), 'tampered');
    const verify = await project.cubicle(['cache', 'verify']);
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain(`corrupt  ${bottom.id.slice(0, 12)}  content changed`);
    expect(verify.stdout).toContain('2 dropped (1 built on a corrupt one)');
    expect(JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout)).toHaveLength(0);
  }, 60_000);

  it('prunes least recently used first down to --keep-size, and refuses a prune with no bound', async () => {
    const project = makeProject(config);
    expect((await project.cubicle(['run'])).exitCode).toBe(0);
    const refused = await project.cubicle(['cache', 'prune']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('nothing was removed');
    const pruned = await project.cubicle(['cache', 'prune', '--keep-size', '1k']);
    expect(pruned.stdout).toContain('removed 2 layers');
  }, 60_000);

  it('leaves no layer that verify rejects when the runner is SIGKILLed while building', async () => {
    const project = makeProject(`
jobs:
  unit:
    setup:
      - run: mkdir -p /root/many && for i in $(seq 1 400); do echo $i > /root/many/f$i; done
        network: none
    run: ls /root/many | wc -l
`);
    for (const delayMs of [0, 150, 300, 450, 600, 800]) {
      const child = project.spawn(['run']);
      await waitFor(() => false, delayMs);
      child.kill('SIGKILL');
      await child.catch(() => undefined);
    }
    const verify = await project.cubicle(['cache', 'verify']);
    expect(verify.exitCode, verify.stdout).toBe(0);
    const final = await project.cubicle(['run']);
    expect(final.exitCode, final.stdout + final.stderr).toBe(0);
    expect(outputOf(final.stdout, 'unit')).toContain('400');
    expect(fs.readdirSync(path.join(project.cacheDir, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(project.cacheDir, 'locks'))).toEqual([]);
  }, 120_000);
});

void CLI;

const hasMmdebstrap = execaSync('sh', ['-c', 'command -v mmdebstrap'], { reject: false }).exitCode === 0;
if (!hasMmdebstrap && process.env.CI !== 'true') console.log('skipped: debian images (mmdebstrap is not installed: apt-get install mmdebstrap)');

describe.runIf(hasMmdebstrap || process.env.CI === 'true')('image: debian:<suite>', () => {
  it('builds a minimal Debian rootfs with mmdebstrap once, as a layer, and runs setup and the job on it', async () => {
    const project = makeProject(`
jobs:
  deb:
    image: debian:bookworm
    setup:
      - run: echo from-setup > /etc/marker
        network: none
    run: cat /etc/debian_version /etc/marker && test ! -e /usr/bin/gcc && echo no-host-tools
`);
    const first = await project.cubicle(['run'], { timeoutMs: 300_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const out = outputOf(first.stdout, 'deb');
    expect(out.some((line) => /^12\.\d+$/.test(line))).toBe(true);
    expect(out).toContain('from-setup');
    expect(out).toContain('no-host-tools');
    expect(out.some((line) => line.includes('building it with mmdebstrap'))).toBe(true);
    const second = await project.cubicle(['run']);
    expect(second.exitCode).toBe(0);
    expect(outputOf(second.stdout, 'deb').some((line) => line.includes('mmdebstrap'))).toBe(false);
    const layers = JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout) as { kind: string }[];
    expect(layers.map((layer) => layer.kind).sort()).toEqual(['debian', 'setup']);
  }, 400_000);
});
