// oci:DIR, oci-archive:FILE and docker-archive:FILE, each written by skopeo from a local registry.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLayerTar, parseImageRef, pullImage, type PulledImage } from '../../src/image/oci/index.js';
import { errorOf, leftovers, listFiles, makeBlobsDir, readAll, removeBlobsDirs } from './blobs.js';
import { buildImage, pushImage, pushIndex, sampleImage, type BuiltImage } from './images.js';
import { HAVE_REGISTRY, HAVE_SKOPEO, startRegistry, type TestRegistry } from './registry.js';

if (!HAVE_REGISTRY || !HAVE_SKOPEO) console.warn('skipped: archive tests need docker-registry and skopeo (apt-get install docker-registry skopeo)');

describe.skipIf(!HAVE_REGISTRY || !HAVE_SKOPEO)('pullImage from archives and layouts', () => {
  let registry: TestRegistry;
  let work: string;
  let app: BuiltImage;
  let arm64: BuiltImage;
  let gzipOnly: BuiltImage;

  const skopeo = (source: string, destination: string, ...flags: string[]) =>
    // --src-no-creds: the local registry wants none, and skopeo would otherwise read /run/containers/UID/auth.json,
    // which an ordinary user cannot once rootful podman has made /run/containers (0700).
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--src-no-creds', ...flags, `docker://${registry.host}/${source}`, destination], {
      stdio: 'pipe',
    });

  /** Same image as pushed: config, diff_ids and every layer's tar. */
  async function expectSameImage(image: PulledImage, built: BuiltImage): Promise<void> {
    expect(image.configDigest).toBe(built.configDigest);
    expect(image.config.config?.Env).toEqual(JSON.parse(built.config.toString()).config.Env);
    expect(image.layers.map((layer) => layer.diffId)).toEqual(built.layers.map((layer) => layer.diffId));
    for (const [index, layer] of image.layers.entries()) {
      expect(fs.statSync(layer.blobPath).isFile()).toBe(true);
      expect((await readAll(openLayerTar(layer))).equals(built.layers[index]?.tar as Buffer)).toBe(true);
    }
  }

  beforeAll(async () => {
    registry = await startRegistry();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-archives-'));
    app = sampleImage();
    await pushImage(registry, 'app', 'v1', app);
    // docker-archive has no zstd: skopeo refuses to convert such a layer.
    gzipOnly = buildImage({
      layers: [
        { compression: 'gzip', files: { 'etc/a.txt': 'a\n', '.wh.x': '' } },
        { compression: 'none', files: { 'etc/b.txt': 'b\n' } },
      ],
    });
    await pushImage(registry, 'gz', 'v1', gzipOnly);
    arm64 = sampleImage('arm64', 'v8');
    await pushImage(registry, 'multi', 'arm64-only', arm64);
    await pushImage(registry, 'multi', 'amd64-only', app);
    await pushIndex(registry, 'multi', 'v1', [
      { image: app, architecture: 'amd64' },
      { image: arm64, architecture: 'arm64', variant: 'v8' },
    ]);
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    removeBlobsDirs();
  });

  it('oci:DIR, with and without a reference', async () => {
    skopeo('app:v1', `oci:${work}/layout:v1`);
    for (const text of [`oci:${work}/layout:v1`, `oci:${work}/layout`]) {
      const blobsDir = makeBlobsDir();
      const image = await pullImage(parseImageRef(text), { blobsDir });
      expect(image.ref).toBe(text);
      await expectSameImage(image, app);
      expect(leftovers(blobsDir)).toEqual([]);
    }
  });

  it('oci:DIR holding a whole multi-platform index (skopeo copy --all)', async () => {
    skopeo('multi:v1', `oci:${work}/all:multi`, '--all');
    const arm = await pullImage(parseImageRef(`oci:${work}/all:multi`), { blobsDir: makeBlobsDir(), platform: { os: 'linux', architecture: 'arm64' } });
    await expectSameImage(arm, arm64);
    const error = await errorOf(
      pullImage(parseImageRef(`oci:${work}/all:multi`), { blobsDir: makeBlobsDir(), platform: { os: 'linux', architecture: 'riscv64' } }),
    );
    expect(error.code).toBe('PLATFORM_NOT_FOUND');
  });

  it('oci-archive:FILE, read in place: only the blobs are written', async () => {
    skopeo('app:v1', `oci-archive:${work}/app-oci.tar:v1`);
    const blobsDir = makeBlobsDir();
    const image = await pullImage(parseImageRef(`oci-archive:${work}/app-oci.tar`), { blobsDir });
    await expectSameImage(image, app);
    // skopeo compresses the plain tar layer, so the manifest is its own.
    expect(listFiles(blobsDir).sort()).toEqual(
      [image.manifestDigest, image.configDigest, ...image.layers.map((layer) => layer.digest)].map((digest) => `sha256/${digest.slice(7)}`).sort(),
    );
    const named = await pullImage(parseImageRef(`oci-archive:${work}/app-oci.tar:v1`), { blobsDir });
    expect(named.layers).toEqual(image.layers);
    const missing = await errorOf(pullImage(parseImageRef(`oci-archive:${work}/app-oci.tar:v2`), { blobsDir }));
    expect(missing.code).toBe('IMAGE_NOT_FOUND');
    expect(missing.message).toContain('(it has: v1)');
  });

  it('docker-archive:FILE (uncompressed layers, digest = sha256 of the file), also gzip-compressed as a whole', async () => {
    skopeo('gz:v1', `docker-archive:${work}/app-docker.tar:app:v1`);
    fs.writeFileSync(`${work}/app-docker.tar.gz`, zlib.gzipSync(fs.readFileSync(`${work}/app-docker.tar`), { level: 1 }));
    for (const text of [`docker-archive:${work}/app-docker.tar`, `docker-archive:${work}/app-docker.tar:app:v1`, `docker-archive:${work}/app-docker.tar.gz`]) {
      const blobsDir = makeBlobsDir();
      const image = await pullImage(parseImageRef(text), { blobsDir });
      await expectSameImage(image, gzipOnly);
      for (const layer of image.layers) {
        expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
        expect(layer.digest).toBe(layer.diffId);
      }
      expect(leftovers(blobsDir)).toEqual([]);
    }
  });

  it('docker-archive: names the images it has when the one asked for is not there', async () => {
    const error = await errorOf(pullImage(parseImageRef(`docker-archive:${work}/app-docker.tar:other:v9`), { blobsDir: makeBlobsDir() }));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(error.message).toContain('app:v1');
  });

  it('DIGEST_MISMATCH for a layout whose blob was changed', async () => {
    skopeo('app:v1', `oci:${work}/tampered:v1`);
    const victim = app.layers[0]?.digest.slice(7) as string;
    const blob = fs.readFileSync(`${work}/tampered/blobs/sha256/${victim}`);
    blob.writeUInt8(blob.readUInt8(blob.length - 10) ^ 0xff, blob.length - 10);
    fs.writeFileSync(`${work}/tampered/blobs/sha256/${victim}`, blob);
    const blobsDir = makeBlobsDir();
    const error = await errorOf(pullImage(parseImageRef(`oci:${work}/tampered:v1`), { blobsDir }));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(victim);
    expect(leftovers(blobsDir)).toEqual([]);
    expect(fs.existsSync(`${blobsDir}/sha256/${victim}`)).toBe(false);
  });

  it('IMAGE_NOT_FOUND for a path that is not there', async () => {
    for (const text of [`oci:${work}/nothing`, `oci-archive:${work}/nothing.tar`, `docker-archive:${work}/nothing.tar`]) {
      const blobsDir = makeBlobsDir();
      const error = await errorOf(pullImage(parseImageRef(text), { blobsDir }));
      expect(error.code).toBe('IMAGE_NOT_FOUND');
      expect(error.message).toContain(`${work}/nothing`);
      expect(listFiles(blobsDir)).toEqual([]);
    }
  });
});
