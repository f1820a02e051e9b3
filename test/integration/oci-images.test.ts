// `image:` from a real OCI registry (Debian's docker-registry on 127.0.0.1), end to end: the
// CLI pulls, extracts each layer once into the store, stacks them with OCI whiteouts as
// overlay whiteouts, runs a setup step and the job on them. The image is built here: a
// static busybox, then a zstd layer that deletes a file and replaces a directory.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, pushImage } from '../image/images.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from '../image/registry.js';
import { jobOf, makeProject, outputOf, removeProjects } from './helpers.js';

const BUSYBOX = '/bin/busybox';
const ready = HAVE_REGISTRY && fs.existsSync(BUSYBOX);
if (!ready && process.env.CI !== 'true') console.log('skipped: OCI image jobs (needs docker-registry and busybox-static: apt-get install docker-registry busybox-static)');

describe.runIf(ready || process.env.CI === 'true')('image: an OCI image from a registry', () => {
  let registry: TestRegistry;
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const busybox = fs.readFileSync(BUSYBOX);
    const image = buildImage({
      layers: [
        {
          compression: 'gzip',
          files: { 'bin/busybox': busybox, 'bin/sh': busybox, 'etc/os-release': 'NAME=cubicle-test\n', 'etc/gone': 'x\n', 'opt/dir/old': 'old\n', 'root/.keep': '' },
        },
        { compression: 'zstd', files: { 'etc/.wh.gone': '', 'opt/dir/.wh..wh..opq': '', 'opt/dir/new': 'new\n' } },
      ],
      env: ['PATH=/bin', 'FROM_IMAGE=yes'],
    });
    await pushImage(registry, 'test/busybox', '1', image);
    ref = `${registry.host}/test/busybox:1`;
  });

  afterAll(async () => {
    await registry?.stop();
    removeProjects();
  });

  it('pulls, stacks whiteouts as Docker does, runs setup and the job, and reuses the store offline', async () => {
    const project = makeProject(`
jobs:
  on-image:
    image: ${ref}
    setup:
      - run: echo from-setup > /etc/from-setup
    run: busybox cat /etc/os-release /etc/from-setup; busybox ls /opt/dir; test -e /etc/gone || echo gone-hidden; echo "image-env=$FROM_IMAGE home=$HOME"; test -e /usr/bin/node || echo no-host-usr
`);
    const first = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const out = outputOf(first.stdout, 'on-image');
    expect(out).toEqual(expect.arrayContaining(['NAME=cubicle-test', 'from-setup', 'new', 'gone-hidden', 'image-env=yes home=/root', 'no-host-usr']));
    expect(out).not.toContain('old');
    const result = jobOf(project, 'on-image') as unknown as { image: { ref: string; digest: string } };
    expect(result.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const layers = JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout) as { kind: string }[];
    expect(layers.map((layer) => layer.kind).sort()).toEqual(['image', 'image', 'setup']);

    registry.kill();
    const second = await project.cubicle(['run']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(outputOf(second.stdout, 'on-image')).toContain('gone-hidden');
    await registry.restart();
  }, 180_000);

  it('fails the job with a clear message for an unknown image, and runs the others', async () => {
    const project = makeProject(`
jobs:
  missing:
    image: ${registry.host}/test/no-such-image:1
    run: echo never
  fine:
    run: echo fine
`);
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    const missing = jobOf(project, 'missing');
    expect(missing.status).toBe('error');
    expect(missing.message).toMatch(/image .*no-such-image:1 could not be prepared: .*not found/i);
    expect(jobOf(project, 'fine').status).toBe('passed');
  }, 60_000);
});
