// Hostile checkouts for classes 2-4 of issue 12 (paths that leave the checkout, env values used
// as host paths, host writes through shipped symlinks): a real checkout with a planted runner
// HOME (~/.ssh/id_rsa) and a host dir beside it, run by the real CLI. The checks look for the
// secrets in everything the run left (output, reports, artifacts, the layer store) and compare
// HOME and the host dir before and after.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { makeProject, type CliResult, type Project } from '../../helpers/project.js';
import { HOST_SECRET, snapshotTree } from '../harness.js';

/** In the planted ~/.ssh/id_rsa of the runner's HOME. */
export const SSH_SECRET = `ssh-key-secret-paths-${process.pid}`;
export const BASHRC = "# the runner's own .bashrc\n";

export interface PathScene {
  readonly project: Project;
  /** The runner's HOME: .ssh/id_rsa holds SSH_SECRET, .bashrc BASHRC. */
  readonly home: string;
  /** A host dir beside the checkout: secret.txt holds HOST_SECRET. */
  readonly outside: string;
  /** The dir holding checkout, home and outside. */
  readonly root: string;
}

/** A checkout with `config` (YAML, may use HOME/OUTSIDE/ROOT placeholders) and whatever `plant` makes in it. */
export function hostileCheckout(config: string, plant: (scene: PathScene) => void = () => undefined): PathScene {
  const project = makeProject('');
  const root = path.dirname(project.dir);
  const home = path.join(root, 'home');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_SECRET}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(home, '.bashrc'), BASHRC);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), `${HOST_SECRET}\n`);
  const scene = { project, home, outside, root };
  fs.writeFileSync(project.file('cubicle.config.yaml'), config.replaceAll('{HOME}', home).replaceAll('{OUTSIDE}', outside).replaceAll('{ROOT}', root));
  plant(scene);
  return scene;
}

/** `cubicle run --json results.json ARGS` in the checkout with the planted HOME. */
export function runIn(scene: PathScene, args: readonly string[] = [], timeoutMs = 90_000): Promise<CliResult> {
  return scene.project.cubicle(['run', '--json', 'results.json', ...args], { env: { HOME: scene.home }, timeoutMs });
}

/** HOME and the host dir beside the checkout, file by file (content digests, modes, links). */
export function snapshotHost(scene: PathScene): Map<string, string> {
  const tree = new Map<string, string>();
  for (const [name, dir] of [
    ['home', scene.home],
    ['outside', scene.outside],
  ] as const) {
    for (const [file, digest] of snapshotTree(dir)) if (file !== '.') tree.set(`${name}/${file}`, digest);
  }
  // Beside the checkout only its cache dir (the layer store) may appear: a new name there is a dir made outside.
  for (const name of fs.readdirSync(scene.root)) if (name !== 'cache') tree.set(`root/${name}`, '');
  return tree;
}

/** Where `secret` appears in what the run left: its output, the checkout's files, the layer store. */
export function whereIs(scene: PathScene, result: CliResult, secret: string): string[] {
  const found: string[] = [];
  if (result.stdout.includes(secret)) found.push('stdout');
  if (result.stderr.includes(secret)) found.push('stderr');
  for (const dir of [scene.project.dir, scene.project.cacheDir]) {
    for (const file of filesUnder(dir)) {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch {
        continue; // rootless: a layer file of a subordinate uid, unreadable here; the root run reads every one
      }
      if (bytes.includes(secret)) found.push(file);
    }
  }
  return found;
}

/** Regular files under `dir` (no link followed), the checkout's own planted secrets left out. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const files: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile() && fs.statSync(full).size < 8 * 1024 * 1024) files.push(full);
    }
  }
  return files;
}

/** The harm did not happen: no secret anywhere, HOME and the host dir as they were. */
export function expectHeld(scene: PathScene, result: CliResult, before: Map<string, string>): void {
  const context = `${result.stdout}\n${result.stderr}`;
  for (const secret of [SSH_SECRET, HOST_SECRET]) expect(whereIs(scene, result, secret), `${secret}\n${context}`).toEqual([]);
  expect(snapshotHost(scene), context).toEqual(before);
  expect(fs.readFileSync(path.join(scene.home, '.bashrc'), 'utf8')).toBe(BASHRC);
}

/**
 * An OCI layout in the checkout at `dir` (one layer with hello.txt, or `layerFiles`), its
 * config's Env as given. With `layerAt`, the layer's blob is written there (outside the
 * checkout) and the layout holds a symlink to it.
 */
export function writeOciLayout(dir: string, env: readonly string[], options: { layerFiles?: Record<string, string>; layerAt?: string } = {}): void {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer, at?: string) => {
    const hex = createHash('sha256').update(data).digest('hex');
    if (at) {
      fs.writeFileSync(at, data);
      fs.symlinkSync(at, path.join(blobs, hex));
    } else {
      fs.writeFileSync(path.join(blobs, hex), data);
    }
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layerDir = fs.mkdtempSync(path.join(path.dirname(dir), '.layer-'));
  const files = options.layerFiles ?? { 'hello.txt': 'hello\n' };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(layerDir, name), content);
  const tar = execFileSync('tar', ['-C', layerDir, '-cf', '-', ...Object.keys(files)]);
  fs.rmSync(layerDir, { recursive: true });
  const layer = put(tar, options.layerAt);
  const architecture = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const rootfs = { type: 'layers', diff_ids: [layer.digest] };
  const config = put(Buffer.from(JSON.stringify({ architecture, os: 'linux', config: { Env: env, Cmd: ['/bin/sh'] }, rootfs })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );
}
