// The same Dockerfile built by cubicle and by `podman build` (Debian's podman, rootful, vfs storage,
// a storage root of its own), from the same busybox base in a real registry: the two filesystems
// must be the same entry by entry (path, type, mode, owner, content digest, link target; times
// aside), as listed by one script: inside cubicle's job, and over podman's mounted image.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, pushImage } from '../image/images.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from '../image/registry.js';
import { makeProject, outputOf, removeProjects } from '../helpers/project.js';

const BUSYBOX = '/bin/busybox';
const HAVE_PODMAN = spawnSync('podman', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const ready = HAVE_REGISTRY && HAVE_PODMAN && fs.existsSync(BUSYBOX) && isRoot;
if (!ready)
  console.log(
    'skipped: cubicle vs podman build (needs root, podman, docker-registry and busybox-static: apt-get install podman docker-registry busybox-static)',
  );

/** One line per entry of the image's filesystem; the mounts a container gets are left out. */
const MANIFEST = `cd "\${1:-/}"
find . -xdev \\( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o -path ./run -o -path ./etc/hosts -o -path ./etc/resolv.conf \\
  -o -path ./etc/hostname -o -path ./manifest.sh \\) -prune -o -print | sort | while IFS= read -r f; do
  t=$(stat -c '%F %a %u:%g' "$f")
  if [ -L "$f" ]; then c=$(readlink "$f"); elif [ -f "$f" ]; then c=$(sha256sum < "$f" | cut -c1-16); else c=-; fi
  echo "FS $f $t $c"
done
`;

const DOCKERFILE = `ARG REG
FROM \${REG}/test/busybox:1 AS tools
# The base image's config says User 1000, WorkingDir /work: inherited until changed.
WORKDIR /
RUN ["/bin/busybox", "sh", "-c", "test $(/bin/busybox id -u) = 1000"]
USER 0
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /opt/tool/old && echo tool > /opt/tool/bin && chmod 750 /opt/tool/bin
# 705: the job lists it as root without capabilities (cubicle jobs hold none): others need r and x
RUN mkdir -m 705 /srv && chown 1234:1234 /srv

FROM tools
ARG VERSION=1.0
ENV APP=/srv/app PATH=/srv/app/bin:$PATH
WORKDIR $APP
COPY --chmod=0640 *.txt ./
COPY src ./src
COPY bin/ bin/
COPY --from=tools /opt/tool/ ./tool-copy/
COPY --from=0 /bin/busybox /usr/local/bin/bb
SHELL ["/bin/sh", "-e", "-c"]
RUN mkdir -p /etc && echo "app:x:1234:1234::/srv/app:/bin/sh" >> /etc/passwd && echo "app:x:1234:" >> /etc/group && mkdir data && chown 1234:1234 data && echo "$VERSION" > version && ln -s version current
USER app
RUN echo "user=$(id -u) path=$PATH" > /srv/app/data/who && hello > /srv/app/data/hello
USER 0
WORKDIR /opt
RUN rm -rf tool && mkdir tool && echo new > tool/new && rm /bin/vi
`;

const FILES = {
  Dockerfile: DOCKERFILE,
  '.dockerignore': 'src/**/*.tmp\n',
  'a.txt': 'a\n',
  'b.txt': 'b\n',
  'src/main.c': 'int main(void) { return 0; }\n',
  'src/lib/util.c': 'int util;\n',
  'src/lib/scratch.tmp': 'left out\n',
  'bin/hello': '#!/bin/sh\necho hello from bin\n',
  'manifest.sh': MANIFEST,
};

describe.runIf(ready)('cubicle build = podman build', () => {
  let registry: TestRegistry;
  let podmanRoot: string;
  const podman = (...args: string[]) =>
    spawnSync(
      'podman',
      [
        '--root',
        path.join(podmanRoot, 'root'),
        '--runroot',
        path.join(podmanRoot, 'run'),
        '--storage-driver',
        'vfs',
        // crun refuses this cgroup-v1 hybrid host ("cgroups in hybrid mode not supported"); runc is what Docker uses.
        '--runtime',
        'runc',
        ...args,
      ],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        timeout: 300_000,
      },
    );

  beforeAll(async () => {
    registry = await startRegistry();
    podmanRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-podman-'));
    const busybox = fs.readFileSync(BUSYBOX);
    const image = buildImage({
      layers: [{ compression: 'gzip', rootMode: 0o755, files: { 'bin/busybox': busybox, 'bin/sh': busybox, 'root/.keep': '' } }],
      env: ['PATH=/bin'],
      history: true,
    });
    await pushImage(registry, 'test/busybox', '1', image);
  });

  afterAll(async () => {
    if (podmanRoot) {
      podman('system', 'reset', '--force');
      fs.rmSync(podmanRoot, { recursive: true, force: true });
    }
    await registry?.stop();
    removeProjects();
  });

  it('multi-stage (FROM stage, COPY --from), ARG/ENV, WORKDIR, COPY globs/--chmod/.dockerignore into a dir the image has (its mode and owner kept), SHELL, USER, whiteouts and opaque dirs: the same filesystem', async () => {
    const project = makeProject(`jobs:\n  fs:\n    build: { args: { REG: "${registry.host}" } }\n    run: sh manifest.sh\n`, FILES);
    // The job starts in the image's WORKDIR: the script is named by its path in the checkout.
    fs.writeFileSync(project.file('cubicle.config.yaml'), project.read('cubicle.config.yaml').replace('sh manifest.sh', `sh ${project.file('manifest.sh')}`));
    const ours = await project.cubicle(['run'], { timeoutMs: 300_000 });
    expect(ours.exitCode, ours.stdout + ours.stderr).toBe(0);
    const cubicleList = outputOf(ours.stdout, 'fs').filter((line) => line.startsWith('FS '));

    const built = podman('build', '--tls-verify=false', '--network', 'none', '--build-arg', `REG=${registry.host}`, '-t', 'cubicle-compare', project.dir);
    expect(built.status, built.stdout + built.stderr).toBe(0);
    // The image's tree as podman stored it, listed by the same script (the host's busybox) from outside.
    const mounted = podman('image', 'mount', 'cubicle-compare');
    expect(mounted.status, mounted.stderr).toBe(0);
    const ran = spawnSync(BUSYBOX, ['sh', project.file('manifest.sh'), mounted.stdout.trim()], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(ran.status, ran.stderr).toBe(0);
    const podmanList = ran.stdout.split('\n').filter((line) => line.startsWith('FS '));

    expect(cubicleList.length).toBeGreaterThan(250);
    expect(cubicleList).toEqual(podmanList);
  });
});
