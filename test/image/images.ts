// Test images made here: layer tars by GNU tar from files we write, gzip or zstd or plain, a
// config with their diff_ids, pushed with the Distribution API (blob uploads, manifest PUTs).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { TestRegistry } from './registry.js';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface LayerSpec {
  /** Path -> content; a name like `.wh.x` is an OCI whiteout. */
  files: Record<string, string | Buffer>;
  compression: Compression;
  /** The mode of the layer's `.` entry (default: mkdtemp's 0700), as a base's `/` is written. */
  rootMode?: number;
}

export interface BuiltLayer {
  tar: Buffer;
  blob: Buffer;
  digest: string;
  diffId: string;
  mediaType: string;
}

export interface BuiltImage {
  layers: BuiltLayer[];
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
  manifestMediaType: string;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A reproducible tar of `files` made by GNU tar. */
export function makeTar(files: Record<string, string | Buffer>, rootMode?: number): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-layer-'));
  try {
    if (rootMode !== undefined) fs.chmodSync(dir, rootMode);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content, { mode: name.startsWith('bin/') ? 0o755 : 0o644 });
    }
    return execFileSync('tar', ['-C', dir, '-cf', '-', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '.'], { maxBuffer: 1 << 30 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function buildLayer(spec: LayerSpec): BuiltLayer {
  const tar = makeTar(spec.files, spec.rootMode);
  const blob =
    spec.compression === 'gzip'
      ? zlib.gzipSync(tar, { level: 1 })
      : spec.compression === 'zstd'
        ? execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 })
        : tar;
  const suffix = spec.compression === 'gzip' ? '+gzip' : spec.compression === 'zstd' ? '+zstd' : '';
  return { tar, blob, digest: sha256(blob), diffId: sha256(tar), mediaType: `application/vnd.oci.image.layer.v1.tar${suffix}` };
}

export interface ImageSpec {
  layers: LayerSpec[];
  architecture?: string;
  variant?: string;
  /** docker: Docker schema 2 media types (gzip layers only). */
  format?: 'oci' | 'docker';
  env?: string[];
  cmd?: string[];
  /** A history entry per layer, as builders write them (buildah refuses to build FROM an image without). */
  history?: boolean;
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const layers = spec.layers.map(buildLayer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? 'amd64',
      ...(spec.variant ? { variant: spec.variant } : {}),
      os: 'linux',
      config: { Env: spec.env ?? ['PATH=/usr/bin:/bin'], Cmd: spec.cmd ?? ['/bin/sh'], WorkingDir: '/work', User: '1000' },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      ...(spec.history ? { history: layers.map((_, index) => ({ created: '1970-01-01T00:00:00Z', created_by: `layer ${index + 1}` })) } : {}),
    }),
  );
  const docker = spec.format === 'docker';
  const manifestMediaType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: {
        mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : layer.mediaType,
        digest: layer.digest,
        size: layer.blob.length,
      })),
    }),
  );
  return { layers, config, configDigest: sha256(config), manifest, manifestDigest: sha256(manifest), manifestMediaType };
}

async function authHeaders(registry: TestRegistry, repository: string): Promise<Record<string, string>> {
  const auth = await registry.pushAuth(`repository:${repository}:pull,push`);
  return auth ? { authorization: auth } : {};
}

export async function pushBlob(registry: TestRegistry, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const headers = await authHeaders(registry, repository);
  const started = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  await started.body?.cancel();
  if (started.status !== 202) throw new Error(`blob upload start: HTTP ${started.status}`);
  const location = new URL(started.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: blob });
  if (done.status !== 201) throw new Error(`blob upload: HTTP ${done.status} ${await done.text()}`);
  return digest;
}

export async function pushManifest(registry: TestRegistry, repository: string, reference: string, manifest: Buffer, mediaType: string): Promise<string> {
  const headers = { ...(await authHeaders(registry, repository)), 'content-type': mediaType };
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { method: 'PUT', headers, body: manifest });
  if (response.status !== 201) throw new Error(`manifest PUT: HTTP ${response.status} ${await response.text()}`);
  return sha256(manifest);
}

export async function pushImage(registry: TestRegistry, repository: string, tag: string, image: BuiltImage): Promise<void> {
  for (const layer of image.layers) await pushBlob(registry, repository, layer.blob);
  await pushBlob(registry, repository, image.config);
  await pushManifest(registry, repository, tag, image.manifest, image.manifestMediaType);
}

/** An OCI index of already pushed images, one per platform. */
export async function pushIndex(
  registry: TestRegistry,
  repository: string,
  tag: string,
  entries: { image: BuiltImage; architecture: string; variant?: string }[],
): Promise<{ index: Buffer; digest: string }> {
  for (const { image } of entries) await pushManifest(registry, repository, image.manifestDigest, image.manifest, image.manifestMediaType);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: entries.map(({ image, architecture, variant }) => ({
        mediaType: image.manifestMediaType,
        digest: image.manifestDigest,
        size: image.manifest.length,
        platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
      })),
    }),
  );
  const digest = await pushManifest(registry, repository, tag, index, OCI_INDEX);
  return { index, digest };
}

/** Random bytes: incompressible, so a gzip layer is as big as its content. */
export function randomFile(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** The standard test image: a gzip layer, a zstd layer with a whiteout, a plain tar layer. */
export function sampleImage(architecture = 'amd64', variant?: string): BuiltImage {
  return buildImage({
    architecture,
    ...(variant ? { variant } : {}),
    env: ['PATH=/usr/bin:/bin', `ARCH=${architecture}`],
    layers: [
      {
        compression: 'gzip',
        files: { 'etc/hello.txt': `hello from ${architecture}\n`, 'bin/tool': '#!/bin/sh\necho tool\n', 'x/doomed.txt': 'removed by the next layer\n' },
      },
      { compression: 'zstd', files: { 'x/.wh.doomed.txt': '', 'etc/zstd.txt': 'zstd layer\n' } },
      { compression: 'none', files: { 'etc/plain.txt': 'plain tar layer\n' } },
    ],
  });
}
