// `build:` on a job, end to end through the CLI: a Dockerfile FROM a busybox image in a real
// registry (Debian's docker-registry on 127.0.0.1), with ARG, ENV, WORKDIR, RUN (shell and exec
// form), COPY with .dockerignore, built into layers of the store; the job runs on the image with
// its CMD. A second run is all cached; a changed source rebuilds only from the COPY that copies it.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, pushImage } from '../image/images.js';
import { HAVE_REGISTRY, startRegistry, type TestRegistry } from '../image/registry.js';
import { outboundUnavailable } from '../helpers/host.js';
import { makeProject, outputOf, removeProjects, type Project } from '../helpers/project.js';

const BUSYBOX = '/bin/busybox';
const ready = HAVE_REGISTRY && fs.existsSync(BUSYBOX);
if (!ready && process.env.CI !== 'true')
  console.log('skipped: Dockerfile builds (needs docker-registry and busybox-static: apt-get install docker-registry busybox-static)');

const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG REG
ARG TAG=1
FROM \${REG}/test/busybox:\${TAG} AS base
# The base's config says User 1000 (test/image/images.ts): a build that writes / switches first.
USER 0
RUN --network=none ["/bin/busybox", "--install", "-s", "/bin"]
ENV GREETING="hello there" APP=/app
WORKDIR $APP
RUN --network=none echo "$GREETING" > /greeting && echo "tag=$TAG" >> /greeting
ARG TAG
COPY package.txt ./
RUN --network=none cat package.txt > /deps-installed && echo "tag=$TAG" >> /deps-installed
COPY src/ ./src/
RUN --network=none ls src > /src-list
CMD ["sh", "-c", "cat /greeting /deps-installed /src-list; echo app=$APP greeting=$GREETING; echo cwd=$(pwd) uid=$(id -u)"]
`;

/** The [build] lines of a run: what was built and what came from the store. */
function buildLines(stdout: string, job: string): { running: string[]; cached: string[] } {
  const lines = outputOf(stdout, job).filter((line) => line.startsWith('[build] '));
  return {
    running: lines.filter((line) => line.startsWith('[build] running: ')).map((line) => line.slice('[build] running: '.length)),
    cached: lines.filter((line) => line.startsWith('[build] cached: ')).map((line) => line.slice('[build] cached: '.length)),
  };
}

async function setupLayers(project: Project): Promise<number> {
  const layers = JSON.parse((await project.cubicle(['cache', 'ls', '--json'])).stdout) as { kind: string }[];
  return layers.filter((layer) => layer.kind === 'setup').length;
}

describe.runIf(ready || process.env.CI === 'true')('build: a Dockerfile built into cached layers', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    const busybox = fs.readFileSync(BUSYBOX);
    const image = buildImage({ layers: [{ compression: 'gzip', files: { 'bin/busybox': busybox, 'bin/sh': busybox, 'root/.keep': '' } }], env: ['PATH=/bin'] });
    await pushImage(registry, 'test/busybox', '1', image);
  });

  afterAll(async () => {
    await registry?.stop();
    removeProjects();
  });

  it('builds, runs the job on the image with its CMD, reuses every layer, rebuilds only from the COPY of a changed file', async () => {
    const project = makeProject(
      `
jobs:
  app:
    build: { context: ., args: { REG: "${registry.host}" } }
`,
      {
        Dockerfile: DOCKERFILE,
        '.dockerignore': 'src/*.log\nnotes/\n',
        'package.txt': 'deps v1\n',
        'src/a.txt': 'a1\n',
        'src/debug.log': 'left out\n',
        'notes/n.txt': 'left out\n',
      },
    );
    const first = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const out = outputOf(first.stdout, 'app');
    expect(out).toEqual(expect.arrayContaining(['hello there', 'tag=', 'deps v1', 'tag=1', 'a.txt', 'app=/app greeting=hello there', 'cwd=/app uid=0']));
    expect(out).not.toContain('debug.log');
    expect(buildLines(first.stdout, 'app').running).toHaveLength(7);
    expect(await setupLayers(project)).toBe(7);

    const second = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(buildLines(second.stdout, 'app')).toEqual({ running: [], cached: expect.any(Array) });
    expect(buildLines(second.stdout, 'app').cached).toHaveLength(7);
    expect(outputOf(second.stdout, 'app')).toContain('a.txt');

    // A file .dockerignore leaves out changes nothing; a copied one rebuilds from its COPY on.
    fs.writeFileSync(project.file('src/debug.log'), 'changed\n');
    fs.writeFileSync(project.file('notes/n.txt'), 'changed\n');
    const ignored = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(buildLines(ignored.stdout, 'app').running).toEqual([]);
    fs.writeFileSync(project.file('src/b.txt'), 'b\n');
    const third = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(third.exitCode, third.stdout + third.stderr).toBe(0);
    expect(buildLines(third.stdout, 'app').running).toEqual(['COPY src/ ./src/', 'RUN --network=none ls src > /src-list']);
    expect(buildLines(third.stdout, 'app').cached).toHaveLength(5);
    expect(outputOf(third.stdout, 'app')).toEqual(expect.arrayContaining(['a.txt', 'b.txt']));
    expect(await setupLayers(project)).toBe(9);
  });

  it('`run:` on the job wins over CMD, and the job sees the checkout beside the image', async () => {
    const project = makeProject(
      `
jobs:
  app:
    build: { args: { REG: "${registry.host}" } }
    run: cat package.txt checkout.txt
`,
      { Dockerfile: DOCKERFILE, 'package.txt': 'deps v2\n', 'src/a.txt': 'a\n', 'checkout.txt': 'from the checkout\n' },
    );
    // The command starts in the image's WORKDIR (/app); the checkout is at its own path.
    fs.writeFileSync(project.file('cubicle.config.yaml'), project.read('cubicle.config.yaml').replace('checkout.txt', project.file('checkout.txt')));
    const result = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(outputOf(result.stdout, 'app')).toEqual(expect.arrayContaining(['deps v2', 'from the checkout']));
  });

  it('COPY --from an earlier stage: its merged files, owner root, modes kept; keyed on the stage; the job as USER in WORKDIR', async () => {
    const dockerfile = (marker: string) => `FROM ${registry.host}/test/busybox:1 AS build
USER 0
RUN --network=none ["/bin/busybox", "--install", "-s", "/bin"]
RUN --network=none mkdir -p /out/sub && echo ${marker} > /out/top && chmod 700 /out/sub && rm /bin/vi
FROM ${registry.host}/test/busybox:1
COPY --from=build /out /copied/
`;
    const project = makeProject(
      `jobs:\n  app:\n    build: .\n    run: busybox cat /copied/top; busybox stat -c '%a %u:%g' /copied/sub; echo cwd=$(busybox pwd) uid=$(busybox id -u)\n`,
      {
        Dockerfile: dockerfile('one'),
      },
    );
    const first = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    // The base's config (User 1000, WorkingDir /work, which it lacks) is where the job starts.
    expect(outputOf(first.stdout, 'app')).toEqual(expect.arrayContaining(['one', '700 0:0', 'cwd=/work uid=1000']));
    fs.writeFileSync(project.file('Dockerfile'), dockerfile('two'));
    const second = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(outputOf(second.stdout, 'app')).toContain('two');
    expect(buildLines(second.stdout, 'app').running).toEqual([
      expect.stringContaining('RUN --network=none mkdir -p /out/sub'),
      'COPY --from=build /out /copied/',
    ]);
  });

  const noOutbound = outboundUnavailable();
  if (noOutbound) console.log(`skipped: a RUN's default network (a way out, as Docker's): ${noOutbound}`);
  it.skipIf(noOutbound !== null)("a RUN without --network has a way out (slirp4netns' tap0), as Docker's default; --network=none has only lo", async () => {
    const project = makeProject(`jobs:\n  app:\n    build: .\n    run: busybox cat /default /none\n`, {
      Dockerfile: `FROM ${registry.host}/test/busybox:1
USER 0
RUN --network=none ["/bin/busybox", "--install", "-s", "/bin"]
RUN grep -o tap0 /proc/net/dev > /default
RUN --network=none sh -c 'grep -c : /proc/net/dev > /none'
`,
    });
    const result = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(outputOf(result.stdout, 'app')).toEqual(expect.arrayContaining(['tap0', '1']));
  });

  it('a failing RUN fails the job naming its line; nothing of it is committed', async () => {
    const project = makeProject(`jobs:\n  app:\n    build: .\n    run: 'true'\n`, {
      Dockerfile: `FROM ${registry.host}/test/busybox:1\nRUN --network=none /bin/busybox false\n`,
    });
    const result = await project.cubicle(['run'], { timeoutMs: 120_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('RUN on line 2');
    expect(result.stdout + result.stderr).toContain('exited with 1');
    expect(await setupLayers(project)).toBe(0);
  });

  it.each([
    ['ONBUILD RUN x', 'ONBUILD on line 3: ONBUILD is not supported'],
    ['ADD https://example.com/a.tgz /a', 'ADD on line 3: ADD of a URL or a git repository is not supported'],
    ['RUN --mount=type=cache,target=/c true', 'RUN on line 3: the flag --mount is not supported'],
    ['HEALTHCHECK CMD true\nFROBNICATE', 'FROBNICATE on line 4: this instruction is not supported'],
  ])('%s: exit 2 naming it and its line, nothing built or pulled', async (line, message) => {
    const project = makeProject(`jobs:\n  app:\n    build: .\n    run: 'true'\n`, {
      Dockerfile: `FROM ${registry.host}/test/busybox:1\nRUN true\n${line}\n`,
    });
    const result = await project.cubicle(['run']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toContain('[build]');
    expect(fs.existsSync(`${project.cacheDir}/layers`) ? fs.readdirSync(`${project.cacheDir}/layers`) : []).toEqual([]);
  });
});
