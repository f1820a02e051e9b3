import { describe, expect, it } from 'vitest';
import { allowsPlainHttp, assertPlainHttpAllowed, formatImageRef, parseImageRef, registryBaseUrls, type ImageRef } from './index.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('parseImageRef', () => {
  it.each<[string, Partial<ImageRef>]>([
    ['node:22-bookworm', { registry: 'registry-1.docker.io', repository: 'library/node', tag: '22-bookworm', digest: undefined }],
    ['node', { registry: 'registry-1.docker.io', repository: 'library/node', tag: 'latest' }],
    ['docker.io/library/node:22', { registry: 'registry-1.docker.io', repository: 'library/node', tag: '22' }],
    ['index.docker.io/grafana/grafana', { registry: 'registry-1.docker.io', repository: 'grafana/grafana', tag: 'latest' }],
    ['grafana/grafana:10', { registry: 'registry-1.docker.io', repository: 'grafana/grafana', tag: '10' }],
    ['ghcr.io/o/r:tag', { registry: 'ghcr.io', repository: 'o/r', tag: 'tag' }],
    ['localhost:5000/x', { registry: 'localhost:5000', repository: 'x', tag: 'latest' }],
    ['localhost/x:1', { registry: 'localhost', repository: 'x', tag: '1' }],
    [`127.0.0.1:5000/a/b@${DIGEST}`, { registry: '127.0.0.1:5000', repository: 'a/b', tag: undefined, digest: DIGEST }],
    [`name:tag@${DIGEST}`, { registry: 'registry-1.docker.io', repository: 'library/name', tag: 'tag', digest: DIGEST }],
    ['[::1]:5000/img:v1', { registry: '[::1]:5000', repository: 'img', tag: 'v1' }],
    ['docker://quay.io/a/b-c_d.e:v1.2', { registry: 'quay.io', repository: 'a/b-c_d.e', tag: 'v1.2' }],
  ])('%s', (text, expected) => {
    expect(parseImageRef(text)).toMatchObject({ transport: 'docker', ...expected });
  });

  it.each<[string, Partial<ImageRef>]>([
    ['oci-archive:/tmp/x.tar', { transport: 'oci-archive', path: '/tmp/x.tar', reference: undefined }],
    ['oci-archive:/tmp/x.tar:v1', { transport: 'oci-archive', path: '/tmp/x.tar', reference: 'v1' }],
    ['oci:./layout:app:v2', { transport: 'oci', path: './layout', reference: 'app:v2' }],
    ['docker-archive:img.tar', { transport: 'docker-archive', path: 'img.tar', reference: undefined }],
    ['docker-archive:img.tar:busybox:latest', { transport: 'docker-archive', path: 'img.tar', reference: 'busybox:latest' }],
  ])('%s', (text, expected) => {
    expect(parseImageRef(text)).toMatchObject(expected);
  });

  it.each([
    ['', 'empty'],
    ['Node:22', 'lowercase'],
    ['node:', 'tag'],
    ['node:bad/tag', 'registry'],
    ['a//b', 'name component'],
    ['node@sha256:abc', 'digest'],
    ['node@md5:0123456789abcdef0123456789abcdef', 'digest'],
    ['node :22', 'whitespace'],
    ['oci:', 'path'],
    ['oci-archive:/x.tar:', 'empty'],
    ['exa_mple.com/x', 'registry'],
    ['-bad.com:5000/x', 'registry'],
  ])('refuses %j with INVALID_IMAGE_REF', (text, word) => {
    let error: unknown;
    try {
      parseImageRef(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'INVALID_IMAGE_REF' });
    expect((error as Error).message).toContain(word);
    expect((error as Error).message).toContain('nothing was pulled');
    expect((error as { hint?: string }).hint).toBeTruthy();
  });

  it('formats the canonical form', () => {
    expect(formatImageRef(parseImageRef('node:22'))).toBe('docker.io/library/node:22');
    expect(formatImageRef(parseImageRef(`localhost:5000/a@${DIGEST}`))).toBe(`localhost:5000/a@${DIGEST}`);
    expect(formatImageRef(parseImageRef('oci-archive:/x.tar:v1'))).toBe('oci-archive:/x.tar:v1');
  });
});

describe('the URL scheme of a registry', () => {
  it('is https only for a registry not on loopback', () => {
    expect(registryBaseUrls('ghcr.io')).toEqual(['https://ghcr.io']);
    expect(registryBaseUrls('10.1.2.3:5000', [])).toEqual(['https://10.1.2.3:5000']);
    expect(allowsPlainHttp('registry.example.com:5000')).toBe(false);
    expect(codeOf(() => assertPlainHttpAllowed('registry.example.com:5000', []))).toBe('INSECURE_REGISTRY');
  });

  it('falls back to plain HTTP on loopback', () => {
    for (const registry of ['localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', 'localhost']) {
      expect(registryBaseUrls(registry)).toEqual([`https://${registry}`, `http://${registry}`]);
      expect(codeOf(() => assertPlainHttpAllowed(registry))).toBeUndefined();
    }
  });

  it('falls back to plain HTTP for insecureRegistries (host:port, host, CIDR)', () => {
    expect(registryBaseUrls('10.1.2.3:5000', ['10.1.2.3:5000'])).toEqual(['https://10.1.2.3:5000', 'http://10.1.2.3:5000']);
    expect(allowsPlainHttp('reg.lan:5000', ['reg.lan'])).toBe(true);
    expect(allowsPlainHttp('10.1.2.3:5000', ['10.0.0.0/8'])).toBe(true);
    expect(allowsPlainHttp('11.1.2.3:5000', ['10.0.0.0/8'])).toBe(false);
    expect(allowsPlainHttp('reg.lan:5000', ['other.lan:5000'])).toBe(false);
  });
});
