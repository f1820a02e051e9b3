// Pulls through an HTTPS proxy and from a registry whose certificate a test CA signed: the
// variables a corporate network sets (HTTPS_PROXY, NO_PROXY, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS)
// reach every request, with a real docker-registry serving https and a CONNECT proxy written here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageRef, pullImage } from '../../src/image/oci/index.js';
import { errorOf, makeBlobsDir, removeBlobsDirs } from './blobs.js';
import { pushImage, sampleImage, type BuiltImage } from './images.js';
import { HAVE_REGISTRY, nonLoopbackAddress, startRegistry, type TestRegistry } from './registry.js';

const HAVE_OPENSSL = spawnSync('openssl', ['version']).status === 0;
if (!HAVE_REGISTRY || !HAVE_OPENSSL) console.warn('skipped: proxy and CA pulls need docker-registry and openssl (apt-get install docker-registry openssl)');

/** A CA, and a certificate for 127.0.0.1 it signed: what an internal registry or a TLS-inspecting proxy has. */
function makeTestCa(dir: string): { ca: string; certificate: string; key: string } {
  const file = (name: string) => path.join(dir, name);
  const run = (args: string[]) => {
    const made = spawnSync('openssl', args, { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl ${args[0]} failed: ${made.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=cubicle test CA']);
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('registry.key'), '-out', file('registry.csr'), '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    file('registry.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('registry.crt'),
    '-days',
    '2',
    '-extfile',
    file('san.ext'),
  ]);
  return { ca: file('ca.crt'), certificate: file('registry.crt'), key: file('registry.key') };
}

/** An HTTP proxy that only tunnels (CONNECT), as corporate proxies for https do; it counts its tunnels by target. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_request, response) => response.writeHead(405).end('this proxy only tunnels'));
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    tunnels.push(target);
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client).add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () => {
      // Tunnels are the server's no longer: kept-alive ones would hold close() for undici's keep-alive time.
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!HAVE_REGISTRY || !HAVE_OPENSSL)('pulls through a proxy, trusting the CAs the environment names', () => {
  let dir: string;
  let files: ReturnType<typeof makeTestCa>;
  let registry: TestRegistry;
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
  let image: BuiltImage;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-proxy-'));
    files = makeTestCa(dir);
    registry = await startRegistry({ tls: { certificate: files.certificate, key: files.key } });
    // The test's own pushes (Node's global fetch) trust the test CA, and only they: the pulls must find it themselves.
    const previousDispatcher = getGlobalDispatcher();
    setGlobalDispatcher(new Agent({ connect: { ca: [...tls.rootCertificates, fs.readFileSync(files.ca, 'utf8')] } }));
    image = sampleImage();
    try {
      await pushImage(registry, 'app', 'v1', image);
    } finally {
      setGlobalDispatcher(previousDispatcher);
    }
    proxy = await startConnectProxy();
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    removeBlobsDirs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pull = (env: Record<string, string>) => pullImage(parseImageRef(`${registry.host}/app:v1`), { blobsDir: makeBlobsDir(), env, retryDelaysMs: [] });

  it('goes through HTTPS_PROXY (or https_proxy): every connection a CONNECT tunnel to the registry', async () => {
    proxy.tunnels.length = 0;
    const pulled = await pull({ HTTPS_PROXY: proxy.url, SSL_CERT_FILE: files.ca });
    expect(pulled.manifestDigest).toBe(image.manifestDigest);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([registry.host]));
    // A second proxy: connections to the first are kept alive and reused.
    const lowerCase = await startConnectProxy();
    try {
      expect((await pull({ https_proxy: lowerCase.url, SSL_CERT_FILE: files.ca })).manifestDigest).toBe(image.manifestDigest);
      expect(new Set(lowerCase.tunnels)).toEqual(new Set([registry.host]));
    } finally {
      await lowerCase.close();
    }
  });

  it('bypasses the proxy for a host in NO_PROXY (or no_proxy), with or without its port', async () => {
    proxy.tunnels.length = 0;
    for (const noProxy of [{ NO_PROXY: '127.0.0.1' }, { no_proxy: `example.com, ${registry.host}` }] as Record<string, string>[]) {
      const pulled = await pull({ HTTPS_PROXY: proxy.url, SSL_CERT_FILE: files.ca, ...noProxy });
      expect(pulled.manifestDigest).toBe(image.manifestDigest);
    }
    expect(proxy.tunnels).toEqual([]);
  });

  it('trusts the CA in NODE_EXTRA_CA_CERTS, as in SSL_CERT_FILE, besides the built-in roots', async () => {
    expect((await pull({ NODE_EXTRA_CA_CERTS: files.ca })).manifestDigest).toBe(image.manifestDigest);
    expect((await pull({ NODE_EXTRA_CA_CERTS: files.ca, HTTPS_PROXY: proxy.url })).manifestDigest).toBe(image.manifestDigest);
  });

  it('without the CA: a clear refusal naming the certificate and the variables, no fall back to plain HTTP', async () => {
    registry.clearLog();
    for (const env of [{}, { HTTPS_PROXY: proxy.url }] as Record<string, string>[]) {
      const error = await errorOf(pull(env));
      expect(error.code).toBe('REGISTRY_UNREACHABLE');
      expect(error.message).toContain(`registry ${registry.host}'s TLS certificate is not trusted here`);
      expect(error.message).toContain('NODE_EXTRA_CA_CERTS and SSL_CERT_FILE are unset');
      expect(error.hint).toContain('set SSL_CERT_FILE (or NODE_EXTRA_CA_CERTS) to a PEM file with the CA');
    }
    expect(registry.requests()).toEqual([]);
    const wrongCa = await errorOf(pull({ SSL_CERT_FILE: files.certificate.replace('registry.crt', 'san.ext') }));
    expect(wrongCa.message).toContain('SSL_CERT_FILE=');
    expect(wrongCa.message).toContain('holds no PEM certificate');
  });

  it.skipIf(!nonLoopbackAddress())('a proxy that cannot be reached: the hint names the proxy in use, its password hidden', async () => {
    // Not on loopback, so no plain-HTTP retry straight to it: the proxy's failure is the answer.
    const ref = parseImageRef(`${nonLoopbackAddress()}:${registry.port}/app:v1`);
    const refused = await errorOf(
      pullImage(ref, { blobsDir: makeBlobsDir(), env: { HTTPS_PROXY: 'http://user:s3cret@127.0.0.1:9', NO_PROXY: 'example.com' }, retryDelaysMs: [] }),
    );
    expect(refused.code).toBe('REGISTRY_UNREACHABLE');
    expect(refused.message).toContain('ECONNREFUSED 127.0.0.1:9');
    expect(refused.hint).toContain('HTTPS_PROXY=http://user:***@127.0.0.1:9, NO_PROXY=example.com');
    expect(`${refused.message} ${refused.hint}`).not.toContain('s3cret');
  });
});
