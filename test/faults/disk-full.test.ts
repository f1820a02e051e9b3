// The store's disk filling up: a 4 MiB tmpfs store, filled by a setup step just before its
// layer is committed, by a failing step, and by a job. Each run must end with its reports and
// an honest job status; the next normal run must reap what was left and pass; the store stays
// verifiable and no process, mount or cgroup is left.
//
// The tmpfs lives in a private mount namespace held by `sleep`, so nothing is mounted where
// other suites look: as root `unshare -m`; as a user `unshare -Urm` (the runner is then root
// of that user namespace and its helper nests one more inside it).
import { execa, execaSync, type ResultPromise } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { makeProject, removeProjects, type CliResult, type JsonResults } from '../helpers/project.js';
import { changedMounts, faultToken, leftoverCgroups, mountLines, orphanProcesses, reportProblem, storeTempEntries, strayTempFiles } from './helpers.js';

const STORE_BYTES = 4 * 1024 * 1024;

function canUnshare(): string | null {
  const probe = execaSyncQuiet('unshare', IS_ROOT ? ['-m', 'true'] : ['-Urm', 'sh', '-c', 'mount -t tmpfs tmpfs /tmp']);
  return probe === 0 ? null : `\`unshare ${IS_ROOT ? '-m' : '-Urm'}\` with a tmpfs mount failed here (unprivileged user namespaces off?)`;
}

function execaSyncQuiet(file: string, args: string[]): number | undefined {
  return execaSync(file, args, { reject: false, stdin: 'ignore' }).exitCode;
}

const cannot = canUnshare();
if (cannot) console.log(`skipped: disk full during a layer commit: ${cannot}`);

afterAll(removeProjects);

describe.skipIf(cannot !== null)('the store filling up (a 4 MiB tmpfs)', () => {
  const token = faultToken();
  const marker = `FAULTMARK-${token}`;
  const job = `df${token}`;
  const project = makeProject(`
jobs:
  ${job}:
    run: echo ${marker} ok
`);
  let holder: ResultPromise;
  let holderPid = 0;
  let testMounts: string[] = [];
  let holderMounts: string[] = [];
  const store = () => `/proc/${holderPid}/root${project.cacheDir}`;
  // nsenter enters the target's root and cwd unless told: the project dir is the same in both.
  const enter = (command: string[]) => [
    '-t',
    String(holderPid),
    '-m',
    ...(IS_ROOT ? [] : ['-U', '--preserve-credentials']),
    `--wd=${project.dir}`,
    '--',
    ...command,
  ];

  async function cubicle(args: string[]): Promise<CliResult> {
    const result = await execa('nsenter', enter([process.execPath, CLI, ...args]), {
      cwd: project.dir,
      env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, CUBICLE_NO_CODE_CACHE: '1', NO_COLOR: '1' },
      reject: false,
      stdin: 'ignore',
      timeout: 50_000,
    });
    return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  beforeAll(async () => {
    testMounts = mountLines();
    fs.mkdirSync(project.cacheDir, { recursive: true });
    holder = execa('unshare', IS_ROOT ? ['-m', '--propagation', 'private', 'sleep', '900'] : ['-Urm', 'sleep', '900'], { reject: false, stdin: 'ignore' });
    holderPid = holder.pid!;
    const ownNs = fs.readlinkSync('/proc/self/ns/mnt');
    const entered = await waitFor(() => {
      try {
        return fs.readlinkSync(`/proc/${holderPid}/ns/mnt`) !== ownNs && fs.readFileSync(`/proc/${holderPid}/cmdline`, 'utf8').startsWith('sleep');
      } catch {
        return false;
      }
    }, 5000);
    expect(entered, 'the namespace holder did not start').toBe(true);
    const mounted = await execa('nsenter', enter(['mount', '-t', 'tmpfs', '-o', `size=${STORE_BYTES},mode=0700`, 'tmpfs', project.cacheDir]), {
      reject: false,
    });
    expect(mounted.exitCode, String(mounted.stderr)).toBe(0);
    holderMounts = mountLines(holderPid);
  });

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await holder?.catch(() => undefined);
  });

  /** Every check after a fault: the next normal run, then what it must have left. */
  async function afterFault(): Promise<string[]> {
    const found: string[] = [];
    for (const orphan of await orphanProcesses([project.cacheDir, marker], [holderPid])) found.push(`orphan after the fault: ${orphan}`);
    // `caches:` are the user's to keep; a full one would only fail the next run again.
    fs.rmSync(path.join(store(), 'caches'), { recursive: true, force: true });
    const normal = await cubicle(['run', '--config', 'normal.yaml']);
    if (normal.exitCode !== 0) found.push(`the next normal run failed (${normal.exitCode}): ${(normal.stdout + normal.stderr).slice(-400)}`);
    for (const entry of storeTempEntries(store())) found.push(`left in the store: ${entry}`);
    for (const temp of strayTempFiles([project.dir, path.join(store(), 'timings')])) found.push(`temp file left: ${temp}`);
    const used = fs.statfsSync(store());
    const usedBytes = (used.blocks - used.bfree) * used.bsize;
    if (usedBytes > STORE_BYTES / 4) found.push(`the store still holds ${usedBytes} bytes after reaping: space leaked`);
    const verify = await cubicle(['cache', 'verify']);
    if (verify.exitCode !== 0) found.push(`cache verify (${verify.exitCode}): ${(verify.stdout + verify.stderr).trim().slice(0, 400)}`);
    for (const cgroup of leftoverCgroups(token)) found.push(`cgroup left: ${cgroup}`);
    for (const mount of changedMounts(testMounts, mountLines(), [project.cacheDir, project.dir])) found.push(`mount in the test's namespace ${mount}`);
    for (const mount of changedMounts(holderMounts, mountLines(holderPid), [project.cacheDir, project.dir]))
      found.push(`mount in the store's namespace ${mount}`);
    for (const orphan of await orphanProcesses([project.cacheDir, marker], [holderPid], 1000)) found.push(`orphan after the next run: ${orphan}`);
    // The next fault starts from an empty store again.
    await cubicle(['cache', 'prune', '--all']);
    return found;
  }

  function writeConfigs(faulty: string): void {
    fs.writeFileSync(project.file('faulty.yaml'), faulty);
    fs.writeFileSync(
      project.file('normal.yaml'),
      `
jobs:
  ${job}:
    setup:
      - run: echo ${marker} > ~/normal
        network: none
    run: cat ~/normal
`,
    );
  }

  async function runFaulty(): Promise<{ result: CliResult; reports: JsonResults | undefined; problems: string[] }> {
    for (const report of ['junit.xml', 'results.json']) fs.rmSync(project.file(report), { force: true });
    const result = await cubicle(['run', '--config', 'faulty.yaml', '--junit', 'junit.xml', '--json', 'results.json']);
    const problems = [await reportProblem(project.file('junit.xml'), 'junit'), await reportProblem(project.file('results.json'), 'json')].filter(
      (p): p is string => p !== null,
    );
    const reports = fs.existsSync(project.file('results.json')) ? (JSON.parse(project.read('results.json')) as JsonResults) : undefined;
    return { result, reports, problems };
  }

  it('a setup step that fills the disk just before its commit: the job errors, the run reports, the next run reaps', async () => {
    // dd stops at ENOSPC (the checkout diff is staged on the store too); the small second dd takes
    // the last page, so meta.json cannot be written.
    writeConfigs(`
jobs:
  ${job}:
    setup:
      - run: echo ${marker}; dd if=/dev/zero of=fill bs=64k; dd if=/dev/zero of=fill2 bs=1k 2>/dev/null; echo filled
        network: none
    run: echo ${marker} never
  ${job}-plain:
    run: echo ${marker} plain
`);
    const { result, reports, problems } = await runFaulty();
    const leftovers = await afterFault();
    expect(problems).toEqual([]);
    expect(leftovers).toEqual([]);
    // What a user should get: the job in error with the reason, the other job's result, the reports, exit 1.
    expect(result.stdout).toContain('No space left on device');
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const failed = reports?.jobs.find((entry) => entry.name === job);
    expect(failed?.status).toBe('error');
    expect(failed?.message).toMatch(/no space left|ENOSPC/i);
    expect(reports?.jobs.find((entry) => entry.name === `${job}-plain`)?.status).toBe('passed');
    expect(fs.existsSync(project.file('junit.xml'))).toBe(true);
  }, 120_000);

  it('a setup step that fails because the disk is full: the job fails with the step, nothing is committed', async () => {
    writeConfigs(`
jobs:
  ${job}:
    setup:
      - run: echo ${marker}; dd if=/dev/zero of=fill bs=64k
        network: none
    run: echo ${marker} never
`);
    const { result, reports, problems } = await runFaulty();
    const leftovers = await afterFault();
    expect(problems).toEqual([]);
    expect(leftovers).toEqual([]);
    expect(result.stdout).toContain('No space left on device');
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const failed = reports?.jobs.find((entry) => entry.name === job);
    expect(failed?.status).toBe('failed');
    expect(failed?.message).toContain('setup step 1');
  }, 120_000);

  it('a job that fills the disk with its writes: it fails, its upper dir goes', async () => {
    writeConfigs(`
jobs:
  ${job}:
    setup:
      - run: echo ${marker} > ~/ready
        network: none
    run: cat ~/ready && dd if=/dev/zero of=big bs=64k
`);
    const { result, reports, problems } = await runFaulty();
    const leftovers = await afterFault();
    expect(problems).toEqual([]);
    expect(leftovers).toEqual([]);
    expect(result.stdout).toContain('No space left on device');
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(reports?.jobs.find((entry) => entry.name === job)?.status).toBe('failed');
  }, 120_000);

  it('a job that fills the store through its `caches:` dir: that run still reports; the next, on a full store, errors its setup job and reports', async () => {
    writeConfigs(`
jobs:
  ${job}:
    caches: [/fillcache]
    run: echo ${marker}; dd if=/dev/zero of=/fillcache/big bs=64k; dd if=/dev/zero of=/fillcache/big2 bs=1k; true
`);
    const filled = await runFaulty();
    fs.writeFileSync(
      project.file('faulty.yaml'),
      `
jobs:
  ${job}:
    setup:
      - run: echo ${marker} > step
        network: none
    run: cat step
  ${job}-plain:
    run: echo ${marker} plain
`,
    );
    const onFullStore = await runFaulty();
    const leftovers = await afterFault();
    expect([...filled.problems, ...onFullStore.problems]).toEqual([]);
    expect(leftovers).toEqual([]);
    // The job passed (its dd hit ENOSPC, then `true`): only saving the store's job timings can fail now.
    expect(filled.result.stdout).toContain('No space left on device');
    expect(filled.result.exitCode, filled.result.stdout + filled.result.stderr).toBe(0);
    expect(filled.reports?.jobs.find((entry) => entry.name === job)?.status).toBe('passed');
    // A full store: the step's build lock or layer cannot be written; that job errors, the other passes.
    expect(onFullStore.result.exitCode, onFullStore.result.stdout + onFullStore.result.stderr).toBe(1);
    expect(onFullStore.result.stderr).not.toMatch(/^\s+at /m);
    const failed = onFullStore.reports?.jobs.find((entry) => entry.name === job);
    expect(failed?.status).toBe('error');
    expect(failed?.message).toMatch(/no space left|ENOSPC/i);
    expect(onFullStore.reports?.jobs.find((entry) => entry.name === `${job}-plain`)?.status).toBe('passed');
  }, 120_000);
});
