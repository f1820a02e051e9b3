// Registry auth against a real docker-registry: htpasswd basic auth, and bearer tokens from a
// token service (anonymous for public repositories, with credentials for private/*).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageRef, pullImage } from '../../src/image/oci/index.js';
import { errorOf, leftovers, listFiles, makeBlobsDir, removeBlobsDirs } from './blobs.js';
import { pushImage, sampleImage } from './images.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from './registry.js';

if (!HAVE_REGISTRY) console.warn('skipped: docker-registry is not installed (apt-get install docker-registry)');

const USER = 'alice';
const PASSWORD = 'correct horse battery staple';
const IDENTITY_TOKEN = 'refresh-4f1c2e7d9a';
const homes: string[] = [];

/** An env whose only auth file is `content` at `where` (never the real user's files). */
function envWith(where: 'REGISTRY_AUTH_FILE' | 'XDG_RUNTIME_DIR' | 'HOME', content: object | undefined): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-auth-'));
  homes.push(home);
  const env: Record<string, string> = { HOME: home };
  if (!content) return env;
  const file =
    where === 'REGISTRY_AUTH_FILE'
      ? path.join(home, 'auth.json')
      : where === 'XDG_RUNTIME_DIR'
        ? path.join(home, 'run', 'containers', 'auth.json')
        : path.join(home, '.docker', 'config.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(content));
  if (where === 'REGISTRY_AUTH_FILE') env.REGISTRY_AUTH_FILE = file;
  if (where === 'XDG_RUNTIME_DIR') env.XDG_RUNTIME_DIR = path.join(home, 'run');
  return env;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

afterAll(() => {
  for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
  removeBlobsDirs();
});

describe.skipIf(!HAVE_REGISTRY)('basic auth (htpasswd, bcrypt)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
    await pushImage(registry, 'team/app', 'v1', sampleImage());
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('pulls with credentials from REGISTRY_AUTH_FILE, containers auth.json or ~/.docker/config.json', async () => {
    const entries = [
      envWith('REGISTRY_AUTH_FILE', { auths: { [registry.host]: { auth: base64(`${USER}:${PASSWORD}`) } } }),
      envWith('XDG_RUNTIME_DIR', { auths: { [`${registry.host}/team`]: { auth: base64(`${USER}:${PASSWORD}`) } } }),
      envWith('HOME', { auths: { [`http://${registry.host}`]: { username: USER, password: PASSWORD } } }),
    ];
    for (const env of entries) {
      const image = await pullImage(parseImageRef(`${registry.host}/team/app:v1`), { blobsDir: makeBlobsDir(), env });
      expect(image.layers).toHaveLength(3);
    }
  });

  it('REGISTRY_UNAUTHORIZED for a wrong password: says whose credentials from which file, never the password', async () => {
    const env = envWith('REGISTRY_AUTH_FILE', { auths: { [registry.host]: { auth: base64(`${USER}:wrong-password`) } } });
    const blobsDir = makeBlobsDir();
    const error = await errorOf(pullImage(parseImageRef(`${registry.host}/team/app:v1`), { blobsDir, env }));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(`the credentials of user "${USER}" from ${env.REGISTRY_AUTH_FILE} were refused`);
    expect(error.message).toContain('nothing partial was stored');
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-password');
    expect(`${error.message} ${error.hint}`).not.toContain(base64(`${USER}:wrong-password`));
    expect(error.hint).toContain(env.REGISTRY_AUTH_FILE);
    expect(listFiles(blobsDir)).toEqual([]);
  });

  it('REGISTRY_UNAUTHORIZED without credentials: lists the files looked in, and a credential helper that is not installed', async () => {
    const env = envWith('HOME', { auths: {}, credsStore: 'desktop' });
    const error = await errorOf(pullImage(parseImageRef(`${registry.host}/team/app:v1`), { blobsDir: makeBlobsDir(), env }));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(`no credentials were sent: none for ${registry.host} in ${env.HOME}/.docker/config.json`);
    expect(error.message).toContain(`docker-credential-desktop (named in ${env.HOME}/.docker/config.json) is not on PATH`);
    expect(error.hint).toContain('podman login');
  });

  // The real docker-credential-pass (Debian's golang-docker-credential-helpers) over `pass` and a
  // throwaway GnuPG key: the helper protocol as docker runs it.
  const passHelper = ['docker-credential-pass', 'pass', 'gpg', 'gpgconf'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
  if (!passHelper && process.env.CI !== 'true')
    console.warn('skipped: docker credential helpers (apt-get install golang-docker-credential-helpers pass gnupg)');
  it.runIf(passHelper || process.env.CI === 'true')(
    'asks docker-credential-pass first (credHelpers for the registry, or credsStore), and auths where it has none',
    async () => {
      const keyring = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-pass-'));
      homes.push(keyring);
      const helperEnv = { GNUPGHOME: path.join(keyring, 'gnupg'), PASSWORD_STORE_DIR: path.join(keyring, 'store'), PATH: process.env.PATH ?? '/usr/bin:/bin' };
      fs.mkdirSync(helperEnv.GNUPGHOME, { mode: 0o700 });
      const run = (command: string, input?: string) => {
        const result = spawnSync('sh', ['-c', command], { env: { ...helperEnv, HOME: keyring }, input, encoding: 'utf8' });
        expect(result.status, `${command}: ${result.stderr}`).toBe(0);
      };
      try {
        run("gpg --batch --passphrase '' --quick-gen-key cubicle-test@example.invalid default default never");
        run('pass init cubicle-test@example.invalid');
        run('docker-credential-pass store', JSON.stringify({ ServerURL: registry.host, Username: USER, Secret: PASSWORD }));
        const pull = (config: object) => {
          const env = { ...envWith('HOME', config), ...helperEnv };
          return pullImage(parseImageRef(`${registry.host}/team/app:v1`), { blobsDir: makeBlobsDir(), env });
        };
        expect((await pull({ credHelpers: { [registry.host]: 'pass' } })).layers).toHaveLength(3);
        // The helper wins over a wrong auths entry, as in docker.
        expect((await pull({ credsStore: 'pass', auths: { [registry.host]: { auth: base64(`${USER}:wrong-password`) } } })).layers).toHaveLength(3);
        // A helper with nothing for this registry: auths is used, as in docker.
        run('docker-credential-pass erase', registry.host);
        expect((await pull({ credsStore: 'pass', auths: { [registry.host]: { auth: base64(`${USER}:${PASSWORD}`) } } })).layers).toHaveLength(3);
        const error = await errorOf(pull({ credsStore: 'pass' }));
        expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
        expect(error.message).toContain(`docker-credential-pass has no credentials for ${registry.host}`);
        expect(`${error.message} ${error.hint}`).not.toContain(PASSWORD);
        // A helper's `<token>` user holds an identity token: never sent as basic auth, which this registry asks for.
        run('docker-credential-pass store', JSON.stringify({ ServerURL: registry.host, Username: '<token>', Secret: 'refresh-for-basic' }));
        const token = await errorOf(pull({ credsStore: 'pass' }));
        expect(token.code).toBe('REGISTRY_UNAUTHORIZED');
        expect(token.message).toContain('an identity token can only be exchanged at a bearer token service');
        expect(token.message).toContain('(docker-credential-pass)');
        expect(`${token.message} ${token.hint}`).not.toContain('refresh-for-basic');
      } finally {
        spawnSync('gpgconf', ['--kill', 'all'], { env: { ...helperEnv, HOME: keyring } });
      }
    },
    60_000,
  );
});

describe.skipIf(!HAVE_REGISTRY)('bearer tokens (the Docker token protocol)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ token: { user: USER, password: PASSWORD, identityToken: IDENTITY_TOKEN } });
    await pushImage(registry, 'public/app', 'v1', sampleImage());
    await pushImage(registry, 'private/app', 'v1', sampleImage());
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('pulls a public image with an anonymous token', async () => {
    const blobsDir = makeBlobsDir();
    const image = await pullImage(parseImageRef(`${registry.host}/public/app:v1`), { blobsDir, env: envWith('HOME', undefined) });
    expect(image.layers).toHaveLength(3);
    expect(leftovers(blobsDir)).toEqual([]);
  });

  it('pulls a private image with a token got with credentials', async () => {
    const env = envWith('REGISTRY_AUTH_FILE', { auths: { [registry.host]: { auth: base64(`${USER}:${PASSWORD}`) } } });
    const image = await pullImage(parseImageRef(`${registry.host}/private/app:v1`), { blobsDir: makeBlobsDir(), env });
    expect(image.layers).toHaveLength(3);
  });

  it("pulls a private image with an identity token (docker login's OAuth2 refresh token), never sent as a password", async () => {
    // As docker writes it: `auth` is base64("user:"), the token beside it.
    const env = envWith('HOME', { auths: { [registry.host]: { auth: base64(`${USER}:`), identitytoken: IDENTITY_TOKEN } } });
    const image = await pullImage(parseImageRef(`${registry.host}/private/app:v1`), { blobsDir: makeBlobsDir(), env });
    expect(image.layers).toHaveLength(3);
    const wrong = await errorOf(
      pullImage(parseImageRef(`${registry.host}/private/app:v1`), {
        blobsDir: makeBlobsDir(),
        env: envWith('HOME', { auths: { [registry.host]: { identitytoken: 'refresh-expired' } } }),
      }),
    );
    expect(wrong.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(wrong.message).toMatch(/the identity token from .*config\.json was refused/);
    expect(`${wrong.message} ${wrong.hint}`).not.toContain('refresh-expired');
  });

  it('REGISTRY_UNAUTHORIZED for a private image without credentials, or with wrong ones', async () => {
    const anonymous = await errorOf(pullImage(parseImageRef(`${registry.host}/private/app:v1`), { blobsDir: makeBlobsDir(), env: envWith('HOME', undefined) }));
    expect(anonymous.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(anonymous.message).toContain('no credentials were sent');
    const env = envWith('REGISTRY_AUTH_FILE', { auths: { [registry.host]: { auth: base64(`${USER}:nope`) } } });
    const wrong = await errorOf(pullImage(parseImageRef(`${registry.host}/private/app:v1`), { blobsDir: makeBlobsDir(), env }));
    expect(wrong.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(wrong.message).toContain('token service');
    expect(wrong.message).toContain(`user "${USER}"`);
    expect(wrong.message).not.toContain('nope');
  });
});
