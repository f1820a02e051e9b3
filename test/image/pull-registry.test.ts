// pullImage against a real docker-registry: tags, digests, indexes, layers and their tars.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLayerTar, parseImageRef, pullImage, type PullProgress } from '../../src/image/oci/index.js';
import { errorOf, leftovers, listFiles, makeBlobsDir, readAll, removeBlobsDirs } from './blobs.js';
import { buildImage, pushImage, pushIndex, sampleImage, type BuiltImage } from './images.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from './registry.js';

if (!HAVE_REGISTRY) console.warn('skipped: docker-registry is not installed (apt-get install docker-registry)');

describe.skipIf(!HAVE_REGISTRY)('pullImage from a registry', () => {
  let registry: TestRegistry;
  let app: BuiltImage;
  let amd64: BuiltImage;
  let arm64: BuiltImage;
  let dockerImage: BuiltImage;
  let indexDigest: string;

  beforeAll(async () => {
    registry = await startRegistry();
    app = sampleImage();
    await pushImage(registry, 'app', 'v1', app);
    amd64 = sampleImage('amd64');
    arm64 = sampleImage('arm64', 'v8');
    await pushImage(registry, 'multi', 'amd64-only', amd64);
    await pushImage(registry, 'multi', 'arm64-only', arm64);
    indexDigest = (
      await pushIndex(registry, 'multi', 'v1', [
        { image: amd64, architecture: 'amd64' },
        { image: arm64, architecture: 'arm64', variant: 'v8' },
      ])
    ).digest;
    dockerImage = buildImage({ format: 'docker', layers: [{ compression: 'gzip', files: { 'etc/docker.txt': 'docker schema 2\n' } }] });
    await pushImage(registry, 'dockerfmt', 'v1', dockerImage);
  });

  afterAll(async () => {
    await registry?.stop();
    removeBlobsDirs();
  });

  const blobGets = () => registry.requests().filter((entry) => entry.method === 'GET' && entry.uri.includes('/blobs/'));

  it('pulls by tag: manifest, config and every layer verified and stored by digest', async () => {
    const blobsDir = makeBlobsDir();
    const image = await pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir });
    expect(image.ref).toBe(`${registry.host}/app:v1`);
    expect(image.manifestDigest).toBe(app.manifestDigest);
    expect(image.configDigest).toBe(app.configDigest);
    expect(image.config).toMatchObject({
      os: 'linux',
      architecture: 'amd64',
      config: { Env: ['PATH=/usr/bin:/bin', 'ARCH=amd64'], Cmd: ['/bin/sh'], WorkingDir: '/work', User: '1000' },
    });
    expect(image.layers.map((layer) => [layer.digest, layer.diffId, layer.mediaType, layer.size])).toEqual(
      app.layers.map((layer) => [layer.digest, layer.diffId, layer.mediaType, layer.blob.length]),
    );
    for (const [index, layer] of image.layers.entries()) {
      expect(layer.blobPath).toBe(path.join(blobsDir, 'sha256', layer.digest.slice(7)));
      expect(fs.readFileSync(layer.blobPath).equals((app.layers[index] as BuiltImage['layers'][number]).blob)).toBe(true);
    }
    expect(fs.readFileSync(path.join(blobsDir, 'sha256', app.configDigest.slice(7))).equals(app.config)).toBe(true);
    expect(leftovers(blobsDir)).toEqual([]);
    expect(listFiles(blobsDir)).toHaveLength(5);
  });

  it('downloads nothing again: a second pull finds every blob in place', async () => {
    const blobsDir = makeBlobsDir();
    const first = await pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir });
    const before = first.layers.map((layer) => fs.statSync(layer.blobPath)).map((stat) => [stat.ino, stat.mtimeMs]);
    registry.clearLog();
    const progress: PullProgress[] = [];
    const second = await pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir, onProgress: (entry) => progress.push(entry) });
    expect(second).toEqual(first);
    expect(blobGets()).toEqual([]);
    expect(second.layers.map((layer) => fs.statSync(layer.blobPath)).map((stat) => [stat.ino, stat.mtimeMs])).toEqual(before);
    expect(new Set(progress.map((entry) => entry.phase))).toEqual(new Set(['cached']));
  });

  it('downloads each blob once when two pulls run at once', async () => {
    const blobsDir = makeBlobsDir();
    registry.clearLog();
    const [one, two] = await Promise.all([
      pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir }),
      pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir }),
    ]);
    expect(one).toEqual(two);
    const expected = [app.configDigest, ...app.layers.map((layer) => layer.digest)].sort();
    // The registry logs a request after answering it: under load the last line lands a moment after the pull ends.
    for (let waited = 0; blobGets().length < expected.length && waited < 3000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const fetched = blobGets().map((entry) => entry.uri.split('/').pop());
    expect(fetched.sort()).toEqual(expected);
    expect(leftovers(blobsDir)).toEqual([]);
  });

  it('pulls by digest, and by tag@digest', async () => {
    for (const text of [`${registry.host}/app@${app.manifestDigest}`, `${registry.host}/app:ignored@${app.manifestDigest}`]) {
      const image = await pullImage(parseImageRef(text), { blobsDir: makeBlobsDir() });
      expect(image.manifestDigest).toBe(app.manifestDigest);
      expect(image.layers).toHaveLength(3);
    }
  });

  it('reports progress per layer, ending in done', async () => {
    const progress: PullProgress[] = [];
    await pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir: makeBlobsDir(), onProgress: (entry) => progress.push(entry) });
    for (const layer of app.layers) {
      const last = progress.filter((entry) => entry.layer === layer.digest).at(-1);
      expect(last).toEqual({ layer: layer.digest, done: layer.blob.length, total: layer.blob.length, phase: 'done' });
    }
  });

  it('gives each layer as its uncompressed tar (gzip, zstd with a whiteout, plain), checked against its diff_id', async () => {
    const image = await pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir: makeBlobsDir() });
    expect(image.layers.map((layer) => layer.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar+zstd',
      'application/vnd.oci.image.layer.v1.tar',
    ]);
    for (const [index, layer] of image.layers.entries()) {
      const tar = await readAll(openLayerTar(layer));
      expect(tar.equals((app.layers[index] as BuiltImage['layers'][number]).tar)).toBe(true);
    }
    expect((await readAll(openLayerTar(image.layers[1] as never))).includes(Buffer.from('x/.wh.doomed.txt'))).toBe(true);
  });

  it('fails the layer stream with DIGEST_MISMATCH when the tar is not the diff_id', async () => {
    const image = await pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir: makeBlobsDir() });
    for (const layer of image.layers) {
      const wrong = { ...layer, diffId: `sha256:${'0'.repeat(64)}` };
      const error = await errorOf(readAll(openLayerTar(wrong)));
      expect(error.code).toBe('DIGEST_MISMATCH');
      expect(error.message).toContain(layer.digest);
      expect(error.message).toContain('diff_id');
    }
  });

  it("picks this machine's platform from an OCI index, or the one asked for", async () => {
    const host = await pullImage(parseImageRef(`${registry.host}/multi:v1`), { blobsDir: makeBlobsDir(), platform: { os: 'linux', architecture: 'amd64' } });
    expect(host.manifestDigest).toBe(amd64.manifestDigest);
    expect(host.config.architecture).toBe('amd64');
    const arm = await pullImage(parseImageRef(`${registry.host}/multi:v1`), {
      blobsDir: makeBlobsDir(),
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    expect(arm.manifestDigest).toBe(arm64.manifestDigest);
    expect(arm.config.config?.Env).toContain('ARCH=arm64');
    const armNoVariant = await pullImage(parseImageRef(`${registry.host}/multi@${indexDigest}`), {
      blobsDir: makeBlobsDir(),
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(armNoVariant.manifestDigest).toBe(arm64.manifestDigest);
    const byDefault = await pullImage(parseImageRef(`${registry.host}/multi:v1`), { blobsDir: makeBlobsDir() });
    expect(byDefault.config.architecture).toBe(process.arch === 'arm64' ? 'arm64' : 'amd64');
  });

  it('names the platforms there are when none fits (PLATFORM_NOT_FOUND)', async () => {
    const blobsDir = makeBlobsDir();
    const error = await errorOf(pullImage(parseImageRef(`${registry.host}/multi:v1`), { blobsDir, platform: { os: 'linux', architecture: 's390x' } }));
    expect(error.code).toBe('PLATFORM_NOT_FOUND');
    expect(error.message).toContain('linux/s390x');
    expect(error.message).toContain('linux/amd64, linux/arm64/v8');
    expect(error.message).toContain('nothing partial was stored');
    expect(listFiles(blobsDir)).toEqual([]);
    const single = await errorOf(pullImage(parseImageRef(`${registry.host}/multi:arm64-only`), { blobsDir, platform: { os: 'linux', architecture: 'amd64' } }));
    expect(single.code).toBe('PLATFORM_NOT_FOUND');
    expect(single.message).toContain('linux/arm64/v8');
  });

  it('pulls Docker schema 2 manifests', async () => {
    const image = await pullImage(parseImageRef(`${registry.host}/dockerfmt:v1`), { blobsDir: makeBlobsDir() });
    expect(image.manifestDigest).toBe(dockerImage.manifestDigest);
    expect(image.layers[0]?.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    expect((await readAll(openLayerTar(image.layers[0] as never))).equals(dockerImage.layers[0]?.tar as Buffer)).toBe(true);
  });
});
