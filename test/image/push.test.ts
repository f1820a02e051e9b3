// Pushes to a real docker-registry, behind htpasswd basic auth (answering relative upload Locations) and behind the
// token service (absolute ones): blob uploads whole and in PATCH chunks, an OCI 1.1 artifact manifest put and got
// back byte for byte, verified downloads, refusals that say the user may not push, and a registry killed mid-upload.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/image/oci/credentials.js';
import { parseImageRef } from '../../src/image/oci/index.js';
import type { RegistryImageRef } from '../../src/image/oci/ref.js';
import { RegistryClient } from '../../src/image/oci/registry-client.js';
import { errorOf } from './blobs.js';
import { sha256 } from './images.js';
import { HAVE_REGISTRY, startRegistry, type RegistryOptions, type TestRegistry } from './registry.js';

if (!HAVE_REGISTRY) console.warn('skipped: docker-registry is not installed (apt-get install docker-registry)');

const USER = 'pusher';
const PASSWORD = 'push-secret-7c1d';
const READER = 'reader';
const READER_PASSWORD = 'reader-secret-2b9e';
const CHUNK = 64 * 1024;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY_JSON = Buffer.from('{}');
const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
const LAYER_TYPE = 'application/vnd.cubicle.layer.v1.tar+zstd';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-push-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A file of `size` random bytes, with its digest. */
function blobFile(size: number): { file: string; digest: string; size: number; bytes: Buffer } {
  const bytes = randomBytes(size);
  const digest = sha256(bytes);
  const file = path.join(work, digest.slice(7, 23));
  fs.writeFileSync(file, bytes);
  return { file, digest, size, bytes };
}

const given = (username: string, password: string): Credentials => ({ username, password, source: '--password-stdin' });

const setups: { name: string; options: RegistryOptions }[] = [
  { name: 'htpasswd basic auth, relative Locations', options: { htpasswd: { user: USER, password: PASSWORD }, relativeUrls: true } },
  {
    name: 'bearer token service, absolute Locations',
    options: { token: { user: USER, password: PASSWORD, readOnly: { user: READER, password: READER_PASSWORD } } },
  },
];

describe.skipIf(!HAVE_REGISTRY).each(setups)('push to docker-registry: $name', ({ options }) => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(options);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  function client(repository: string, extra: { credentials?: Credentials; access?: 'pull' | 'push'; env?: Record<string, string> } = {}): RegistryClient {
    const ref = parseImageRef(`${registry.host}/${repository}`) as RegistryImageRef;
    return new RegistryClient(ref, {
      insecureRegistries: [],
      env: extra.env ?? { HOME: work },
      access: extra.access ?? 'push',
      credentials: 'credentials' in extra ? extra.credentials : given(USER, PASSWORD),
      retryDelaysMs: [50, 100],
    });
  }

  const methods = () => registry.requests().map((entry) => entry.method);

  it('uploads a small blob in one PUT and a big one in PATCH chunks; a second upload finds it present and POSTs nothing', async () => {
    const pusher = client('team/app/cubicle-cache');
    const small = blobFile(1000);
    const big = blobFile(5 * CHUNK - 123);
    registry.clearLog();
    expect(await pusher.blobExists(small.digest)).toBe(false);
    expect(await pusher.uploadBlob(small.file, small.digest, small.size, { chunkBytes: CHUNK })).toBe('uploaded');
    expect(methods().filter((method) => method === 'PATCH')).toEqual([]);
    registry.clearLog();
    expect(await pusher.uploadBlob(big.file, big.digest, big.size, { chunkBytes: CHUNK })).toBe('uploaded');
    const log = registry.requests();
    expect(log.filter((entry) => entry.method === 'PATCH' && entry.status === 202)).toHaveLength(5);
    expect(log.filter((entry) => entry.method === 'PUT' && entry.status === 201)).toHaveLength(1);
    expect(fs.readFileSync(registry.blobDataPath(big.digest)).equals(big.bytes)).toBe(true);
    expect(fs.readFileSync(registry.blobDataPath(small.digest)).equals(small.bytes)).toBe(true);

    registry.clearLog();
    expect(await pusher.blobExists(big.digest)).toBe(true);
    expect(await pusher.uploadBlob(big.file, big.digest, big.size, { chunkBytes: CHUNK })).toBe('present');
    expect(await client('team/app/cubicle-cache').uploadBlob(small.file, small.digest, small.size)).toBe('present');
    expect(methods()).not.toContain('POST');
    expect(methods()).not.toContain('PATCH');
  });

  it('puts an OCI 1.1 artifact manifest (artifactType, empty config, custom layer type, annotations) and gets it back byte for byte', async () => {
    const pusher = client('team/app/cubicle-cache');
    const empty = path.join(work, 'empty.json');
    fs.writeFileSync(empty, EMPTY_JSON);
    expect(sha256(EMPTY_JSON)).toBe(EMPTY_DIGEST);
    await pusher.uploadBlob(empty, EMPTY_DIGEST, 2);
    const layers = [blobFile(3000), blobFile(3 * CHUNK)];
    for (const layer of layers) await pusher.uploadBlob(layer.file, layer.digest, layer.size, { chunkBytes: CHUNK });
    const manifest = Buffer.from(
      JSON.stringify(
        {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: 'application/vnd.cubicle.cache.v1+json',
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_DIGEST, size: 2, data: 'e30=' },
          layers: layers.map((layer, index) => ({
            mediaType: LAYER_TYPE,
            digest: layer.digest,
            size: layer.size,
            annotations: { 'dev.cubicle.step.key': `key-${index}`, 'dev.cubicle.step.parent': index ? `key-${index - 1}` : '' },
          })),
          annotations: { 'org.opencontainers.image.created': '2026-12-08T00:00:00Z' },
        },
        null,
        2,
      ),
    );
    const digest = await pusher.putManifest('latest', manifest, OCI_MANIFEST);
    expect(digest).toBe(sha256(manifest));

    const reader = client('team/app/cubicle-cache', { access: 'pull' });
    const byTag = await reader.getManifest('latest', OCI_MANIFEST);
    expect(byTag?.bytes.equals(manifest)).toBe(true);
    expect(byTag?.mediaType).toBe(OCI_MANIFEST);
    expect(byTag?.digest).toBe(digest);
    expect((await reader.getManifest(digest, OCI_MANIFEST))?.bytes.equals(manifest)).toBe(true);
    expect(await reader.getManifest('no-such-tag', OCI_MANIFEST)).toBeUndefined();
    expect(await client('team/nothing-here').getManifest('latest', OCI_MANIFEST)).toBeUndefined();

    for (const layer of layers) {
      const target = path.join(work, `download-${layer.digest.slice(7, 19)}`);
      await reader.downloadBlob(layer.digest, target, layer.size);
      expect(fs.readFileSync(target).equals(layer.bytes)).toBe(true);
    }
    expect(fs.readdirSync(work).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('a blob tampered in the registry fails downloadBlob with DIGEST_MISMATCH and leaves no file', async () => {
    const pusher = client('team/tampered');
    const blob = blobFile(2 * CHUNK);
    await pusher.uploadBlob(blob.file, blob.digest, blob.size);
    const stored = registry.blobDataPath(blob.digest);
    const bytes = fs.readFileSync(stored);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    fs.writeFileSync(stored, bytes);
    const target = path.join(work, 'tampered');
    const error = await errorOf(pusher.downloadBlob(blob.digest, target, blob.size));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(`blob ${blob.digest}`);
    expect(fs.readdirSync(work).filter((name) => name.startsWith('tampered'))).toEqual([]);
  });

  it('a wrong password is refused for push with REGISTRY_UNAUTHORIZED, naming user and source, never the secret', async () => {
    const blob = blobFile(100);
    const error = await errorOf(
      client('team/app/cubicle-cache', { credentials: given(USER, 'wrong-secret-91f3') }).uploadBlob(blob.file, blob.digest, blob.size),
    );
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(`the credentials of user "${USER}" from --password-stdin were refused for push (can they push to team/app/cubicle-cache?)`);
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-secret-91f3');
    expect(`${error.message} ${error.hint}`).not.toContain(Buffer.from(`${USER}:wrong-secret-91f3`).toString('base64'));
  });

  it('credentials from the auth file push too, when none are given', async () => {
    const authFile = path.join(work, `auth-${registry.port}.json`);
    fs.writeFileSync(authFile, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const blob = blobFile(500);
    const pusher = client('team/from-file', { credentials: undefined, env: { HOME: work, REGISTRY_AUTH_FILE: authFile } });
    expect(await pusher.uploadBlob(blob.file, blob.digest, blob.size)).toBe('uploaded');
  });

  it.runIf(options.token !== undefined)('a read-only token user may pull, and its push is refused with a message saying so', async () => {
    const pusher = client('team/app/cubicle-cache');
    const blob = blobFile(700);
    await pusher.uploadBlob(blob.file, blob.digest, blob.size);
    const readOnly = client('team/app/cubicle-cache', { credentials: given(READER, READER_PASSWORD) });
    const target = path.join(work, 'read-only-download');
    await client('team/app/cubicle-cache', { credentials: given(READER, READER_PASSWORD), access: 'pull' }).downloadBlob(blob.digest, target, blob.size);
    expect(fs.readFileSync(target).equals(blob.bytes)).toBe(true);

    const other = blobFile(800);
    registry.clearLog();
    const error = await errorOf(readOnly.uploadBlob(other.file, other.digest, other.size));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(`registry ${registry.host} refused a push to team/app/cubicle-cache`);
    expect(error.message).toContain(
      `the credentials of user "${READER}" from --password-stdin were refused for push (can they push to team/app/cubicle-cache?)`,
    );
    expect(`${error.message} ${error.hint}`).not.toContain(READER_PASSWORD);
    expect(registry.requests().filter((entry) => entry.method === 'POST' && entry.status === 202)).toEqual([]);
    const manifestError = await errorOf(readOnly.putManifest('latest', Buffer.from('{}'), OCI_MANIFEST));
    expect(manifestError.code).toBe('REGISTRY_UNAUTHORIZED');
  });

  it('the registry killed mid-upload of a chunked blob: uploadBlob rejects, and neither the blob nor a manifest is there', async () => {
    const pusher = client('team/killed');
    const blob = blobFile(256 * CHUNK);
    registry.clearLog();
    const upload = pusher.uploadBlob(blob.file, blob.digest, blob.size, { chunkBytes: CHUNK });
    const failed = errorOf(upload);
    let patches = 0;
    for (const deadline = Date.now() + 20_000; patches < 3 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      patches = methods().filter((method) => method === 'PATCH').length;
    }
    expect(patches).toBeGreaterThanOrEqual(3);
    registry.kill();
    const error = await failed;
    try {
      expect(error.code).toBe('REGISTRY_UNREACHABLE');
      expect(error.message).toContain(`could not upload blob ${blob.digest}`);
      expect(error.message).toContain('no manifest was written');
    } finally {
      await registry.restart();
    }
    const after = client('team/killed');
    expect(await after.blobExists(blob.digest)).toBe(false);
    expect(await after.getManifest('latest', OCI_MANIFEST)).toBeUndefined();
  });
});
