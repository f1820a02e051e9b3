#!/usr/bin/env node
// `node bench/registry-cache.mjs` (part 8 of `npm run bench`): the registry cache against skopeo.
// A store of BENCH_REGISTRY_MB (500) MB in BENCH_REGISTRY_STEPS (5) setup layers of random,
// incompressible data is built once, then, BENCH_REGISTRY_RUNS (3) times each, alternating:
//   push: `cubicle cache push` to a fresh repository, against `skopeo copy` of the same layer
//         archives (the blobs cubicle pushed) as an OCI image from an oci: layout to a fresh one;
//   pull: `cubicle cache pull` into a fresh store (download, digest check, import, content digest
//         recomputed) against `skopeo copy` of that image into a fresh oci: layout (download, digest check);
//   cold machine: `cubicle run --cache-from` on a fresh store against the same run building its steps.
// Prints medians and ratios. Needs docker-registry and skopeo; run as root or a user with a subuid range.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(repo, 'bin', 'cubicle.js');
const runs = Number(process.env.BENCH_REGISTRY_RUNS || 3);
const totalMb = Number(process.env.BENCH_REGISTRY_MB || 500);
const steps = Number(process.env.BENCH_REGISTRY_STEPS || 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-registry-'));
fs.chmodSync(work, 0o755);

for (const tool of ['docker-registry', 'skopeo', 'zstd']) {
  if (spawnSync(tool, ['--version']).error) {
    console.log(`skipped: ${tool} is not installed (apt-get install docker-registry skopeo zstd)`);
    process.exit(0);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sha256File = (file) => `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A registry of its own for each push measured: containers/image remembers where it saw a blob
 * (its blob-info cache) and mounts it from another repository instead of uploading it again.
 */
async function startRegistry(name = 'registry') {
  const port = await freePort();
  const config = path.join(work, `${name}.yml`);
  fs.writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${work}/${name}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let tries = 0; ; tries++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`).then((response) => response.body?.cancel());
      return { host: `127.0.0.1:${port}`, child, storage: path.join(work, name) };
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Runs the CLI; the wall time in ms. */
function cubicle(args, { cwd = project, cacheDir } = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env: { ...process.env, CUBICLE_CACHE_DIR: cacheDir, NO_COLOR: '1', CUBICLE_OUTPUT: 'quiet' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`cubicle ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return ms;
}

function skopeo(args) {
  const started = performance.now();
  const result = spawnSync('skopeo', ['copy', '--quiet', ...args], { encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`skopeo copy ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const project = path.join(work, 'project');
fs.mkdirSync(project);
const perStepMb = Math.round(totalMb / steps);
const setup = Array.from(
  { length: steps },
  (_, i) => `      - run: head -c ${perStepMb * 1024 * 1024} /dev/urandom > data${i}.bin && sha256sum data${i}.bin > data${i}.sha\n        network: none\n`,
).join('');
fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), `jobs:\n  bench:\n    setup:\n${setup}    run: cat data*.sha\n`);

/**
 * An OCI layout holding the archives cubicle pushes (one per layer) as an image's layers, as they
 * are (zstd) or decompressed (plain tar, which skopeo then compresses as it pushes, as cubicle does).
 */
function layoutOf(archives, dir, { decompressed }) {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const layers = archives.map((file) => {
    let source = file;
    if (decompressed) {
      source = path.join(dir, 'layer.tar');
      spawnSync('zstd', ['-q', '-d', '-f', file, '-o', source]);
    }
    const digest = sha256File(source);
    const size = fs.statSync(source).size;
    fs.copyFileSync(source, path.join(blobs, digest.slice(7)));
    if (decompressed) fs.rmSync(source);
    return { mediaType: `application/vnd.oci.image.layer.v1.tar${decompressed ? '' : '+zstd'}`, digest, size };
  });
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  fs.writeFileSync(path.join(blobs, configDigest.slice(7)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers,
    }),
  );
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  fs.writeFileSync(path.join(blobs, manifestDigest.slice(7)), manifest);
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );
}

const registry = await startRegistry();
try {
  const storeA = path.join(work, 'store-a');
  const buildMs = cubicle(['run', '--junit', '/dev/null'], { cacheDir: storeA });
  const layerIds = JSON.parse(spawnSync(process.execPath, [cli, 'cache', 'ls', '--json', '--cache-dir', storeA], { encoding: 'utf8' }).stdout).map(
    (layer) => layer.id,
  );
  // The archives `cache push` uploads, taken from the registry's storage after a push to a scratch repository.
  cubicle(['cache', 'push', `${registry.host}/scratch/cache`], { cacheDir: storeA });
  const manifest = JSON.parse(
    await (
      await fetch(`http://${registry.host}/v2/scratch/cache/manifests/latest`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })
    ).text(),
  );
  const archives = manifest.layers
    .filter((layer) => layer.mediaType === 'application/vnd.cubicle.layer.v1.tar+zstd')
    .map((layer) => path.join(work, 'registry', 'docker', 'registry', 'v2', 'blobs', 'sha256', layer.digest.slice(7, 9), layer.digest.slice(7), 'data'));
  const layout = path.join(work, 'layout');
  layoutOf(archives, layout, { decompressed: false });
  const plainLayout = path.join(work, 'layout-tar');
  layoutOf(archives, plainLayout, { decompressed: true });
  const megabytes = archives.reduce((sum, file) => sum + fs.statSync(file).size, 0) / 1024 / 1024;
  console.log(
    `registry cache: ${layerIds.length} setup layers, ${megabytes.toFixed(0)} MiB of archives, docker-registry at ${registry.host}; ${runs} runs each, alternating`,
  );

  const times = { cubiclePush: [], skopeoPush: [], skopeoBlobs: [], cubiclePull: [], skopeoPull: [], skopeoRaw: [], cold: [], build: [buildMs] };
  for (let run = 0; run < runs; run++) {
    const [mine, theirs, blobsOnly] = [await startRegistry(`cubicle${run}`), await startRegistry(`skopeo${run}`), await startRegistry(`blobs${run}`)];
    try {
      times.cubiclePush.push(cubicle(['cache', 'push', `${mine.host}/team/cache`], { cacheDir: storeA }));
      // The same work as cubicle's push: plain tar layers, compressed to zstd on the way (cubicle's store holds trees, not archives).
      const compress = ['--dest-compress-format', 'zstd', '--dest-compress-level', '3'];
      times.skopeoPush.push(skopeo(['--dest-tls-verify=false', ...compress, `oci:${plainLayout}:v1`, `docker://${theirs.host}/team/image:v1`]));
      times.skopeoBlobs.push(skopeo(['--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${blobsOnly.host}/team/image:v1`]));
      const storeB = path.join(work, `store-b${run}`);
      times.cubiclePull.push(cubicle(['cache', 'pull', `${mine.host}/team/cache`], { cacheDir: storeB }));
      const pulled = path.join(work, `pulled${run}`);
      // The same work as cubicle's pull, short of unpacking: each layer decompressed as it is written.
      times.skopeoPull.push(skopeo(['--src-tls-verify=false', '--dest-decompress', `docker://${theirs.host}/team/image:v1`, `dir:${pulled}`]));
      fs.rmSync(pulled, { recursive: true, force: true });
      times.skopeoRaw.push(skopeo(['--src-tls-verify=false', `docker://${blobsOnly.host}/team/image:v1`, `oci:${pulled}:v1`]));
      for (const dir of [storeB, pulled]) {
        spawnSync('chmod', ['-R', 'u+rwx', dir]);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const storeC = path.join(work, `store-c${run}`);
      times.cold.push(cubicle(['run', '--junit', '/dev/null', '--cache-from', `${mine.host}/team/cache`], { cacheDir: storeC }));
      const storeD = path.join(work, `store-d${run}`);
      times.build.push(cubicle(['run', '--junit', '/dev/null'], { cacheDir: storeD }));
      for (const dir of [storeC, storeD]) {
        spawnSync('chmod', ['-R', 'u+rwx', dir]);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      for (const registry of [mine, theirs, blobsOnly]) {
        registry.child.kill('SIGTERM');
        fs.rmSync(registry.storage, { recursive: true, force: true });
      }
    }
  }
  const line = (name, values) =>
    console.log(`  ${name.padEnd(44)} median ${median(values).toFixed(0).padStart(6)} ms  (runs: ${values.map((t) => t.toFixed(0)).join(', ')})`);
  const ratio = (what, a, b, target) => {
    const value = median(a) / median(b);
    console.log(`  ${what.padEnd(60)} ${value.toFixed(2)}x${target ? `  (target <= ${target}x: ${value <= target ? 'met' : 'NOT MET'})` : ''}`);
  };
  line('cubicle cache push', times.cubiclePush);
  line('skopeo copy oci: (tar) -> registry, to zstd', times.skopeoPush);
  line('skopeo copy oci: (zstd blobs as they are)', times.skopeoBlobs);
  line('cubicle cache pull (into a fresh store)', times.cubiclePull);
  line('skopeo copy registry -> dir:, decompressed', times.skopeoPull);
  line('skopeo copy registry -> oci: (blobs as they are)', times.skopeoRaw);
  line('cold machine: run --cache-from', times.cold);
  line('the same run building its steps', times.build);
  ratio('push: cubicle cache push / skopeo copy', times.cubiclePush, times.skopeoPush, 1.2);
  ratio('pull: cubicle cache pull / skopeo copy', times.cubiclePull, times.skopeoPull, 1.2);
  ratio('push against skopeo moving the zstd blobs as they are', times.cubiclePush, times.skopeoBlobs);
  ratio('pull against skopeo keeping the zstd blobs as they are', times.cubiclePull, times.skopeoRaw);
  ratio('cold machine: run --cache-from / building the steps here', times.cold, times.build);
} finally {
  registry.child.kill('SIGTERM');
  spawnSync('chmod', ['-R', 'u+rwx', work]);
  fs.rmSync(work, { recursive: true, force: true });
}
