// Host preparation as the action does it before a run: doctor's report read, `cubicle setup`
// run (through sudo -n where not root: a real child process, so not a unit test), the failure said.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cli } from '../../src/action/cli.js';
import { HostNotReadyError, prepareHost, type DoctorReport } from '../../src/action/host.js';
import { describeCgroups } from '../../src/host/cgroup-check.js';
import type { CheckResult } from '../../src/host/checks.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-action-host-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('host preparation', () => {
  const check = (id: string, state: CheckResult['state'], required: boolean): CheckResult => ({
    id,
    title: id,
    state,
    required,
    detail: `${id} is ${state}`,
    fix: state === 'ok' ? null : `fix ${id}`,
  });
  const report = (...checks: CheckResult[]): DoctorReport => ({ runnable: checks.every((c) => !c.required || c.state === 'ok'), checks });
  /** A CLI whose doctor answers from a list; `setup` is the command standing in for `cubicle setup`. */
  function fakeCli(reports: DoctorReport[], setup: string): Cli & { doctorRuns: number } {
    const cli = {
      doctorRuns: 0,
      paths: { root: scratch, bundle: '', helper: '', layerTool: '', prebuilt: false },
      argv: [setup],
      run: async () => ({ exitCode: 0, stdout: JSON.stringify(reports[Math.min(cli.doctorRuns++, reports.length - 1)]) }),
    };
    return cli;
  }
  const logged = () => {
    const lines: string[] = [];
    return { lines, info: (line: string) => lines.push(`info: ${line}`), warning: (line: string) => lines.push(`warning: ${line}`) };
  };
  const allOk = report(check('helper', 'ok', true), check('userns', 'ok', true), check('cgroups', 'ok', false));

  it('does nothing when doctor finds nothing missing', async () => {
    const cli = fakeCli([allOk], '/bin/false');
    const log = logged();
    await prepareHost(cli, log, { user: 'runner', uid: 1001 });
    expect(cli.doctorRuns).toBe(1);
    expect(log.lines).toEqual([]);
  });

  it('runs cubicle setup for what it fixes, then asks doctor again', async () => {
    const cli = fakeCli([report(check('userns', 'missing', true), check('cgroups', 'missing', false)), allOk], '/bin/true');
    const log = logged();
    await prepareHost(cli, log, { user: 'runner', uid: 0 });
    expect(cli.doctorRuns).toBe(2);
    expect(log.lines).toEqual(['info: doctor: userns, cgroups missing; running cubicle setup --user runner']);
  });

  it("fails with the reason and doctor's fix when setup cannot run and a required check is missing", async () => {
    const cli = fakeCli([report(check('userns', 'missing', true))], '/bin/false');
    const error = await prepareHost(cli, logged(), { user: 'runner', uid: 1001 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostNotReadyError);
    // no sudo on the machine, or `sudo -n` refused, or the setup stand-in failed: each is named
    expect((error as Error).message).toMatch(
      /^cubicle setup could not run as root: (sudo is not installed, or not executable for runner|sudo -n cubicle setup exited with \d+)/,
    );
    expect((error as Error).message).toContain('userns: userns is missing\n    fix: fix userns');
    expect((error as Error).message).toContain('No job was run.');
  });

  it('only warns when setup fails and only cgroups (limits) are missing: the CLI refuses limited jobs itself', async () => {
    const cli = fakeCli([report(check('userns', 'ok', true), check('cgroups', 'missing', false))], '/bin/false');
    const log = logged();
    await prepareHost(cli, log, { user: 'runner', uid: 0 });
    expect(log.lines[1]).toMatch(
      /^warning: cubicle setup could not run as root: cubicle setup exited with 1 .*\n {2}|cgroups: cgroups is missing\n {4}fix: fix cgroups/,
    );
  });

  // Bug 3 of issue 13: cgroup v2, the runner's cgroup not delegated, a user manager reachable: runs re-run themselves
  // under systemd-run and limits work, so doctor must not call cgroups missing (no sudo, no false ::warning::).
  const notDelegated = {
    kind: 'unavailable',
    reason: "the runner's cgroup /sys/fs/cgroup/system.slice/runner.service is not delegated to runner",
    fix: 'x',
  } as const;
  const runner = { uid: 1001, name: 'runner' };

  it('takes the systemd-run scope path as working limits: no cubicle setup, no warning', async () => {
    const cgroups = describeCgroups({ ...notDelegated, systemdScope: true }, runner, ['cpuset', 'cpu', 'io', 'memory', 'pids']);
    expect(cgroups.state).toBe('ok');
    expect(cgroups.detail).toContain('re-runs itself in a transient scope delegated by systemd-run --user (user@1001.service/app.slice/run-*.scope)');
    expect(cgroups.detail).toContain('job cgroups go beneath it');
    const cli = fakeCli([report(check('helper', 'ok', true), check('userns', 'ok', true), cgroups)], '/bin/false');
    const log = logged();
    await prepareHost(cli, log, { user: 'runner', uid: 1001 });
    expect(cli.doctorRuns).toBe(1);
    expect(log.lines).toEqual([]);
  });

  it('still calls cgroups missing, fixed by setup, where user@.service lacks a controller, or no user manager is reachable', async () => {
    const lacking = describeCgroups({ ...notDelegated, systemdScope: true }, runner, ['memory', 'pids']);
    expect(lacking).toMatchObject({ state: 'missing', fix: expect.stringContaining('sudo npx cubicle setup --user runner') });
    expect(lacking.detail).toContain('user@1001.service is not given the cpu controller');
    expect(describeCgroups({ ...notDelegated, systemdScope: false }, runner, null)).toMatchObject({ state: 'missing', fix: 'x' });
    const cli = fakeCli([report(check('userns', 'ok', true), lacking), allOk], '/bin/true');
    const log = logged();
    await prepareHost(cli, log, { user: 'runner', uid: 0 });
    expect(log.lines).toEqual(['info: doctor: cgroups for memory, cpus and pids limits missing; running cubicle setup --user runner']);
  });

  it("neither runs setup nor warns for doctor's optional tools and a checkout's owners (warn), only for what is missing", async () => {
    const optional = ['zstd', 'network', 'mmdebstrap', 'owners'].map((id) => check(id, 'warn', false));
    const quiet = fakeCli([report(...allOk.checks, ...optional)], '/bin/false');
    const log = logged();
    await prepareHost(quiet, log, { user: 'runner', uid: 1001 });
    expect(log.lines).toEqual([]);
    const broken = fakeCli([report(...allOk.checks, check('layer-tool', 'missing', false))], '/bin/false');
    await prepareHost(broken, log, { user: 'runner', uid: 1001 });
    expect(broken.doctorRuns).toBe(1);
    expect(log.lines).toEqual(['warning: cubicle doctor: layer-tool: layer-tool is missing\n    fix: fix layer-tool']);
  });

  it("fails when what is missing is beyond setup (overlayfs), naming doctor's fix", async () => {
    const cli = fakeCli([report(check('overlay', 'missing', true))], '/bin/true');
    await expect(prepareHost(cli, logged(), { user: 'runner', uid: 0 })).rejects.toThrow(
      'this runner cannot run cubicle jobs; no job was run:\noverlay: overlay is missing\n    fix: fix overlay',
    );
  });
});
