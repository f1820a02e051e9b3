// Debian's docker-registry (Distribution v2) on 127.0.0.1:<free port>, with filesystem storage
// in a temp dir: open, behind htpasswd basic auth, or behind a bearer token service run here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const HAVE_REGISTRY = spawnSync('docker-registry', ['--version']).status === 0;
export const HAVE_SKOPEO = spawnSync('skopeo', ['--version']).status === 0;

export interface LogEntry {
  method: string;
  uri: string;
  status: number;
  written: number;
}

export interface TestRegistry {
  /** 127.0.0.1:PORT */
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The registry's storage root (docker/registry/v2/...). */
  readonly storage: string;
  readonly dir: string;
  /** Authorization header value for pushes (basic or bearer), or undefined. */
  pushAuth(scope: string): Promise<string | undefined>;
  /** Every request the registry answered since it started (or since `clearLog`). */
  requests(): LogEntry[];
  clearLog(): void;
  /** The path of a blob's data in the registry's storage. */
  blobDataPath(digest: string): string;
  kill(): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  htpasswd?: { user: string; password: string };
  /**
   * A bearer token service that grants pull to anyone, and to `private/*` only with these
   * credentials, or (OAuth2, POST grant_type=refresh_token) with the identity token.
   */
  token?: TokenCredentials;
  /** Listen on all addresses (default: 127.0.0.1 only). */
  allAddresses?: boolean;
  /** Serve https with this certificate and key (PEM files); `url` is then https. */
  tls?: { certificate: string; key: string };
  /** Answer uploads with relative Locations (`/v2/...`), as registries behind some proxies do (default: absolute URLs). */
  relativeUrls?: boolean;
}

/** This machine's first non-loopback IPv4 address: a registry there is not on loopback. */
export function nonLoopbackAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface TokenCredentials {
  user: string;
  password: string;
  identityToken?: string;
  /** A second user whose tokens grant only `pull`, whatever it asks for. */
  readOnly?: { user: string; password: string };
}

interface TokenService {
  realm: string;
  certPath: string;
  close(): Promise<void>;
}

/**
 * The Docker token protocol: GET /token?service=&scope= (basic auth or none), or the OAuth2 form
 * POST /token grant_type=refresh_token&refresh_token=&service=&scope= -> {access_token}, a JWT
 * with an x5c chain the registry trusts.
 */
async function startTokenService(dir: string, credentials: TokenCredentials): Promise<TokenService> {
  const keyPath = path.join(dir, 'token.key');
  const certPath = path.join(dir, 'token.crt');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=cubicle-test-token'],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const key = fs.readFileSync(keyPath, 'utf8');
  const certDer = new X509Certificate(fs.readFileSync(certPath)).raw.toString('base64');
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let sent: string | undefined;
    let params = url.searchParams;
    let scopes = params.getAll('scope');
    if (request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += String(chunk);
      params = new URLSearchParams(body);
      scopes = (params.get('scope') ?? '').split(' ').filter(Boolean);
      const refresh = params.get('refresh_token');
      if (params.get('grant_type') !== 'refresh_token' || !credentials.identityToken || refresh !== credentials.identityToken) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        return;
      }
      sent = `${credentials.user}:`;
    } else {
      const authorization = request.headers.authorization ?? '';
      sent = authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString() : undefined;
      const readOnly = credentials.readOnly && `${credentials.readOnly.user}:${credentials.readOnly.password}`;
      if (sent !== undefined && sent !== `${credentials.user}:${credentials.password}` && sent !== readOnly) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
    }
    const pullOnly = credentials.readOnly !== undefined && sent === `${credentials.readOnly.user}:${credentials.readOnly.password}`;
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name) return [];
      if (name.startsWith('private/') && sent === undefined) return [];
      const granted = (actions ?? '').split(',').filter((action) => !pullOnly || action === 'pull');
      return [{ type, name, actions: granted }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: 'cubicle-test',
      sub: sent?.split(':')[0] ?? '',
      aud: params.get('service'),
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: `${signingInput}.${base64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { realm: `http://127.0.0.1:${port}/token`, certPath, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function configYaml(storage: string, address: string, auth: string, tls = '', relativeUrls = false): string {
  return `version: 0.1
log:
  level: info
  formatter: json
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: ${address}
  relativeurls: ${relativeUrls}
${tls}${auth}`;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-registry-'));
  const storage = path.join(dir, 'storage');
  const logPath = path.join(dir, 'registry.log');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  let tokenService: TokenService | undefined;
  if (options.htpasswd) {
    const made = spawnSync('htpasswd', ['-Bbn', options.htpasswd.user, options.htpasswd.password], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`htpasswd failed: ${made.stderr}`);
    fs.writeFileSync(path.join(dir, 'htpasswd'), made.stdout);
    auth = `auth:\n  htpasswd:\n    realm: cubicle-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  } else if (options.token) {
    tokenService = await startTokenService(dir, options.token);
    auth = `auth:\n  token:\n    realm: ${tokenService.realm}\n    service: cubicle-test-registry\n    issuer: cubicle-test\n    rootcertbundle: ${tokenService.certPath}\n`;
  }
  const configPath = path.join(dir, 'config.yml');
  const tls = options.tls ? `  tls:\n    certificate: ${options.tls.certificate}\n    key: ${options.tls.key}\n` : '';
  fs.writeFileSync(configPath, configYaml(storage, `${options.allAddresses ? '0.0.0.0' : '127.0.0.1'}:${port}`, auth, tls, options.relativeUrls));

  let child: ChildProcess | undefined;
  let logStart = 0;
  const start = async () => {
    const log = fs.openSync(logPath, 'a');
    child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const response = await fetch(`http://${host}/v2/`);
        await response.body?.cancel();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`docker-registry did not start:\n${fs.readFileSync(logPath, 'utf8')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await start();

  const tokens = new Map<string, string>();
  const registry: TestRegistry = {
    host,
    port,
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    storage,
    dir,
    async pushAuth(scope) {
      if (options.htpasswd) return `Basic ${Buffer.from(`${options.htpasswd.user}:${options.htpasswd.password}`).toString('base64')}`;
      if (!tokenService || !options.token) return undefined;
      if (!tokens.has(scope)) {
        const url = `${tokenService.realm}?service=cubicle-test-registry&scope=${encodeURIComponent(scope)}`;
        const basic = `Basic ${Buffer.from(`${options.token.user}:${options.token.password}`).toString('base64')}`;
        const body = (await (await fetch(url, { headers: { authorization: basic } })).json()) as { access_token: string };
        tokens.set(scope, `Bearer ${body.access_token}`);
      }
      return tokens.get(scope);
    },
    requests() {
      const text = fs.readFileSync(logPath, 'utf8').slice(logStart);
      return text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('response completed'))
        .map((entry) => ({
          method: String(entry['http.request.method']),
          uri: String(entry['http.request.uri']),
          status: Number(entry['http.response.status']),
          written: Number(entry['http.response.written']),
        }));
    },
    clearLog() {
      logStart = fs.statSync(logPath).size;
    },
    blobDataPath(digest) {
      const hex = digest.replace(/^sha256:/, '');
      return path.join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    },
    kill() {
      child?.kill('SIGKILL');
    },
    async restart() {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      await start();
    },
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await tokenService?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return registry;
}
