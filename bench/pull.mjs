#!/usr/bin/env node
// `node bench/pull.mjs`: pullImage against skopeo, pulling the same ~100 MB image (5 gzip layers
// of random, incompressible data) from a local docker-registry into an empty dir, 5 runs each,
// alternating, fresh dirs every run. Prints the medians and the ratio. Needs docker-registry and skopeo.
//   BENCH_PULL_RUNS=5  BENCH_PULL_MB=100  BENCH_PULL_LAYERS=5
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.env.BENCH_PULL_RUNS || 5);
const totalMb = Number(process.env.BENCH_PULL_MB || 100);
const layerCount = Number(process.env.BENCH_PULL_LAYERS || 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-pull-'));

for (const tool of ['docker-registry', 'skopeo', 'tar']) {
  if (spawnSync(tool, ['--version']).error) {
    console.log(`skipped: ${tool} is not installed (apt-get install docker-registry skopeo)`);
    process.exit(0);
  }
}

const sha256 = (data) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The TypeScript source, bundled once by esbuild into a temp module (lib/ holds only the CLI). */
async function loadImageClient() {
  const outfile = path.join(work, 'oci.mjs');
  await build({
    entryPoints: [path.join(repo, 'src/image/oci/index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRegistry() {
  const port = await freePort();
  const config = path.join(work, 'registry.yml');
  fs.writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${work}/registry\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let tries = 0; ; tries++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`).then((response) => response.body?.cancel());
      return { host: `127.0.0.1:${port}`, child };
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function pushBlob(host, name, blob) {
  const started = await fetch(`http://${host}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(started.headers.get('location'), `http://${host}`);
  location.searchParams.set('digest', sha256(blob));
  const done = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: blob });
  if (done.status !== 201) throw new Error(`push failed: ${done.status}`);
}

/** Layers made by GNU tar from random files, gzip'd; a config with their diff_ids; an OCI manifest. */
async function pushImage(host) {
  const layers = [];
  for (let index = 0; index < layerCount; index++) {
    const dir = path.join(work, `layer${index}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, `data${index}.bin`), randomBytes(Math.round((totalMb * 1024 * 1024) / layerCount)));
    const tar = spawnSync('tar', ['-C', dir, '-cf', '-', '.'], { maxBuffer: 1 << 30 }).stdout;
    const blob = zlib.gzipSync(tar, { level: 1 });
    await pushBlob(host, 'bench', blob);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(blob), size: blob.length, diffId: sha256(tar) });
    fs.rmSync(dir, { recursive: true });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    }),
  );
  await pushBlob(host, 'bench', config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  });
  const response = await fetch(`http://${host}/v2/bench/manifests/v1`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (response.status !== 201) throw new Error(`manifest push failed: ${response.status}`);
  return layers.reduce((sum, layer) => sum + layer.size, 0);
}

const { pullImage, parseImageRef } = await loadImageClient();
const registry = await startRegistry();
try {
  const bytes = await pushImage(registry.host);
  console.log(
    `image: ${layerCount} gzip layers, ${(bytes / 1024 / 1024).toFixed(1)} MiB, from docker-registry at ${registry.host}; ${runs} runs each, alternating`,
  );
  const times = { cubicle: [], skopeo: [] };
  for (let run = 0; run < runs; run++) {
    const blobsDir = path.join(work, `cubicle-${run}`);
    let started = performance.now();
    await pullImage(parseImageRef(`${registry.host}/bench:v1`), { blobsDir, platform: { os: 'linux', architecture: 'amd64' } });
    times.cubicle.push(performance.now() - started);
    fs.rmSync(blobsDir, { recursive: true, force: true });

    const layout = path.join(work, `skopeo-${run}`);
    started = performance.now();
    const copied = spawnSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/bench:v1`, `oci:${layout}:v1`], {
      encoding: 'utf8',
    });
    times.skopeo.push(performance.now() - started);
    if (copied.status !== 0) throw new Error(`skopeo failed: ${copied.stderr}`);
    fs.rmSync(layout, { recursive: true, force: true });
  }
  const cubicle = median(times.cubicle);
  const skopeo = median(times.skopeo);
  console.log(`  pullImage    median ${cubicle.toFixed(0).padStart(6)} ms  (runs: ${times.cubicle.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`  skopeo copy  median ${skopeo.toFixed(0).padStart(6)} ms  (runs: ${times.skopeo.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`  ratio pullImage / skopeo: ${(cubicle / skopeo).toFixed(2)}x`);
} finally {
  registry.child.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}
