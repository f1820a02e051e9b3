// The pure parts: auth challenges, auth-file lookup, tar indexing, platform choice, retries,
// reaping partial downloads.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChallenge } from './auth.js';
import { findCredentials } from './credentials.js';
import { hostPlatform, selectPlatform } from './platform.js';
import { TransientError, withRetries } from './retry.js';
import { indexTar } from './tar-index.js';
import { DOCKER_HUB_REGISTRY, reapTempBlobs } from './index.js';
import { processTag } from '../../core/process-tag.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-parts-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('parseChallenge', () => {
  it('reads a bearer challenge with quoted, comma-holding values', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('findCredentials', () => {
  const write = (name: string, content: object) => {
    const file = path.join(temp, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const auth = (user: string) => ({ auth: Buffer.from(`${user}:pw`).toString('base64') });

  it('maps Docker Hub keys, prefers the most specific key, and the first file', async () => {
    const hub = write('hub/config.json', { auths: { 'https://index.docker.io/v1/': auth('hubuser') } });
    expect((await findCredentials(DOCKER_HUB_REGISTRY, 'library/node', { HOME: temp, DOCKER_CONFIG: path.dirname(hub) })).credentials?.username).toBe(
      'hubuser',
    );
    const specific = write('specific.json', { auths: { 'quay.io': auth('general'), 'quay.io/team': auth('team'), 'quay.io/teams': auth('wrong') } });
    expect((await findCredentials('quay.io', 'team/app', { HOME: temp, REGISTRY_AUTH_FILE: specific })).credentials?.username).toBe('team');
    expect((await findCredentials('quay.io', 'other/app', { HOME: temp, REGISTRY_AUTH_FILE: specific })).credentials?.username).toBe('general');
    const xdg = write('run/containers/auth.json', { auths: { 'quay.io': auth('xdg') } });
    const lookup = await findCredentials('quay.io', 'a/b', {
      HOME: temp,
      REGISTRY_AUTH_FILE: path.join(temp, 'absent.json'),
      XDG_RUNTIME_DIR: path.join(temp, 'run'),
    });
    expect(lookup.credentials).toEqual({ username: 'xdg', password: 'pw', source: xdg });
    expect(lookup.searched[0]).toBe(path.join(temp, 'absent.json'));
  });

  it('notes a credential helper it cannot run', async () => {
    const file = write('helpers.json', { credHelpers: { 'ghcr.io': 'gh' } });
    const lookup = await findCredentials('ghcr.io', 'o/r', { HOME: temp, REGISTRY_AUTH_FILE: file });
    expect(lookup.credentials).toBeUndefined();
    expect(lookup.notes.join()).toContain('docker-credential-gh');
  });
});

describe('indexTar', () => {
  it('finds files by name, long (pax and GNU) names included, with offsets into the tar', async () => {
    const dir = path.join(temp, 'tree');
    const long = `${'d'.repeat(90)}/${'f'.repeat(120)}.txt`;
    fs.mkdirSync(path.join(dir, path.dirname(long)), { recursive: true });
    fs.writeFileSync(path.join(dir, long), 'long name');
    fs.writeFileSync(path.join(dir, 'short.txt'), 'short');
    for (const format of ['gnu', 'pax']) {
      const tar = path.join(temp, `${format}.tar`);
      execFileSync('tar', ['-C', dir, `--format=${format}`, '-cf', tar, '.']);
      const entries = await indexTar(tar);
      const data = fs.readFileSync(tar);
      const read = (name: string) => {
        const entry = entries.get(name);
        return entry && data.subarray(entry.offset, entry.offset + entry.size).toString();
      };
      expect(read('short.txt')).toBe('short');
      expect(read(long)).toBe('long name');
    }
  });
});

describe('selectPlatform', () => {
  const index = (platforms: object[]) => ({
    kind: 'index' as const,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: platforms.map((platform, n) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${String(n).repeat(64)}`,
      size: 1,
      platform: platform as never,
    })),
  });

  it('maps process.arch to image names, and prefers an exact variant', () => {
    expect(hostPlatform('x64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(hostPlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    const arm = index([
      { os: 'linux', architecture: 'arm', variant: 'v6' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'unknown', architecture: 'unknown' },
    ]);
    expect(selectPlatform(arm, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'x').digest).toBe(`sha256:${'1'.repeat(64)}`);
    expect(() => selectPlatform(arm, { os: 'linux', architecture: 'amd64' }, 'x')).toThrow(
      /has no image for linux\/amd64 \(it has: linux\/arm\/v6, linux\/arm\/v7\)/,
    );
  });
});

describe('withRetries', () => {
  it('retries transient failures after each delay, and nothing else', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new TransientError('HTTP 503');
        },
        { delaysMs: [1, 1, 1] },
      ),
    ).rejects.toThrow('HTTP 503');
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('permanent');
        },
        { delaysMs: [1, 1, 1] },
      ),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(1);
  });
});

describe('reapTempBlobs', () => {
  it("removes a killed pull's partial blob, never a running pull's or a stored blob", async () => {
    const blobsDir = fs.mkdtempSync(path.join(temp, 'blobs-'));
    const dir = path.join(blobsDir, 'sha256');
    fs.mkdirSync(dir, { recursive: true });
    // PID 1 never has start time 1: the tag of a process that is gone.
    const names = { dead: '.tmp-1-1-0a1b2c3d', live: `.tmp-${processTag()}-0a1b2c3d`, blob: 'ab'.repeat(32) };
    for (const name of Object.values(names)) fs.writeFileSync(path.join(dir, name), 'x');
    expect(await reapTempBlobs(blobsDir)).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([names.live, names.blob].sort());
  });
});
