// `image:` from a real OCI registry (Debian's docker-registry on 127.0.0.1), end to end: the
// CLI pulls, extracts each layer once into the store, stacks them with OCI whiteouts as
// overlay whiteouts, runs a setup step and the job on them. The image is built here: a
// static busybox, then a zstd layer that deletes a file and replaces a directory.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, pushImage, randomFile, type LayerSpec } from '../image/images.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from '../image/registry.js';
import { waitFor } from '../helpers/processes.js';
import { jobOf, makeProject, outputOf, removeProjects } from '../helpers/project.js';

/** A TCP proxy to `target` on 127.0.0.1 that passes the registry's answers at `bytesPerSecond`. */
async function slowProxy(target: string, bytesPerSecond: number): Promise<{ host: string; close(): void }> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      upstream.pause();
      client.write(chunk);
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const BUSYBOX = '/bin/busybox';

/** A static busybox as /bin/sh (PATH=/bin) with `files` beside it, and an `extra` layer on top. */
function busyboxImage(files: Record<string, string | Buffer>, extra?: LayerSpec) {
  const busybox = fs.readFileSync(BUSYBOX);
  const base: LayerSpec = { compression: 'gzip', files: { 'bin/busybox': busybox, 'bin/sh': busybox, ...files } };
  return buildImage({ layers: extra ? [base, extra] : [base], env: ['PATH=/bin'] });
}
const ready = HAVE_REGISTRY && fs.existsSync(BUSYBOX);
if (!ready && process.env.CI !== 'true')
  console.log('skipped: OCI image jobs (needs docker-registry and busybox-static: apt-get install docker-registry busybox-static)');

describe.runIf(ready || process.env.CI === 'true')('image: an OCI image from a registry', () => {
  let registry: TestRegistry;
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const busybox = fs.readFileSync(BUSYBOX);
    const image = buildImage({
      layers: [
        {
          compression: 'gzip',
          files: {
            'bin/busybox': busybox,
            'bin/sh': busybox,
            'etc/os-release': 'NAME=cubicle-test\n',
            'etc/gone': 'x\n',
            'opt/dir/old': 'old\n',
            'root/.keep': '',
          },
        },
        { compression: 'zstd', files: { 'etc/.wh.gone': '', 'opt/dir/.wh..wh..opq': '', 'opt/dir/new': 'new\n' } },
      ],
      env: ['PATH=/bin', 'FROM_IMAGE=yes'],
    });
    await pushImage(registry, 'test/busybox', '1', image);
    ref = `${registry.host}/test/busybox:1`;
  });

  afterAll(async () => {
    await registry?.stop();
    removeProjects();
  });

  it('pulls, stacks whiteouts as Docker does, runs setup and the job, and reuses the store offline', async () => {
    const project = makeProject(`
jobs:
  on-image:
    image: ${ref}
    setup:
      - run: echo from-setup > /etc/from-setup
        network: none
    run: busybox cat /etc/os-release /etc/from-setup; busybox ls /opt/dir; test -e /etc/gone || echo gone-hidden; echo "image-env=$FROM_IMAGE home=$HOME"; test -e /usr/bin/node || echo no-host-usr
`);
    const first = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const out = outputOf(first.stdout, 'on-image');
    expect(out).toEqual(expect.arrayContaining(['NAME=cubicle-test', 'from-setup', 'new', 'gone-hidden', 'image-env=yes home=/root', 'no-host-usr']));
    expect(out).not.toContain('old');
    const result = jobOf(project, 'on-image') as unknown as { image: { ref: string; digest: string } };
    expect(result.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const layers = JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout) as { kind: string }[];
    expect(layers.map((layer) => layer.kind).sort()).toEqual(['image', 'image', 'setup']);

    registry.kill();
    const second = await project.cubicle(['run']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(outputOf(second.stdout, 'on-image')).toContain('gone-hidden');
    await registry.restart();
  }, 180_000);

  it('--pull always asks the registry again for a tag that moved, --pull never stays offline', async () => {
    const release = (name: string) => busyboxImage({ 'etc/os-release': `NAME=${name}\n` });
    await pushImage(registry, 'test/moving', 'latest', release('first'));
    const moving = `${registry.host}/test/moving:latest`;
    const project = makeProject(`
jobs:
  moving:
    image: ${moving}
    run: busybox cat /etc/os-release
`);
    const nameIn = (stdout: string) => outputOf(stdout, 'moving').find((line) => line.startsWith('NAME='));
    const digestOf = () => (jobOf(project, 'moving') as unknown as { image: { digest: string } }).image.digest;
    const first = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(nameIn(first.stdout)).toBe('NAME=first');
    const firstDigest = digestOf();

    await pushImage(registry, 'test/moving', 'latest', release('second'));
    const stored = await project.cubicle(['run', '--json', 'results.json']);
    expect(nameIn(stored.stdout), 'the default (missing) keeps the stored image').toBe('NAME=first');
    const always = await project.cubicle(['run', '--json', 'results.json', '--pull', 'always'], { timeoutMs: 120_000 });
    expect(always.exitCode, always.stdout + always.stderr).toBe(0);
    expect(nameIn(always.stdout)).toBe('NAME=second');
    expect(digestOf()).not.toBe(firstDigest);

    // exec and shell take --pull too, and run on the image, not the host.
    const exec = await project.cubicle(['exec', '--image', moving, '--pull', 'never', '--', 'busybox', 'cat', '/etc/os-release']);
    expect(exec.exitCode, exec.stderr).toBe(0);
    expect(exec.stdout.trim()).toBe('NAME=second');
    const shell = await project.cubicle(['shell', 'moving', '--pull', 'never', '--command', 'busybox cat /etc/os-release']);
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout.trim()).toBe('NAME=second');

    registry.kill();
    try {
      const offline = await project.cubicle(['run', '--json', 'results.json', '--pull', 'never']);
      expect(offline.exitCode, offline.stdout + offline.stderr).toBe(0);
      expect(nameIn(offline.stdout)).toBe('NAME=second');
      const unreachable = await project.cubicle(['run', '--json', 'results.json', '--pull', 'always'], { timeoutMs: 120_000 });
      expect(unreachable.exitCode).toBe(1);
      expect(jobOf(project, 'moving').status).toBe('error');
      expect(jobOf(project, 'moving').message).toMatch(/image .*moving:latest could not be prepared/);
      const unstored = await project.cubicle(['exec', '--image', `${registry.host}/test/never-pulled:1`, '--pull', 'never', '--', 'true']);
      expect(unstored.exitCode).toBe(125);
      expect(unstored.stderr).toMatch(/never-pulled:1 is not in the layer store, and --pull never forbids asking the registry for it .*; nothing was run/);
    } finally {
      await registry.restart();
    }
  }, 300_000);

  it('removes, on the next run, the partial blob of a pull that SIGKILL cut short, and pulls it whole', async () => {
    const image = busyboxImage({}, { compression: 'none', files: { 'big.bin': randomFile(32 * 1024 * 1024) } });
    await pushImage(registry, 'test/big', '1', image);
    const proxy = await slowProxy(registry.host, 4 * 1024 * 1024);
    try {
      const config = (host: string) => `jobs:\n  big:\n    image: ${host}/test/big:1\n    run: busybox wc -c /big.bin\n`;
      const project = makeProject(config(proxy.host));
      const blobs = path.join(project.cacheDir, 'blobs', 'sha256');
      const partials = () => (fs.existsSync(blobs) ? fs.readdirSync(blobs).filter((name) => name.startsWith('.tmp-')) : []);
      const runner = project.spawn(['run']);
      const midway = await waitFor(
        () => partials().some((name) => (fs.statSync(path.join(blobs, name), { throwIfNoEntry: false })?.size ?? 0) > 1024 * 1024),
        30_000,
        20,
      );
      runner.kill('SIGKILL');
      await runner;
      expect(midway, 'the kill landed during the download').toBe(true);
      expect(partials().length, 'partial downloads the kill left').toBeGreaterThan(0);

      fs.writeFileSync(project.file('cubicle.config.yaml'), config(registry.host));
      const next = await project.cubicle(['run'], { timeoutMs: 120_000 });
      expect(next.exitCode, next.stdout + next.stderr).toBe(0);
      expect(outputOf(next.stdout, 'big').join(' ')).toContain(String(32 * 1024 * 1024));
      expect(partials()).toEqual([]);
    } finally {
      proxy.close();
    }
  }, 180_000);

  it('downloads each blob once for two runners started together on one store', async () => {
    const image = busyboxImage({}, { compression: 'none', files: { 'shared.bin': randomFile(8 * 1024 * 1024) } });
    await pushImage(registry, 'test/shared', '1', image);
    // Slow enough that the second runner asks while the first is still downloading.
    const proxy = await slowProxy(registry.host, 8 * 1024 * 1024);
    try {
      const project = makeProject(`jobs:\n  shared:\n    image: ${proxy.host}/test/shared:1\n    run: busybox wc -c /shared.bin\n`);
      registry.clearLog();
      const [first, second] = await Promise.all([project.spawn(['run']), project.spawn(['run'])]);
      for (const runner of [first, second]) {
        expect(runner.exitCode, String(runner.stdout) + String(runner.stderr)).toBe(0);
        expect(outputOf(String(runner.stdout), 'shared').join(' ')).toContain(String(8 * 1024 * 1024));
      }
      const blobGets = registry.requests().filter((entry) => entry.method === 'GET' && entry.uri.includes('/blobs/') && entry.status < 300);
      for (const layer of image.layers)
        expect(
          blobGets.filter((entry) => entry.uri.endsWith(layer.digest)),
          `GETs of ${layer.digest}`,
        ).toHaveLength(1);
    } finally {
      proxy.close();
    }
  }, 120_000);

  it('fails the job with a clear message for an unknown image, and runs the others', async () => {
    const project = makeProject(`
jobs:
  missing:
    image: ${registry.host}/test/no-such-image:1
    run: echo never
  fine:
    run: echo fine
`);
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    const missing = jobOf(project, 'missing');
    expect(missing.status).toBe('error');
    expect(missing.message).toMatch(/image .*no-such-image:1 could not be prepared: .*not found/i);
    expect(jobOf(project, 'fine').status).toBe('passed');
  }, 60_000);
});
