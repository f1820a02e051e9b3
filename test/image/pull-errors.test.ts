// What a failed pull says, and that it leaves no half-written blob behind.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageRef, pullImage } from '../../src/image/oci/index.js';
import { errorOf, leftovers, listFiles, makeBlobsDir, removeBlobsDirs } from './blobs.js';
import { buildImage, pushImage, randomFile, sampleImage, type BuiltImage } from './images.js';
import { HAVE_REGISTRY, freePort, nonLoopbackAddress, startRegistry, type TestRegistry } from './registry.js';

if (!HAVE_REGISTRY) console.warn('skipped: docker-registry is not installed (apt-get install docker-registry)');

describe.skipIf(!HAVE_REGISTRY)('a failed pull', () => {
  let registry: TestRegistry;
  let app: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry();
    app = sampleImage();
    await pushImage(registry, 'app', 'v1', app);
  });

  afterAll(async () => {
    await registry?.stop();
    removeBlobsDirs();
  });

  it('IMAGE_NOT_FOUND for an unknown repository, with what the registry said', async () => {
    const blobsDir = makeBlobsDir();
    const error = await errorOf(pullImage(parseImageRef(`${registry.host}/nope:v1`), { blobsDir }));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(error.message).toMatch(new RegExp(`^image not found: ${registry.host}/nope:v1 \\(registry said: (NAME_UNKNOWN|MANIFEST_UNKNOWN)`));
    expect(error.message).toContain('nothing partial was stored');
    expect(error.hint).toBeTruthy();
    expect(listFiles(blobsDir)).toEqual([]);
  });

  it('IMAGE_NOT_FOUND for an unknown tag or digest', async () => {
    const blobsDir = makeBlobsDir();
    const tag = await errorOf(pullImage(parseImageRef(`${registry.host}/app:nope`), { blobsDir }));
    expect(tag.code).toBe('IMAGE_NOT_FOUND');
    expect(tag.message).toContain('MANIFEST_UNKNOWN');
    const digest = await errorOf(pullImage(parseImageRef(`${registry.host}/app@sha256:${'1'.repeat(64)}`), { blobsDir }));
    expect(digest.code).toBe('IMAGE_NOT_FOUND');
    expect(listFiles(blobsDir)).toEqual([]);
  });

  it('DIGEST_MISMATCH for a blob tampered with in the registry, and no trace of it', async () => {
    const image = buildImage({
      layers: [
        { compression: 'gzip', files: { 'a.txt': 'original' } },
        { compression: 'gzip', files: { 'b.txt': randomFile(200_000) } },
      ],
    });
    await pushImage(registry, 'tampered', 'v1', image);
    const victim = image.layers[1] as BuiltImage['layers'][number];
    fs.writeFileSync(registry.blobDataPath(victim.digest), randomFile(victim.blob.length));
    const blobsDir = makeBlobsDir();
    const error = await errorOf(pullImage(parseImageRef(`${registry.host}/tampered:v1`), { blobsDir }));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(victim.digest);
    expect(error.message).toContain('nothing partial was stored');
    expect(error.hint).toMatch(/push or save the image again/);
    expect(leftovers(blobsDir)).toEqual([]);
    expect(fs.existsSync(`${blobsDir}/sha256/${victim.digest.slice(7)}`)).toBe(false);
  });

  it('REGISTRY_UNREACHABLE when nothing listens, after retries', async () => {
    const blobsDir = makeBlobsDir();
    const started = Date.now();
    const host = `127.0.0.1:${await freePort()}`;
    const error = await errorOf(pullImage(parseImageRef(`${host}/app:v1`), { blobsDir, retryDelaysMs: [50, 100] }));
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain(`registry ${host} after 3 attempts`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(listFiles(blobsDir)).toEqual([]);
  });
});

const ADDRESS = nonLoopbackAddress();
if (HAVE_REGISTRY && !ADDRESS) console.warn('skipped: plain HTTP off loopback needs a non-loopback IPv4 address on this machine');

describe.skipIf(!HAVE_REGISTRY || !ADDRESS)('a plain-HTTP registry off loopback', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ allAddresses: true });
    await pushImage(registry, 'app', 'v1', sampleImage());
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('is refused with INSECURE_REGISTRY, unless named in insecureRegistries', async () => {
    const host = `${ADDRESS}:${registry.port}`;
    const blobsDir = makeBlobsDir();
    const error = await errorOf(pullImage(parseImageRef(`${host}/app:v1`), { blobsDir }));
    expect(error.code).toBe('INSECURE_REGISTRY');
    expect(error.message).toContain(`registry ${host} does not speak https`);
    expect(error.message).toContain('nothing partial was stored');
    expect(error.hint).toContain(`add "${host}" to insecureRegistries`);
    expect(listFiles(blobsDir)).toEqual([]);
    const image = await pullImage(parseImageRef(`${host}/app:v1`), { blobsDir, insecureRegistries: [host] });
    expect(image.layers).toHaveLength(3);
  });
});

describe.skipIf(!HAVE_REGISTRY)('a registry that dies during a download', () => {
  let registry: TestRegistry;
  let big: BuiltImage;
  const bigLayer = () => big.layers[1] as BuiltImage['layers'][number];

  beforeAll(async () => {
    registry = await startRegistry();
    big = buildImage({
      layers: [
        { compression: 'gzip', files: { 'small.txt': 'small' } },
        { compression: 'gzip', files: { 'big.bin': randomFile(48 * 1024 * 1024) } },
      ],
    });
    await pushImage(registry, 'big', 'v1', big);
  });

  afterAll(async () => {
    await registry?.stop();
    removeBlobsDirs();
  });

  it('is retried with backoff, then fails with REGISTRY_UNREACHABLE naming the registry and the blob', async () => {
    const blobsDir = makeBlobsDir();
    let killedAt = 0;
    let smallDone = false;
    const started = Date.now();
    const error = await errorOf(
      pullImage(parseImageRef(`${registry.host}/big:v1`), {
        blobsDir,
        onProgress: ({ layer, done, phase }) => {
          // Only once the small layer is in: killed mid-way (a loaded host), it was the one the error named.
          if (layer === big.layers[0]?.digest && (phase === 'done' || phase === 'cached')) smallDone = true;
          if (!killedAt && smallDone && layer === bigLayer().digest && phase === 'downloading' && done > 2 * 1024 * 1024) {
            killedAt = Date.now();
            registry.kill();
          }
        },
      }),
    );
    const sinceKill = Date.now() - killedAt;
    const sinceStart = Date.now() - started;
    await registry.restart(); // first: the tests below need it whatever this one finds
    expect(killedAt).toBeGreaterThan(0);
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain(`download blob ${bigLayer().digest}`);
    expect(error.message).toContain(`registry ${registry.host} after 4 attempts`);
    expect(error.message).toContain('nothing partial was stored');
    // 0.5 s + 1 s + 2 s of backoff
    expect(sinceKill).toBeGreaterThanOrEqual(3400);
    expect(sinceStart).toBeLessThan(20_000);
    expect(leftovers(blobsDir)).toEqual([]);
    expect(fs.existsSync(`${blobsDir}/sha256/${bigLayer().digest.slice(7)}`)).toBe(false);
  });

  it('stops at once when aborted, leaving no temp file', async () => {
    const blobsDir = makeBlobsDir();
    const controller = new AbortController();
    const error = await errorOf(
      pullImage(parseImageRef(`${registry.host}/big:v1`), {
        blobsDir,
        signal: controller.signal,
        onProgress: ({ done }) => {
          if (done > 1024 * 1024) controller.abort();
        },
      }),
    );
    expect(error.name).toBe('AbortError');
    expect(leftovers(blobsDir)).toEqual([]);
  });

  it('resumes the download with a Range request when the registry comes back', async () => {
    const blobsDir = makeBlobsDir();
    let restarted: Promise<void> | undefined;
    registry.clearLog();
    const image = await pullImage(parseImageRef(`${registry.host}/big:v1`), {
      blobsDir,
      onProgress: ({ layer, done, phase }) => {
        if (!restarted && layer === bigLayer().digest && phase === 'downloading' && done > 2 * 1024 * 1024) restarted = registry.restart();
      },
    });
    await restarted;
    expect(image.layers[1]?.digest).toBe(bigLayer().digest);
    expect(fs.readFileSync(image.layers[1]?.blobPath as string).equals(bigLayer().blob)).toBe(true);
    const resumed = registry.requests().filter((entry) => entry.uri.endsWith(bigLayer().digest) && entry.status === 206);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]?.written).toBeLessThan(bigLayer().blob.length);
    expect(leftovers(blobsDir)).toEqual([]);
  });
});
