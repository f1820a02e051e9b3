// compose: a compose.yaml's services beside a job, through the real CLI: Debian's PostgreSQL and
// Redis (image: host; no OCI image of either is available offline here), reached by their service
// names, started in depends_on order with service_healthy and service_completed_successfully; an
// unhealthy service and a failed one-shot fail the job naming them; nothing is left behind.
import { execaSync } from 'execa';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, pushImage } from '../image/images.js';
import { HAVE_REGISTRY, startRegistry } from '../image/registry.js';
import { processesWith } from '../helpers/processes.js';
import { jobOf, makeProject, outputOf, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

const PG_BIN = '/usr/lib/postgresql/15/bin';
const have = (tool: string) => execaSync('sh', ['-c', `command -v ${tool}`], { reject: false }).exitCode === 0;
const hasServices = fs.existsSync(`${PG_BIN}/postgres`) && have('redis-server') && have('psql');
const ci = process.env.CI === 'true';
if (!hasServices && !ci) console.log('skipped: compose services (needs postgresql and redis-server: apt-get install postgresql redis-server)');

/** Mount points on the host under `dir`: a sandbox's mounts live in its own namespace, so none may show here. */
function hostMountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.split(' ')[4]?.startsWith(dir));
}

const COMPOSE = `
services:
  db:
    image: host
    user: "1000:1000"
    tmpfs: [/srv/pg]
    environment:
      PGDATA: /srv/pg/data
      MARKER: \${MARKER:-unset}
    command: >-
      sh -c '${PG_BIN}/initdb -D "$$PGDATA" -U postgres --auth=trust >/dev/null &&
      exec ${PG_BIN}/postgres -D "$$PGDATA" -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c cubicle.marker=$$MARKER'
    healthcheck:
      test: ["CMD", "${PG_BIN}/pg_isready", "-h", "/tmp"]
      interval: 300ms
      retries: 100
    ports: ["5432:5432"]
  migrate:
    image: host
    entrypoint: ["psql", "-h", "db", "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
    command: ["-c", "create table seen (what text); insert into seen values ('migrated')"]
    depends_on:
      db: { condition: service_healthy }
  cache:
    image: host
    command: redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --unixsocket ''
    healthcheck:
      test: redis-cli -h 127.0.0.1 ping | grep -q PONG
      interval: 200ms
      retries: 100
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
  debug:
    image: host
    command: sleep 1000
    profiles: [debug]
`;

describe.runIf(hasServices || ci)('compose services', () => {
  it('starts PostgreSQL and Redis from compose.yaml in depends_on order; the job reaches them as db and cache; nothing is left', async () => {
    const project = makeProject(
      `
jobs:
  e2e:
    env: { MARKER: compose-marker-pg }
    compose: compose.yaml
    run: >-
      psql -h db -U postgres -tAc 'select what from seen' &&
      redis-cli -h cache set k redis-ok >/dev/null && redis-cli -h cache get k &&
      getent hosts db cache
`,
      { 'compose.yaml': COMPOSE },
    );
    const result = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const out = outputOf(result.stdout, 'e2e');
    expect(out).toContain('migrated');
    expect(out).toContain('redis-ok');
    expect(out).toEqual(expect.arrayContaining([expect.stringMatching(/^127\.0\.0\.1\s+localhost db migrate cache$/)]));
    const order = ['[service db] healthy', '[service migrate] started', '[service cache] started', '[service cache] healthy'].map((line) => out.indexOf(line));
    expect(
      order.every((index) => index >= 0),
      out.join('\n'),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(
      out.some((line) => line.includes('[service debug]')),
      'a service in an inactive profile is not started',
    ).toBe(false);
    expect(result.stderr).toContain('notice: jobs.e2e.compose (compose.yaml) services.db: ignored ports: nothing is published on the host');
    expect(fs.readFileSync(project.file('cubicle-artifacts/e2e/services/db.log'), 'utf8')).toContain('database system is ready to accept connections');
    expect(fs.readFileSync(project.file('cubicle-artifacts/e2e/services/migrate.log'), 'utf8')).toContain('INSERT 0 1');
    expect(processesWith('compose-marker-pg')).toEqual([]);
    expect(processesWith('redis-server --port 6379')).toEqual([]);
    expect(hostMountsUnder(project.dir)).toEqual([]);
  }, 150_000);

  it('fails the job, naming the service, when its healthcheck never passes', async () => {
    const project = makeProject('jobs:\n  sick:\n    compose: compose.yaml\n    run: echo never\n', {
      'compose.yaml': `
services:
  broken:
    image: host
    command: ["sh", "-c", "sleep 1000; : compose-marker-broken"]
    healthcheck: { test: ["CMD", "false"], interval: 100ms, retries: 4 }
`,
    });
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    const job = jobOf(project, 'sick');
    expect(job.status).toBe('error');
    expect(job.message).toContain('service "broken" is unhealthy: its health check `false` failed 4 times');
    expect(outputOf(result.stdout, 'sick')).not.toContain('never');
    expect(processesWith('compose-marker-broken')).toEqual([]);
    expect(hostMountsUnder(project.dir)).toEqual([]);
  }, 60_000);

  it('fails the job, naming the one-shot service, when a service_completed_successfully dependency exits non-zero', async () => {
    const project = makeProject('jobs:\n  seeded:\n    compose: compose.yaml\n    run: echo never\n', {
      'compose.yaml': `
services:
  seed: { image: host, command: sh -c 'echo seeding; exit 3' }
  app:
    image: host
    command: ["sh", "-c", "sleep 1000; : compose-marker-app"]
    depends_on: { seed: { condition: service_completed_successfully } }
`,
    });
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    expect(jobOf(project, 'seeded').message).toContain('service "seed" did not complete successfully: exited with 3');
    expect(outputOf(result.stdout, 'seeded').some((line) => line.includes('[service app]'))).toBe(false);
    expect(processesWith('compose-marker-app')).toEqual([]);
  }, 60_000);

  it("bounds the wait for a one-shot service that never exits by the job's timeout", async () => {
    const project = makeProject('jobs:\n  waiting:\n    timeout: 2s\n    compose: compose.yaml\n    run: echo never\n', {
      'compose.yaml': `
services:
  forever: { image: host, command: ["sh", "-c", "sleep 1000; : compose-marker-forever"] }
  app:
    image: host
    command: ["sh", "-c", "sleep 1000"]
    depends_on: { forever: { condition: service_completed_successfully } }
`,
    });
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    expect(jobOf(project, 'waiting').message).toContain('service "forever" did not complete within the job\'s timeout (2000 ms)');
    expect(processesWith('compose-marker-forever')).toEqual([]);
  }, 60_000);
});

describe('compose: healthcheck timing', () => {
  it('does not count failures inside start_period; a check that outlives timeout fails', async () => {
    const project = makeProject(
      'jobs:\n  slow:\n    compose: { file: compose.yaml, services: [late] }\n    run: echo ran\n' +
        '  hung:\n    compose: { file: compose.yaml, services: [stuck] }\n    run: echo never\n',
      {
        'compose.yaml': `
services:
  late:
    image: host
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 100ms, retries: 1, start_period: 10s }
  stuck:
    image: host
    command: ["sh", "-c", "exec sleep 1000"]
    healthcheck: { test: ["CMD", "sleep", "30"], interval: 100ms, timeout: 300ms, retries: 2 }
`,
      },
    );
    const started = Date.now();
    const result = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 60_000 });
    expect(Date.now() - started, 'the hung check was cut at its timeout, not after 30 s').toBeLessThan(20_000);
    expect(jobOf(project, 'slow').status, result.stdout + result.stderr).toBe('passed');
    expect(outputOf(result.stdout, 'slow')).toContain('ran');
    expect(jobOf(project, 'hung').message).toContain('service "stuck" is unhealthy: its health check `sleep 30` failed 2 times (last: ');
  }, 60_000);
});

describe('compose: named volumes and working_dir', () => {
  it('keeps a named volume between runs, as a cache; runs the service in its working_dir', async () => {
    const project = makeProject('jobs:\n  vol:\n    compose: compose.yaml\n    run: echo ok\n', {
      'compose.yaml': `
services:
  keeper:
    image: host
    working_dir: /srv/data
    volumes: [data:/srv/data]
    command: ["sh", "-c", "n=$$(cat count 2>/dev/null || echo 0); echo $$((n+1)) > count; echo \\"run $$((n+1)) in $$(pwd)\\"; touch ready; exec sleep 1000"]
    healthcheck: { test: ["CMD", "test", "-f", "ready"], interval: 100ms, retries: 50 }
`,
    });
    for (const round of [1, 2]) {
      const result = await project.cubicle(['run']);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(project.read('cubicle-artifacts/vol/services/keeper.log')).toContain(`run ${round} in /srv/data`);
    }
  }, 60_000);
});

const BUSYBOX = '/bin/busybox';
const imagesReady = HAVE_REGISTRY && fs.existsSync(BUSYBOX);
if (!imagesReady && !ci) console.log('skipped: compose services on an OCI image (needs docker-registry and busybox-static)');

describe.runIf(imagesReady || ci)('compose services on an OCI image', () => {
  it("gives a service on an image with no /etc/hosts the names too; runs the image's Cmd as its User in its WorkingDir", async () => {
    const registry = await startRegistry();
    try {
      const busybox = fs.readFileSync(BUSYBOX);
      const image = buildImage({
        layers: [{ compression: 'gzip', files: { 'bin/busybox': busybox, 'bin/sh': busybox } }],
        env: ['PATH=/bin'],
        // The test image's config says User 1000 and WorkingDir /work (a dir no layer has): Docker runs it so, and makes the dir.
        cmd: ['sh', '-c', 'cat /etc/hosts; echo "as $(busybox id -u) in $(busybox pwd)"; exec busybox nc -ll -p 7000 -e busybox echo from-echo-service'],
      });
      await pushImage(registry, 'test/busybox', '1', image);
      const project = makeProject("jobs:\n  named:\n    compose: compose.yaml\n    run: getent hosts echo && bash -c 'cat < /dev/tcp/echo/7000'\n", {
        'compose.yaml': `
services:
  echo:
    image: ${registry.host}/test/busybox:1
    # No command: the image's Cmd runs, as under Docker.
    healthcheck: { test: ["CMD-SHELL", "busybox netstat -ltn | busybox grep -q ':7000 '"], interval: 100ms, retries: 50 }
  client:
    image: ${registry.host}/test/busybox:1
    command: ["sh", "-c", "busybox nc echo 7000 </dev/null > /tmp/got; exec busybox sleep 1000"]
    healthcheck: { test: ["CMD", "busybox", "grep", "-q", "from-echo-service", "/tmp/got"], interval: 100ms, retries: 50 }
    depends_on: { echo: { condition: service_healthy } }
`,
      });
      const result = await project.cubicle(['run'], { timeoutMs: 120_000 });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const out = outputOf(result.stdout, 'named');
      expect(out).toEqual(expect.arrayContaining([expect.stringMatching(/^127\.0\.0\.1\s+localhost echo client$/), 'from-echo-service']));
      expect(out).toContain('[service client] healthy');
      expect(project.read('cubicle-artifacts/named/services/echo.log')).toContain('127.0.0.1\tlocalhost echo client');
      expect(project.read('cubicle-artifacts/named/services/echo.log')).toContain('as 1000 in /work');
      expect(processesWith('from-echo-service')).toEqual([]);
    } finally {
      await registry.stop();
    }
  }, 120_000);
});

describe('compose: refused before anything runs', () => {
  it('exits 2 naming the key and the service, and runs nothing', async () => {
    const project = makeProject('jobs:\n  e2e:\n    compose: compose.yaml\n    run: echo never-ran > ran.txt\n', {
      'compose.yaml': 'services:\n  db:\n    build: .\n    command: x\n  app:\n    image: host\n    command: x\n    privileged: true\n',
    });
    const result = await project.cubicle(['run']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("jobs.e2e.compose (compose.yaml) services.db.build: building a service's image from a Dockerfile is not supported yet");
    expect(result.stderr).toContain('jobs.e2e.compose (compose.yaml) services.app.privileged: services run unprivileged');
    expect(fs.existsSync(project.file('ran.txt'))).toBe(false);
  }, 30_000);
});
