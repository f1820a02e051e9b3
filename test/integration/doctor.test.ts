// `cubicle doctor` tells the whole truth (issue 13, item 5): every tool cubicle may run, found or
// not, with what needs it; in a checkout, files whose owner the sandbox cannot map; and a job that
// fails writing to one names those owners and the fix. The real CLI, as root and rootless.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT, outboundUnavailable } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

interface Check {
  id: string;
  title: string;
  state: string;
  required: boolean;
  detail: string;
  fix: string | null;
}
interface Report {
  runnable: boolean;
  checks: Check[];
}

const testUser = process.env.CUBICLE_TEST_USER || 'cubtest';
/** A uid and gid outside any sandbox's map of the test user (its own id and its subuid range). */
const FOREIGN_ID = 4_000_000;

function byId(report: Report, id: string): Check {
  const check = report.checks.find((candidate) => candidate.id === id);
  if (!check) throw new Error(`doctor has no ${id} check: ${report.checks.map((c) => c.id).join(', ')}`);
  return check;
}

function passwdEntry(name: string): { uid: number; gid: number; home: string } | null {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) return null;
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! };
}

const JOBS = `jobs:
  write:
    run: echo more >> data/locked.txt
`;
/** And a job that fails otherwise: no owners named in its message. */
const WRITERS = `${JOBS}  other:
    run: 'echo nope; exit 3'
`;

describe(`cubicle doctor (${IS_ROOT ? 'as root' : 'rootless'})`, () => {
  it('lists every tool cubicle may run, whether it is found, what needs it and the fix', async () => {
    const project = makeProject(JOBS);
    const result = await project.cubicle(['doctor', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.runnable).toBe(true);
    const ids = ['helper', 'subuid', 'cgroups', 'layer-tool', 'zstd', 'network', 'mmdebstrap', 'owners'];
    expect(report.checks.map((check) => check.id)).toEqual(expect.arrayContaining(ids));
    expect(byId(report, 'layer-tool')).toMatchObject({ state: 'ok', detail: expect.stringContaining('setup steps') });
    const zstd = byId(report, 'zstd');
    expect(zstd.state).toBe(fs.existsSync('/usr/bin/zstd') ? 'ok' : 'warn');
    expect(zstd.detail).toContain('`cubicle cache export` and `cache import`');
    const network = byId(report, 'network');
    expect(network.state).toBe(outboundUnavailable() === null ? 'ok' : 'warn');
    expect(network.detail).toContain('`network: outbound` needs slirp4netns, nsenter and /dev/net/tun open to you: setup steps (their default)');
    expect(network.detail).toContain('`network: host` need none of them');
    if (fs.existsSync('/usr/bin/pasta')) expect(network.detail).toContain('cubicle does not use it');
    const mmdebstrap = byId(report, 'mmdebstrap');
    expect(mmdebstrap.state).toBe(fs.existsSync('/usr/bin/mmdebstrap') ? 'ok' : 'warn');
    expect(mmdebstrap.detail).toContain('only `image: debian:<suite>` needs it');
    const subuid = byId(report, 'subuid');
    expect(subuid.detail).toMatch(IS_ROOT ? /running as root: every uid is mapped, without newuidmap/ : /newuidmap|no range/);
    // Found from the current dir, like `run` finds its config: this checkout's files are all ours.
    expect(byId(report, 'owners')).toMatchObject({ state: 'ok', detail: expect.stringContaining(`entries in ${project.dir} is mapped inside sandboxes`) });
    for (const state of new Set(report.checks.map((check) => check.state))) expect(['ok', 'warn', 'missing']).toContain(state);
  });

  it('names a missing layer tool, where it was looked for and its fix, and fails: every job with a setup step would', async () => {
    const project = makeProject(JOBS);
    const result = await project.cubicle(['doctor'], { env: { CUBICLE_LAYER_TOOL: path.join(project.dir, 'no-layer-tool') } });
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stdout).toMatch(
      /^missing {2}layer tool \(cubicle-layer\): the layer tool .*no-layer-tool \(set by CUBICLE_LAYER_TOOL\) is missing or not executable: setup steps/m,
    );
    expect(result.stdout).toContain('fix: Point CUBICLE_LAYER_TOOL at an executable cubicle-layer');
  });

  it('says where the helpers came from', async () => {
    const project = makeProject(JOBS);
    const report = JSON.parse((await project.cubicle(['doctor', '--json'])).stdout) as Report;
    expect(byId(report, 'helper').detail).toMatch(
      /cubicle-sandbox \((built in this checkout's native\/|set by CUBICLE_SANDBOX|from the platform package cubicle-linux-\w+@[\d.]+)\)/,
    );
    expect(byId(report, 'layer-tool').detail).toMatch(
      /cubicle-layer \((built in this checkout's native\/layer\/|set by CUBICLE_LAYER_TOOL|from the platform package cubicle-linux-\w+@[\d.]+)\)/,
    );
  });

  it('checks the checkout named by --dir or --config, none outside one, and refuses a --dir that is not there', async () => {
    const project = makeProject(JOBS);
    const elsewhere = { cwd: os.tmpdir(), reject: false, env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir } };
    const outside = await execa(process.execPath, [CLI, 'doctor', '--json'], elsewhere);
    expect((JSON.parse(String(outside.stdout)) as Report).checks.some((check) => check.id === 'owners')).toBe(false);
    for (const args of [
      ['--dir', project.dir],
      ['--config', project.file('cubicle.config.yaml')],
    ]) {
      const named = await execa(process.execPath, [CLI, 'doctor', '--json', ...args], elsewhere);
      expect(byId(JSON.parse(String(named.stdout)) as Report, 'owners').detail).toContain(project.dir);
    }
    const missing = await project.cubicle(['doctor', '--dir', 'no-such-dir']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--dir no-such-dir: no such directory; nothing was checked');
  });
});

const user = passwdEntry(testUser);
const why = !IS_ROOT
  ? `only root can give a file to uid ${FOREIGN_ID}; the root pass runs this as ${testUser}`
  : !user
    ? `no user ${testUser} (.ci/run creates it with a /etc/subuid range)`
    : null;
if (why) console.warn(`skipped: unmappable owners: ${why}`);

describe.skipIf(why !== null)(`files the sandbox cannot map (a project of ${testUser} with a file of uid ${FOREIGN_ID})`, () => {
  it(`doctor names the owner and the fix; a job writing to the file fails naming them; root maps every uid`, async () => {
    const project = makeProject(WRITERS, { 'data/locked.txt': 'hi\n', 'data/fine.txt': 'ok\n' });
    const root = path.dirname(project.dir);
    for (const entry of [root, ...fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).map((relative) => path.join(root, relative))]) {
      fs.lchownSync(entry, user!.uid, user!.gid);
    }
    fs.chownSync(project.file('data/locked.txt'), FOREIGN_ID, FOREIGN_ID);
    fs.chmodSync(project.file('data/locked.txt'), 0o666);
    const env = [`HOME=${user!.home}`, `PATH=${process.env.PATH}`, `CUBICLE_CACHE_DIR=${project.cacheDir}`, 'NO_COLOR=1'];
    const asUser = (args: string[]) =>
      execa('runuser', ['-u', testUser, '--', 'env', ...env, process.execPath, CLI, ...args], { cwd: project.dir, reject: false, timeout: 50_000 });
    const fix = `sudo chown -R ${testUser}: ${project.dir}`;

    const doctor = await asUser(['doctor', '--json']);
    expect(doctor.exitCode, String(doctor.stderr)).toBe(0);
    const owners = byId(JSON.parse(String(doctor.stdout)) as Report, 'owners');
    expect(owners.state).toBe('warn');
    expect(owners.detail).toContain(`uid ${FOREIGN_ID}: 1 file, e.g. "data/locked.txt"`);
    expect(owners.detail).toContain(`gid ${FOREIGN_ID}: 1 file, e.g. "data/locked.txt"`);
    expect(owners.detail).toContain('fails with "Value too large for defined data type" (EOVERFLOW)');
    expect(owners.fix).toContain(fix);

    const run = await asUser(['run', '--json', 'results.json']);
    expect(run.exitCode, String(run.stderr)).toBe(1);
    expect(String(run.stdout)).toContain('Value too large for defined data type');
    const jobs = (JSON.parse(fs.readFileSync(project.file('results.json'), 'utf8')) as { jobs: { name: string; status: string; message: string }[] }).jobs;
    const job = jobs.find((candidate) => candidate.name === 'write')!;
    expect(job.status).toBe('failed');
    expect(job.message).toContain(`uid ${FOREIGN_ID}: 1 file, e.g. "data/locked.txt"`);
    expect(job.message).toContain(fix);
    expect(jobs.find((candidate) => candidate.name === 'other')!.message).toBe('exited with 3');
    expect(String(run.stdout)).toContain(fix);
    expect(project.read('cubicle-junit.xml')).toContain(`uid ${FOREIGN_ID}`);

    // Root maps every uid: the same checkout holds nothing it cannot map, and the job passes.
    const rootDoctor = await project.cubicle(['doctor', '--json']);
    expect(byId(JSON.parse(rootDoctor.stdout) as Report, 'owners').state).toBe('ok');
    const rootRun = await project.cubicle(['run', 'write', '--json', 'results.json']);
    expect(rootRun.exitCode, rootRun.stderr).toBe(0);
  });
});
