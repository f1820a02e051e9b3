// Setup layers shared through a real OCI registry (Debian's docker-registry on 127.0.0.1): machine
// A builds and pushes (`run --cache-to`), machine B (a fresh store, another HOME, and as root
// another user) runs with `--cache-from` and builds nothing. Then what must not go wrong: a
// tampered blob, a manifest that lies about a layer, a registry killed mid-push, a token that
// may only pull, a registry that is down. None of them fails a run.
import { execa, execaSync } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { outputOf, type CliResult } from '../helpers/project.js';
import { tempDirs } from '../helpers/temp.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from '../image/registry.js';

const temps = tempDirs('cubicle-regcache');
afterAll(() => temps.removeAll());

const USER = 'ci';
const PASSWORD = 'registry-secret-3141';
const OTHER_USER = process.env.CUBICLE_TEST_USER || 'cubtest';

const CONFIG = `
jobs:
  app:
    setup:
      - run: date +%s%N > step1.marker
        network: none
      - run: cat input.txt > step2.out && date +%s%N > step2.marker
        inputs: [input.txt]
        network: none
    run: cat step1.marker step2.marker step2.out
  other:
    setup:
      - run: date +%s%N > other.marker
        network: none
    run: cat other.marker
`;

/**
 * Every machine checks the project out at the same path, as CI runners do (GitLab's /builds/group/project,
 * GitHub's /home/runner/work/repo/repo): a setup step's key includes its working directory, the checkout.
 */
const CHECKOUT = path.join(os.tmpdir(), `cubicle-regcache-checkout-${process.pid}`);
afterAll(() => fs.rmSync(CHECKOUT, { recursive: true, force: true }));

interface Checkout {
  readonly dir: string;
  file(relative: string): string;
}

/** A fresh checkout of CONFIG at CHECKOUT (the previous machine's is gone), owned by `owner` when given. */
function checkout(input: string, owner?: string, config = CONFIG): Checkout {
  fs.rmSync(CHECKOUT, { recursive: true, force: true });
  fs.mkdirSync(CHECKOUT, { mode: 0o755 });
  fs.writeFileSync(path.join(CHECKOUT, 'cubicle.config.yaml'), config);
  fs.writeFileSync(path.join(CHECKOUT, 'input.txt'), input);
  if (owner) execaSyncChown(owner, CHECKOUT);
  return { dir: CHECKOUT, file: (relative) => path.join(CHECKOUT, relative) };
}

/** HOME and PATH are in a host job's step keys: every machine gets the same, as runners of one image have. */
const HOME = path.join(os.tmpdir(), `cubicle-regcache-home-${process.pid}`);
fs.mkdirSync(HOME, { recursive: true, mode: 0o1777 });
fs.chmodSync(HOME, 0o1777);
afterAll(() => fs.rmSync(HOME, { recursive: true, force: true }));

/** A machine: its own docker auth file for the registry (DOCKER_CONFIG) and its own store. */
interface Machine {
  run(project: Checkout, args: string[]): Promise<CliResult>;
  readonly cacheDir: string;
}

function machine(registryHost: string, credentials: { user: string; password: string } | undefined, owner?: string): Machine {
  const root = temps.make();
  fs.chmodSync(root, 0o755);
  const home = path.join(root, 'home');
  const cacheDir = path.join(root, 'cache');
  fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
  if (credentials) {
    const auth = Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64');
    fs.writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [registryHost]: { auth } } }));
  }
  if (owner) execaSyncChown(owner, root);
  return {
    cacheDir,
    async run(project, args) {
      const env = { HOME, PATH: process.env.PATH ?? '', CUBICLE_CACHE_DIR: cacheDir, NO_COLOR: '1', DOCKER_CONFIG: path.join(home, '.docker') };
      const command = owner
        ? execa('runuser', ['-u', owner, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, CLI, ...args], {
            cwd: project.dir,
            reject: false,
            stdin: 'ignore',
            timeout: 90_000,
          })
        : execa(process.execPath, [CLI, ...args], {
            cwd: project.dir,
            env: { ...process.env, FORCE_COLOR: undefined, ...env },
            reject: false,
            stdin: 'ignore',
            timeout: 90_000,
          });
      const result = await command;
      return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
  };
}

function execaSyncChown(owner: string, dir: string): void {
  fs.chmodSync(dir, 0o755);
  execaSync('chown', ['-R', `${owner}:`, dir]);
}

/** The job's output lines that are not cubicle's own setup lines. */
const markers = (result: CliResult, job: string) => outputOf(result.stdout, job).filter((line) => !line.startsWith('['));

/** Another user can run this checkout's CLI (root's suite, a repo others can read). */
function otherUserAvailable(): string | null {
  if (!IS_ROOT) return 'skipped: machine B runs as the same user (only root can run it as another)';
  const probe = execaSync('runuser', ['-u', OTHER_USER, '--', 'test', '-r', CLI], { reject: false });
  return probe.exitCode === 0 ? null : `skipped: ${OTHER_USER} cannot read ${CLI}; machine B runs as root with its own HOME and store`;
}

function layerBlobGets(registry: TestRegistry): string[] {
  return registry
    .requests()
    .filter((entry) => entry.method === 'GET' && /\/blobs\/sha256:/.test(entry.uri))
    .map((entry) => entry.uri.replace(/^.*\/blobs\//, ''));
}

interface ManifestLayer {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

async function manifestOf(registry: TestRegistry, repository: string): Promise<{ status: number; layers: ManifestLayer[]; raw: Record<string, unknown> }> {
  const authorization = (await registry.pushAuth(`repository:${repository}:pull`)) ?? '';
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/latest`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json', authorization },
  });
  if (response.status !== 200) return { status: response.status, layers: [], raw: {} };
  const raw = (await response.json()) as Record<string, unknown> & { layers: ManifestLayer[] };
  return { status: 200, layers: raw.layers, raw };
}

/** The manifest entry of the layer built by the setup step whose command contains `text` (from A's store). */
async function entryFor(registry: TestRegistry, repository: string, a: Machine, project: Checkout, text: string): Promise<ManifestLayer> {
  const listed = await a.run(project, ['cache', 'ls', '--json']);
  const layer = (JSON.parse(listed.stdout) as { id: string; description: string }[]).find((entry) => entry.description.includes(text));
  if (!layer) throw new Error(`no layer for ${text}`);
  const { layers } = await manifestOf(registry, repository);
  const entry = layers.find((candidate) => candidate.annotations?.['dev.cubicle.layer.id'] === layer.id);
  if (!entry) throw new Error(`layer ${layer.id} is not in the manifest`);
  return entry;
}

describe.skipIf(!HAVE_REGISTRY)('setup layers through a registry cache (htpasswd basic auth)', () => {
  let registry: TestRegistry;
  const REPOSITORY = 'team/app/cubicle-cache';
  let ref: string;
  let a: Machine;
  let project: Checkout;
  let first: CliResult;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
    ref = `${registry.host}/${REPOSITORY}`;
    a = machine(registry.host, { user: USER, password: PASSWORD });
    project = checkout('version 1\n');
    first = await a.run(project, ['run', '--cache-to', ref]);
  }, 120_000);
  afterAll(async () => registry?.stop());

  it('machine A builds every step and pushes its layers as one OCI 1.1 artifact', async () => {
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('[setup 2/2] running:');
    expect(first.stderr).toMatch(/3 layers pushed .*0 already there, timings updated/);
    const manifest = await manifestOf(registry, REPOSITORY);
    expect(manifest.raw.artifactType).toBe('application/vnd.cubicle.cache.v1+json');
    expect((manifest.raw.config as ManifestLayer).mediaType).toBe('application/vnd.oci.empty.v1+json');
    const layers = manifest.layers.filter((layer) => layer.mediaType === 'application/vnd.cubicle.layer.v1.tar+zstd');
    expect(layers).toHaveLength(3);
    for (const layer of layers) {
      expect(layer.annotations?.['dev.cubicle.layer.id']).toMatch(/^[0-9a-f]{64}$/);
      expect(layer.annotations?.['dev.cubicle.layer.digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(layer.annotations).toHaveProperty('dev.cubicle.layer.parent');
    }
    expect(manifest.layers.filter((layer) => layer.mediaType === 'application/vnd.cubicle.timings.v1+xml')).toHaveLength(1);
  });

  it("machine B (a fresh store, another user) runs both of app's steps from the registry, fetching only their blobs", async (context) => {
    const skip = otherUserAvailable();
    if (skip) context.annotate(skip);
    const b = machine(registry.host, { user: USER, password: PASSWORD }, skip ? undefined : OTHER_USER);
    const wanted = [await entryFor(registry, REPOSITORY, a, project, 'step1'), await entryFor(registry, REPOSITORY, a, project, 'step2')];
    const unwanted = await entryFor(registry, REPOSITORY, a, project, 'other.marker');
    const projectB = checkout('version 1\n', skip ? undefined : OTHER_USER);
    registry.clearLog();
    const second = await b.run(projectB, ['run', 'app', '--cache-from', ref, ...(skip ? [] : ['--no-limits'])]);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/\[setup 1\/2\] cached \(from registry cache /);
    expect(second.stdout).toMatch(/\[setup 2\/2\] cached \(from registry cache /);
    expect(second.stdout).not.toContain('running:');
    // The markers A's steps wrote: the commands never ran on B.
    expect(markers(second, 'app')).toEqual(markers(first, 'app'));
    const fetched = layerBlobGets(registry);
    for (const layer of wanted) expect(fetched).toContain(layer.digest);
    expect(fetched).not.toContain(unwanted.digest);
    const timings = (await manifestOf(registry, REPOSITORY)).layers.find((layer) => layer.mediaType.includes('timings'))!;
    expect(new Set(fetched)).toEqual(new Set([...wanted.map((layer) => layer.digest), timings.digest]));
  });

  it('a changed input rebuilds only its step and pushes only its layer; the timings keep the other job', async () => {
    project = checkout('version 2\n');
    const before = (await manifestOf(registry, REPOSITORY)).layers;
    const third = await a.run(project, ['run', 'app', '--cache-from', ref, '--cache-to', ref]);
    expect(third.exitCode, third.stdout + third.stderr).toBe(0);
    expect(third.stdout).toMatch(/\[setup 1\/2\] cached: /);
    expect(third.stdout).toMatch(/\[setup 2\/2\] running: /);
    expect(third.stderr).toMatch(/1 layer pushed .*1 already there/);
    const after = (await manifestOf(registry, REPOSITORY)).layers;
    const ids = (layers: ManifestLayer[]) => layers.flatMap((layer) => layer.annotations?.['dev.cubicle.layer.id'] ?? []);
    expect(ids(after)).toHaveLength(4);
    expect(ids(after).filter((id) => !ids(before).includes(id))).toHaveLength(1);
    const timingsFile = path.join(project.dir, 'cached-timings.xml');
    const pulled = await a.run(project, ['cache', 'pull', ref, '--timings-to', timingsFile]);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    const timings = fs.readFileSync(timingsFile, 'utf8');
    expect(timings).toMatch(/<testsuite [^>]*name="app"/);
    expect(timings).toMatch(/<testsuite [^>]*name="other"/);
  });

  it('a blob tampered in the registry is refused on pull; that step is built here, the next comes from the registry', async () => {
    const step1 = await entryFor(registry, REPOSITORY, a, project, 'step1');
    const data = registry.blobDataPath(step1.digest);
    const bytes = fs.readFileSync(data);
    bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
    fs.writeFileSync(data, bytes);
    try {
      const d = machine(registry.host, { user: USER, password: PASSWORD });
      const projectD = checkout('version 2\n');
      const result = await d.run(projectD, ['run', 'app', '--cache-from', ref]);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.stderr).toMatch(/warning: registry cache .*layer [0-9a-f]{12} .*could not be downloaded .*hash to sha256:[0-9a-f]{64}; it was not kept/);
      expect(result.stdout).toMatch(/\[setup 1\/2\] running: /);
      expect(result.stdout).toMatch(/\[setup 2\/2\] cached \(from registry cache /);
      expect(fs.readdirSync(path.join(d.cacheDir, 'tmp'))).toEqual([]);
    } finally {
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
      fs.writeFileSync(data, bytes);
    }
  });

  it("a manifest whose annotation does not match the layer's content digest: the layer is dropped, built here", async () => {
    const manifest = await manifestOf(registry, REPOSITORY);
    const step1 = await entryFor(registry, REPOSITORY, a, project, 'step1');
    const lying = {
      ...manifest.raw,
      layers: manifest.layers.map((layer) =>
        layer.digest === step1.digest ? { ...layer, annotations: { ...layer.annotations, 'dev.cubicle.layer.digest': `sha256:${'0'.repeat(64)}` } } : layer,
      ),
    };
    const authorization = (await registry.pushAuth(`repository:${REPOSITORY}:pull,push`)) ?? '';
    const put = await fetch(`${registry.url}/v2/${REPOSITORY}/manifests/latest`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', authorization },
      body: JSON.stringify(lying),
    });
    expect(put.status).toBe(201);
    const e = machine(registry.host, { user: USER, password: PASSWORD });
    const projectE = checkout('version 2\n');
    const result = await e.run(projectE, ['run', 'app', '--cache-from', ref]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(/layer [0-9a-f]{12} was refused \(.*content digest sha256:[0-9a-f]{64} is not the manifest's sha256:0{64}/);
    expect(result.stdout).toMatch(/\[setup 1\/2\] running: /);
    // Restore the honest manifest for the tests after this one.
    const restored = await fetch(`${registry.url}/v2/${REPOSITORY}/manifests/latest`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', authorization },
      body: JSON.stringify(manifest.raw),
    });
    expect(restored.status).toBe(201);
  });

  it('a registry that is down: a warning, every step built here, the run passes', async () => {
    const down = machine('127.0.0.1:9', undefined);
    const projectF = checkout('version 1\n');
    const result = await down.run(projectF, ['run', 'app', '--cache-from', '127.0.0.1:9/team/cache', '--cache-to', '127.0.0.1:9/team/cache']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: registry cache 127\.0\.0\.1:9\/team\/cache:latest: cannot be read/);
    expect(result.stderr).toMatch(/warning: registry cache 127\.0\.0\.1:9\/team\/cache:latest: push failed/);
    expect(result.stdout).toMatch(/\[setup 2\/2\] running: /);
  });

  it('cache push and pull move the whole store, with the password on stdin only', async () => {
    const g = machine(registry.host, undefined);
    const projectG = checkout('version 1\n');
    const pulled = await execa(process.execPath, [CLI, 'cache', 'pull', ref, '--username', USER, '--password-stdin'], {
      cwd: projectG.dir,
      env: { ...process.env, CUBICLE_CACHE_DIR: g.cacheDir, HOME, DOCKER_CONFIG: path.join(path.dirname(g.cacheDir), 'home', '.docker') },
      input: `${PASSWORD}\n`,
      reject: false,
    });
    expect(pulled.exitCode, String(pulled.stderr)).toBe(0);
    expect(String(pulled.stdout)).toMatch(/pulled 4 layers from /);
    const run = await g.run(projectG, ['run']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain('running:');
    const wrong = await execa(process.execPath, [CLI, 'cache', 'push', ref, '--username', USER, '--password-stdin'], {
      cwd: projectG.dir,
      env: { ...process.env, CUBICLE_CACHE_DIR: g.cacheDir, HOME, DOCKER_CONFIG: path.join(path.dirname(g.cacheDir), 'home', '.docker') },
      input: 'not-the-password\n',
      reject: false,
    });
    expect(wrong.exitCode).toBe(1);
    expect(String(wrong.stderr)).toMatch(/push failed/);
    expect(String(wrong.stderr)).not.toContain('not-the-password');
  });
});

describe.skipIf(!HAVE_REGISTRY)('a registry cache behind a token service, and a push that dies', () => {
  it('a read-only token: the pull works, the push is a warning naming the refusal, never the secret', async () => {
    const registry = await startRegistry({ token: { user: USER, password: PASSWORD, readOnly: { user: 'reader', password: 'reader-secret-2718' } } });
    try {
      const ref = `${registry.host}/team/tok/cubicle-cache`;
      const writer = machine(registry.host, { user: USER, password: PASSWORD });
      const project = checkout('version 1\n');
      const pushed = await writer.run(project, ['run', 'app', '--cache-to', ref]);
      expect(pushed.exitCode, pushed.stdout + pushed.stderr).toBe(0);
      expect(pushed.stderr).toMatch(/2 layers pushed/);
      const reader = machine(registry.host, { user: 'reader', password: 'reader-secret-2718' });
      const projectR = checkout('version 3\n');
      const result = await reader.run(projectR, ['run', 'app', '--cache-from', ref, '--cache-to', ref]);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\[setup 1\/2\] cached \(from registry cache /);
      expect(result.stderr).toMatch(/warning: registry cache .*: push failed \(.*push/);
      expect(result.stdout + result.stderr).not.toContain('reader-secret-2718');
    } finally {
      await registry.stop();
    }
  }, 120_000);

  it('the registry killed mid-push: no manifest, the run passes, nothing half-made stays', async () => {
    const registry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
    try {
      const ref = `${registry.host}/team/big/cubicle-cache`;
      const big = checkout(
        '',
        undefined,
        `
jobs:
  big:
    setup:
      - run: head -c 120000000 /dev/urandom > big.bin
        network: none
    run: test -s big.bin
`,
      );
      const m = machine(registry.host, { user: USER, password: PASSWORD });
      const running = m.run(big, ['run', '--cache-to', ref]);
      const patched = await waitFor(() => registry.requests().some((entry) => entry.method === 'PATCH'), 80_000, 20);
      expect(patched, 'a chunk was uploaded').toBe(true);
      registry.kill();
      const result = await running;
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.stderr).toMatch(/warning: registry cache .*: push failed/);
      await registry.restart();
      expect((await manifestOf(registry, 'team/big/cubicle-cache')).status).toBe(404);
      expect(fs.readdirSync(path.join(m.cacheDir, 'tmp'))).toEqual([]);
    } finally {
      await registry.stop();
    }
  }, 150_000);
});
