// compose: on a job, through resolveConfig as a config file reaches it: every supported key's
// translation, every refused key's message (exit 2), every ignored key's notice, interpolation,
// profiles and depends_on, and a file read only beneath the checkout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { hostsFile } from '../../run/network.js';
import { serviceCommand } from '../../run/services.js';
import { type ResolvedConfig, resolveConfig } from '../resolve.js';
import { parseEnvFile, splitWords } from './words.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-compose-'));
  roots.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function resolve(compose: string, job: Record<string, unknown> = {}, files: Record<string, string> = {}): ResolvedConfig {
  const dir = project({ 'compose.yaml': compose, ...files });
  return resolveConfig({ raw: { jobs: { e2e: { compose: 'compose.yaml', run: 'true', ...job } } }, source: path.join(dir, 'cubicle.config.yaml') });
}

function problemsOf(compose: string, job: Record<string, unknown> = {}, files: Record<string, string> = {}): readonly string[] {
  try {
    resolve(compose, job, files);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const servicesOf = (config: ResolvedConfig) => Object.fromEntries(config.jobs[0]!.services.map((service) => [service.name, service]));

describe('compose: translation', () => {
  it('translates image, environment, env_file, command, entrypoint, user, working_dir, tmpfs and named volumes', () => {
    const config = resolve(
      `
services:
  db:
    image: host
    entrypoint: /usr/bin/env
    command: sh -c 'echo "a b"' --flag
    environment: { POSTGRES_PASSWORD: secret, PORT: 5432, FROM_JOB: null }
    env_file: [env/db.env]
    user: "999:998"
    working_dir: /srv/db
    tmpfs: [/run/db, "/var/tmp:size=64m"]
    volumes: [pgdata:/srv/pgdata, { type: volume, source: more, target: /srv/more }]
  cache:
    image: debian:bookworm
    command: [redis-server, --port, "6379"]
    environment: [A=1, FROM_JOB, MISSING]
`,
      { env: { FROM_JOB: 'job-value' } },
      { 'env/db.env': '# comment\nFILE_VAR=from-file\nQUOTED="x y"\nPOSTGRES_PASSWORD=overridden-by-environment\n' },
    );
    const { db, cache } = servicesOf(config);
    expect(db!.job.image).toBe('host');
    expect(db!.job.command).toEqual(['/usr/bin/env', 'sh', '-c', 'echo "a b"', '--flag']);
    expect(db!.job.env).toEqual({ FILE_VAR: 'from-file', QUOTED: 'x y', POSTGRES_PASSWORD: 'secret', PORT: '5432', FROM_JOB: 'job-value' });
    expect(db!.job.user).toEqual({ uid: 999, gid: 998 });
    expect(db!.job.workdir).toBe('/srv/db');
    expect(db!.job.tmpfs).toEqual(['/run/db', '/var/tmp']);
    expect(db!.job.caches).toEqual(['/srv/pgdata', '/srv/more']);
    expect(db!.job.network).toBe('none');
    expect(db!.health).toBeNull();
    expect(cache!.job.image).toBe('debian:bookworm');
    expect(cache!.job.command).toEqual(['redis-server', '--port', '6379']);
    expect(cache!.job.env).toEqual({ A: '1', FROM_JOB: 'job-value' });
    expect(config.notices).toEqual([]);
  });

  it('translates every healthcheck form with Compose defaults (30s interval and timeout, 3 retries, no start period)', () => {
    const config = resolve(`
services:
  cmd: { image: host, command: x, healthcheck: { test: [CMD, pg_isready, -h, /tmp], interval: 1m30s, timeout: 500ms, retries: 7, start_period: 10s } }
  shell: { image: host, command: x, healthcheck: { test: [CMD-SHELL, "redis-cli ping | grep PONG"] } }
  string: { image: host, command: x, healthcheck: { test: "curl -f localhost", start_period: 0s } }
  none: { image: host, command: x, healthcheck: { test: [NONE] } }
  disabled: { image: host, command: x, healthcheck: { disable: true } }
`);
    const services = servicesOf(config);
    expect(services.cmd!.health).toEqual({ command: ['pg_isready', '-h', '/tmp'], intervalMs: 90_000, timeoutMs: 500, retries: 7, startPeriodMs: 10_000 });
    expect(services.shell!.health).toEqual({
      command: ['/bin/sh', '-c', 'redis-cli ping | grep PONG'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      retries: 3,
      startPeriodMs: 0,
    });
    expect(services.string!.health!.command).toEqual(['/bin/sh', '-c', 'curl -f localhost']);
    expect(services.none!.health).toBeNull();
    expect(services.disabled!.health).toBeNull();
  });

  it('orders by depends_on: each condition becomes a need; service_completed_successfully marks a one-shot service', () => {
    const config = resolve(`
services:
  app:
    image: host
    command: x
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
      cache: { condition: service_started }
  migrate: { image: host, command: x, depends_on: [db] }
  db: { image: host, command: x, healthcheck: { test: [CMD, "true"] } }
  cache: { image: host, command: x }
`);
    const services = servicesOf(config);
    expect(services.app!.needs).toEqual(['db', 'migrate', 'cache']);
    expect(services.migrate!.needs).toEqual(['db']);
    expect(services.migrate!.completes).toBe(true);
    expect(services.db!.completes).toBe(false);
    expect(config.jobs[0]!.services.map((service) => service.name)).toEqual(['app', 'migrate', 'db', 'cache']);
  });

  it('starts services outside inactive profiles; named services (and what they depend on) whatever their profiles', () => {
    const compose = `
services:
  db: { image: host, command: x }
  debug: { image: host, command: x, profiles: [debug] }
  tools: { image: host, command: x, profiles: [tools], depends_on: [helper] }
  helper: { image: host, command: x, profiles: [never] }
`;
    const names = (job: Record<string, unknown>) => resolve(compose, job).jobs[0]!.services.map((service) => service.name);
    expect(names({})).toEqual(['db']);
    expect(names({ compose: { file: 'compose.yaml', profiles: ['debug'] } })).toEqual(['db', 'debug']);
    expect(names({ compose: { file: 'compose.yaml', services: ['tools'] } })).toEqual(['tools', 'helper']);
  });

  it("interpolates from the job's env only, as Compose does: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, $VAR, $$", () => {
    process.env.CUBICLE_COMPOSE_HOST_SECRET = 'host-secret';
    try {
      const config = resolve(
        `
services:
  db:
    image: \${IMAGE:-host}
    command: [echo, "\${TAG}", "$TAG", "\${EMPTY:-fallback}", "\${EMPTY-kept}", "\${TAG:+set}", "$$HOME", "\${CUBICLE_COMPOSE_HOST_SECRET}"]
`,
        { env: { TAG: 'v1', EMPTY: '' } },
      );
      expect(servicesOf(config).db!.job.command).toEqual(['echo', 'v1', 'v1', 'fallback', '', 'set', '$HOME', '']);
      expect(config.notices).toEqual([
        "jobs.e2e.compose (compose.yaml): the variable CUBICLE_COMPOSE_HOST_SECRET is set neither in the job's env: nor in .env, so it is an empty string (as Compose does)",
      ]);
    } finally {
      delete process.env.CUBICLE_COMPOSE_HOST_SECRET;
    }
  });

  it("reads .env beside the compose file for interpolation, under the job's env:", () => {
    const config = resolve(
      'services:\n  db: { image: host, command: [echo, "${FROM_DOTENV}", "${BOTH}"] }\n',
      { env: { BOTH: 'job' } },
      {
        '.env': 'FROM_DOTENV=dotenv\nBOTH=dotenv\n',
      },
    );
    expect(servicesOf(config).db!.job.command).toEqual(['echo', 'dotenv', 'job']);
    expect(servicesOf(config).db!.job.env).toEqual({});
  });

  it('refuses ${VAR:?message} when the variable is unset, and a lone $', () => {
    expect(problemsOf('services:\n  db: { image: "${IMAGE:?set IMAGE}", command: x }\n')).toEqual([
      "jobs.e2e.compose: compose.yaml: services.db.image: required variable IMAGE is not set: set IMAGE; set it in the job's env:",
    ]);
    expect(problemsOf('services:\n  db: { image: host, command: "echo $ 1" }\n')[0]).toContain('a lone $');
  });
});

describe('compose: keys that cannot apply', () => {
  const refused: Record<string, [string, string]> = {
    build: ['build: .', "building a service's image from a Dockerfile is not supported yet"],
    privileged: ['privileged: true', 'services run unprivileged'],
    devices: ['devices: ["/dev/kvm:/dev/kvm"]', 'no host devices'],
    cap_add: ['cap_add: [NET_ADMIN]', 'none can be added'],
    network_mode: ['network_mode: host', "the job's one network namespace"],
    pid: ['pid: host', 'own PID namespace'],
    ipc: ['ipc: host', 'own IPC namespace'],
    security_opt: ['security_opt: ["seccomp:unconfined"]', 'its own syscall filter'],
    sysctls: ['sysctls: { net.core.somaxconn: 1024 }', 'cannot be set'],
    ulimits: ['ulimits: { nproc: 65535 }', "use the job's memory:"],
    extra_hosts: ['extra_hosts: ["a:1.2.3.4"]', 'only service names resolve'],
    dns: ['dns: 8.8.8.8', 'resolver'],
    links: ['links: [other]', 'legacy'],
    secrets: ['secrets: [pw]', 'not supported yet'],
    configs: ['configs: [conf]', 'not supported yet'],
    deploy: ['deploy: { replicas: 2 }', 'not supported yet'],
    mem_limit: ['mem_limit: 1g', "the job's memory: limit"],
    cpus: ['cpus: 2', "the job's cpus: limit"],
    pids_limit: ['pids_limit: 100', "the job's pids: limit"],
    volumes_from: ['volumes_from: [other]', 'share no volumes'],
    read_only: ['read_only: true', 'not supported yet'],
    shm_size: ['shm_size: 64m', 'not supported yet'],
    userns_mode: ['userns_mode: host', "job's user namespace"],
    group_add: ['group_add: [wheel]', 'not supported yet'],
    extends: ['extends: { service: other }', 'write the service out in full'],
    mac_address: ['mac_address: "02:42:ac:11:65:43"', 'not supported yet'],
  };
  for (const [key, [yaml, message]] of Object.entries(refused)) {
    it(`refuses ${key}, naming the key and the service (exit 2)`, () => {
      const problems = problemsOf(`services:\n  db:\n    image: host\n    command: x\n    ${yaml}\n`);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^jobs\\.e2e\\.compose \\(compose\\.yaml\\) services\\.db\\.${key}: `));
      expect(problems[0]).toContain(message);
      expect(problems[0]).toContain('nothing was run');
    });
  }

  const ignored: Record<string, string> = {
    ports: 'ports: ["5432:5432"]',
    expose: 'expose: ["5432"]',
    container_name: 'container_name: my-db',
    hostname: 'hostname: database',
    labels: 'labels: { a: b }',
    restart: 'restart: always',
    logging: 'logging: { driver: json-file }',
    stop_grace_period: 'stop_grace_period: 30s',
    stop_signal: 'stop_signal: SIGINT',
    init: 'init: true',
    cap_drop: 'cap_drop: [ALL]',
    pull_policy: 'pull_policy: always',
    platform: 'platform: linux/amd64',
    tty: 'tty: true',
    stdin_open: 'stdin_open: true',
  };
  for (const [key, yaml] of Object.entries(ignored)) {
    it(`ignores ${key} with a printed notice that says why it does not matter`, () => {
      const config = resolve(`services:\n  db:\n    image: host\n    command: x\n    ${yaml}\n`);
      expect(config.notices).toHaveLength(1);
      expect(config.notices![0]).toMatch(new RegExp(`^jobs\\.e2e\\.compose \\(compose\\.yaml\\) services\\.db: ignored ${key}: .{10,}`));
    });
  }

  it('ignores one network with a notice and refuses two', () => {
    expect(resolve('services:\n  db: { image: host, command: x, networks: [backend] }\nnetworks: { backend: {} }\n').notices).toEqual([
      'jobs.e2e.compose (compose.yaml) services.db: ignored networks: the job and all its services share one network',
    ]);
    expect(problemsOf('services:\n  db: { image: host, command: x, networks: [a, b] }\nnetworks: { a: {}, b: {} }\n')).toEqual([
      'jobs.e2e.compose (compose.yaml) services.db.networks: a, b: more than one network is not supported; the job and all its services share one loopback',
    ]);
  });

  const TMPFS_AT = 'jobs.e2e.compose (compose.yaml) services.db.tmpfs:';
  const TMPFS_FIX = "name a directory of the service's, like /var/lib/data";
  it("refuses compose: with network: host, and a tmpfs over the sandbox's own mounts", () => {
    expect(problemsOf('services:\n  db: { image: host, command: x }\n', { network: 'host' })).toEqual([
      'jobs.e2e.compose: not with network: host, where the service names could not be given their own /etc/hosts; use network: none (the default) or outbound',
    ]);
    const problems = problemsOf('services:\n  db: { image: host, command: x, tmpfs: [/, /proc/sys, relative, /dev] }\n');
    expect(problems).toEqual([
      `${TMPFS_AT} "/" would cover the sandbox's own /; ${TMPFS_FIX}`,
      `${TMPFS_AT} "/proc/sys" would cover the sandbox's own /proc; ${TMPFS_FIX}`,
      `${TMPFS_AT} "relative" is not an absolute path`,
      `${TMPFS_AT} "/dev" would cover the sandbox's own /dev; ${TMPFS_FIX}`,
    ]);
  });

  it('refuses host bind mounts, anonymous volumes and a named volume over the system or the home', () => {
    const problems = problemsOf('services:\n  db:\n    image: host\n    command: x\n    volumes: ["./data:/data", "/var/lib/x", "sys:/usr/lib"]\n');
    expect(problems).toEqual([
      'jobs.e2e.compose (compose.yaml) services.db.volumes: "./data:/data": a bind mount of a host path is not supported (a service sees only its image)',
      'jobs.e2e.compose (compose.yaml) services.db.volumes: "/var/lib/x": ' +
        'an anonymous volume is not supported yet; name it (NAME:/var/lib/x) to keep it between runs',
    ]);
    const system = problemsOf('services:\n  db:\n    image: host\n    command: x\n    volumes: ["sys:/usr/lib"]\n');
    expect(system).toHaveLength(1);
    expect(system[0]).toMatch(/^jobs\.e2e\.compose \(compose\.yaml\) services\.db\.volumes: "\/usr\/lib" would shadow .*drop the volume/);
  });

  it('refuses what it cannot run as written: no command, a user name, no image, service_healthy without a healthcheck, a cycle', () => {
    expect(problemsOf('services:\n  db: { image: host }\n')).toEqual([
      'jobs.e2e.compose (compose.yaml) services.db: needs command: or entrypoint: (image "host" has no config to take a CMD from); nothing was run',
    ]);
    expect(problemsOf('services:\n  db: { image: host, command: x, user: postgres }\n')[0]).toContain(
      'services.db.user: "postgres": only a numeric UID or UID:GID (like "999:999") is supported',
    );
    expect(problemsOf('services:\n  db: { command: x }\n')[0]).toContain('services.db: needs image:');
    expect(
      problemsOf('services:\n  app: { image: host, command: x, depends_on: { db: { condition: service_healthy } } }\n  db: { image: host, command: x }\n'),
    ).toEqual(['jobs.e2e.compose (compose.yaml) services.app.depends_on.db: condition service_healthy, but db has no healthcheck: with a test']);
    expect(problemsOf('services:\n  a: { image: host, command: x, depends_on: [b] }\n  b: { image: host, command: x, depends_on: [a] }\n')).toEqual([
      "jobs.e2e.compose (compose.yaml): the services' depends_on form a cycle",
    ]);
    expect(problemsOf('services:\n  a: { image: host, command: x, depends_on: [nope] }\n')[0]).toContain('depends_on: "nope" is not a service of compose.yaml');
  });

  it("refuses a service the job names that the file lacks, a name clash with the job's own services, and a name that is no host name", () => {
    expect(problemsOf('services:\n  db: { image: host, command: x }\n', { compose: { file: 'compose.yaml', services: ['dv'] } })).toEqual([
      'jobs.e2e.compose.services: "dv" is not a service of compose.yaml (did you mean "db"?); it defines db',
    ]);
    expect(problemsOf('services:\n  db: { image: host, command: x }\n', { services: { db: { run: 'x' } } })).toEqual([
      "jobs.e2e.compose (compose.yaml) services.db: the job's own services: has a service of this name too; rename one",
    ]);
    expect(problemsOf('services:\n  My.DB: { image: host, command: x }\n')[0]).toContain('services.My.DB: a service name must be 1-31 lowercase');
  });
});

describe('compose: the file', () => {
  it('is checked against the Compose specification schema: a typo is named', () => {
    expect(problemsOf('services:\n  db: { imag: host, command: x }\n')).toEqual([
      'jobs.e2e.compose: compose.yaml: services.db: unknown key "imag" (not in the Compose specification)',
    ]);
    expect(problemsOf('services:\n  db: { image: host, command: x, healthcheck: { retries: many } }\n')[0]).toContain(
      'services.db.healthcheck.retries: must be number',
    );
  });

  it('is read only beneath the checkout: not through .., not through a symlink out', () => {
    const dir = project({ 'compose.yaml': 'services: {}' });
    const outside = project({ 'compose.yaml': 'services:\n  db: { image: host, command: x }\n' });
    fs.symlinkSync(path.join(outside, 'compose.yaml'), path.join(dir, 'link.yaml'));
    const problemsFor = (file: string) => {
      try {
        resolveConfig({ raw: { jobs: { e2e: { compose: file, run: 'true' } } }, source: path.join(dir, 'cubicle.config.yaml') });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    expect(problemsFor(`../${path.basename(outside)}/compose.yaml`)[0]).toMatch(/^jobs\.e2e\.compose: the compose file ".*" is outside the checkout/);
    expect(problemsFor('link.yaml')[0]).toMatch(/^jobs\.e2e\.compose: the compose file "link\.yaml": /);
    expect(problemsFor('missing.yaml')[0]).toMatch(/^jobs\.e2e\.compose: the compose file "missing\.yaml": .*does not exist; nothing was run$/);
    expect(problemsFor('compose.yaml')[0]).toBe('jobs.e2e.compose: compose.yaml defines no services');
  });

  it('refuses an env_file outside the checkout, and a missing one', () => {
    expect(problemsOf('services:\n  db: { image: host, command: x, env_file: ../../etc/passwd }\n')[0]).toContain(
      'services.db.env_file: env_file "../../etc/passwd" is outside the checkout',
    );
  });

  it('refuses a named volume with a driver, options or external; notes an override file it does not read', () => {
    expect(
      problemsOf(
        'services:\n  db: { image: host, command: x, volumes: [data:/srv/data] }\nvolumes:\n  data: { driver_opts: { type: tmpfs }, external: false }\n',
      ),
    ).toEqual([
      'jobs.e2e.compose (compose.yaml) volumes.data.driver_opts: not supported; a named volume is a directory kept between runs as a cache',
      'jobs.e2e.compose (compose.yaml) volumes.data.external: not supported; a named volume is a directory kept between runs as a cache',
    ]);
    const config = resolve('services:\n  db: { image: host, command: x }\nvolumes:\n  data: {}\n', {}, { 'compose.override.yaml': 'services: {}\n' });
    expect(config.notices).toEqual([
      'jobs.e2e.compose (compose.yaml): compose.override.yaml is not read: ' +
        'as with `docker compose -f compose.yaml`, only the file named is; name the one to use in compose:',
    ]);
  });

  it('refuses YAML that does not parse', () => {
    expect(problemsOf('services: [\n')[0]).toMatch(/^jobs\.e2e\.compose: compose\.yaml is not valid YAML: /);
  });
});

describe("compose: a command from the image's config, as Docker composes it", () => {
  const image = { runConfig: { workdir: '/', user: '', entrypoint: ['docker-entrypoint.sh'], cmd: ['postgres'] } };
  const commandOf = (service: string) => serviceCommand(servicesOf(resolve(`services:\n  db: { image: "postgres:16", ${service} }\n`)).db!, image);
  it('neither given: Entrypoint then Cmd; command only: Entrypoint then command; entrypoint given: no Cmd', () => {
    expect(commandOf('user: "999"')).toEqual(['docker-entrypoint.sh', 'postgres']);
    expect(commandOf('command: postgres -c fsync=off')).toEqual(['docker-entrypoint.sh', 'postgres', '-c', 'fsync=off']);
    expect(commandOf('entrypoint: [my-init]')).toEqual(['my-init']);
    expect(commandOf('entrypoint: [my-init], command: [a]')).toEqual(['my-init', 'a']);
    expect(commandOf('entrypoint: []')).toEqual([]);
  });
});

describe('compose: words, env files and /etc/hosts', () => {
  it('splits a command string like a shell, without running one', () => {
    expect(splitWords(`redis-server --save '' --x "a \\"b\\"" c\\ d $HOME`)).toEqual(['redis-server', '--save', '', '--x', 'a "b"', 'c d', '$HOME']);
    expect(splitWords('echo "open')).toBeNull();
  });

  it('reads KEY=VALUE lines, comments, export and quotes', () => {
    expect(parseEnvFile('# c\nexport A=1\nB = "two words"\nC=\'$x\'\nD=v # trailing\n\nbad line\n')).toEqual({
      variables: { A: '1', B: 'two words', C: '$x', D: 'v' },
      problems: ['line 7: expected KEY=VALUE'],
    });
  });

  it('names each service on the shared loopback, IPv4 as Docker does', () => {
    expect(hostsFile(['db', 'cache'])).toBe('127.0.0.1\tlocalhost db cache\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  });
});

describe('compose: hostile files', () => {
  const keys = ['image', 'command', 'entrypoint', 'environment', 'env_file', 'user', 'working_dir', 'healthcheck', 'depends_on', 'tmpfs', 'volumes'];
  const keysPlus = [...keys, 'profiles', 'networks', 'ports', 'build', 'privileged', 'x-any'];
  // Values the schema lets through, so the translator itself is fuzzed, not only the schema check.
  const likely = fc.oneof(
    fc.string(),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.constant(null))),
  );
  it('never throws anything but a ConfigError, whatever a service holds (fast-check, 300 files)', () => {
    const dir = project({});
    const service = fc.dictionary(fc.constantFrom(...keysPlus), fc.oneof(fc.anything(), likely, likely), { maxKeys: 6 });
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('db', 'cache', 'x.y', 'A'), service, { minKeys: 1, maxKeys: 3 }), (services) => {
        fs.writeFileSync(path.join(dir, 'compose.yaml'), JSON.stringify({ services }));
        try {
          resolveConfig({ raw: { jobs: { e2e: { compose: 'compose.yaml', run: 'true' } } }, source: path.join(dir, 'cubicle.config.yaml') });
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          for (const problem of error.problems) expect(problem).toMatch(/^jobs\.e2e\.compose/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
