// What this host supports, each requirement with the exact fix. Used by `cubicle doctor`
// and to explain why a sandbox could not be created (exit 3, never a bare errno).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CubicleError } from '../core/errors.js';
import { hostImageOps } from '../sandbox/host-root.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { describeCgroups, userManagerControllers } from './cgroup-check.js';
import { findCgroupPlacement } from './cgroups.js';
import { containerUserNamespaceFix, detectContainer, explainOverlayFailure, explainSandboxFailure } from './container.js';
import { locateNative } from '../sandbox/binaries.js';
import { runSandbox } from '../sandbox/spawn.js';

export type CheckState = 'ok' | 'missing' | 'warn';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly state: CheckState;
  /** Whether cubicle cannot run jobs at all without it. */
  readonly required: boolean;
  readonly detail: string;
  readonly fix: string | null;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'USER');
  }
}

export function checkHelper(): CheckResult {
  try {
    const helper = locateNative('sandbox');
    const detail = `${helper.path} (${helper.origin}): every job, setup step and service runs through it`;
    return { id: 'helper', title: 'sandbox helper', state: 'ok', required: true, detail, fix: null };
  } catch (error) {
    return {
      id: 'helper',
      title: 'sandbox helper',
      state: 'missing',
      required: true,
      detail: (error as Error).message,
      fix: (error as CubicleError).hint ?? null,
    };
  }
}

/** Ubuntu 23.10+ forbids unprivileged user namespaces unless an AppArmor profile allows them. */
export function appArmorRestrictsUserns(): boolean {
  return readText('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1';
}

export function userNamespaceFix(): string {
  if (appArmorRestrictsUserns()) {
    return 'AppArmor forbids unprivileged user namespaces here (kernel.apparmor_restrict_unprivileged_userns=1). Allow them for cubicle alone with `sudo npx cubicle setup --user "$USER"`, which installs a profile for the helper, instead of turning the restriction off for the whole machine.';
  }
  if (readText('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return 'Enable them: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (and add it to /etc/sysctl.d/ to keep it).';
  }
  if (readText('/proc/sys/user/max_user_namespaces') === '0') {
    return 'Allow them: `sudo sysctl -w user.max_user_namespaces=15000` (and add it to /etc/sysctl.d/ to keep it).';
  }
  const container = detectContainer();
  if (container) return containerUserNamespaceFix(container);
  return 'User namespaces are refused by this kernel or its container runtime (inside Docker, run with --security-opt seccomp=unconfined or use a VM).';
}

async function probe(ops: Parameters<typeof runSandbox>[0]['ops']): Promise<string | null> {
  try {
    const { status, outputTail } = await runSandbox({
      ops,
      command: ['true'],
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/',
      hostname: 'cubicle-doctor',
      shareNetwork: false,
    });
    if (status.exitCode === 0) return null;
    return status.error?.message ?? (outputTail.trim() || `exited with ${status.exitCode}`);
  } catch (error) {
    return (error as Error).message;
  }
}

export async function checkUserNamespaces(): Promise<CheckResult> {
  // proc and dev as every job has them: a container that masks /proc refuses the fresh proc alone.
  const failure = await probe([...hostImageOps(), { kind: 'proc', dest: '/proc' }, { kind: 'dev', dest: '/dev' }]);
  const base = { id: 'userns', title: 'unprivileged user namespaces', required: true };
  const detail = 'a sandbox with user, mount, pid, net, uts, ipc and cgroup namespaces, proc and dev starts';
  if (failure === null) return { ...base, state: 'ok', detail, fix: null };
  const container = explainSandboxFailure(failure, detectContainer());
  if (container) return { ...base, state: 'missing', detail: `${failure}: ${container.cause}`, fix: container.fix };
  return { ...base, state: 'missing', detail: failure, fix: userNamespaceFix() };
}

/** Probes an overlay mount under the store root `cacheDir`, where job layers would live. */
export async function checkOverlay(cacheDir: string): Promise<CheckResult> {
  const base = { id: 'overlay', title: 'overlayfs in a user namespace', required: true };
  const root = path.join(cacheDir, 'doctor');
  fs.mkdirSync(root, { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, 'probe-'));
  try {
    for (const sub of ['lower', 'upper', 'work']) fs.mkdirSync(path.join(dir, sub));
    const failure = await probe([
      ...hostImageOps(),
      { kind: 'overlay', lowers: [path.join(dir, 'lower')], upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), dest: '/mnt/probe' },
    ]);
    if (failure === null) return { ...base, state: 'ok', detail: `job layers can live in ${cacheDir}`, fix: null };
    const container = explainOverlayFailure(failure, cacheDir, detectContainer());
    if (container) return { ...base, state: 'missing', detail: `${failure}: ${container.cause}`, fix: container.fix };
    return {
      ...base,
      state: 'missing',
      detail: failure,
      fix: 'Overlayfs in user namespaces needs Linux 5.11 or later, and the cache dir must not itself be on overlayfs (inside Docker): set CUBICLE_CACHE_DIR to a directory on ext4, xfs, btrfs or tmpfs.',
    };
  } finally {
    // overlay leaves work/work at mode 000: a plain recursive rm fails on it (Node 24 says so).
    await removeTree(dir);
  }
}

export function subordinateRange(file: string, user: string, uid: number): { start: number; count: number } | undefined {
  for (const line of (readText(file) ?? '').split('\n')) {
    const [owner, start, count] = line.split(':');
    if ((owner === user || owner === String(uid)) && Number(count) > 0) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

export function checkSubordinateIds(): CheckResult {
  const base = { id: 'subuid', title: 'newuidmap and a subuid range', required: false };
  const uid = process.getuid?.() ?? 0;
  const user = userName();
  const tools = ['/usr/bin/newuidmap', '/usr/bin/newgidmap'].filter((tool) => !fs.existsSync(tool));
  if (uid === 0) {
    const found = tools.length === 0 ? 'newuidmap and newgidmap are installed' : `${tools.join(' and ')} missing`;
    return { ...base, state: 'ok', detail: `running as root: every uid is mapped, without newuidmap (${found}; only other users need them)`, fix: null };
  }
  const uidRange = subordinateRange('/etc/subuid', user, uid);
  const gidRange = subordinateRange('/etc/subgid', user, uid);
  if (tools.length === 0 && uidRange && gidRange) {
    return {
      ...base,
      state: 'ok',
      detail: `/usr/bin/newuidmap and /usr/bin/newgidmap map ${uidRange.count} uids from ${uidRange.start} inside each sandbox (and mmdebstrap's unshare mode)`,
      fix: null,
    };
  }
  const fixes: string[] = [];
  if (tools.length) fixes.push('sudo apt-get install uidmap');
  if (!uidRange || !gidRange) fixes.push(`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`);
  return {
    ...base,
    state: 'warn',
    detail: `${tools.length ? `${tools.join(' and ')} missing` : `no range for ${user} in /etc/subuid and /etc/subgid`}: jobs see only uid 0 (you); files of other owners show as nobody`,
    fix: fixes.join(' && '),
  };
}

/** Where job cgroups would go, without moving anything (doctor never changes the host). */
export async function checkCgroups(): Promise<CheckResult> {
  const user = { uid: process.getuid?.() ?? 0, name: userName() };
  const placement = await findCgroupPlacement(user, { prepare: false });
  return describeCgroups(placement, user, placement.kind === 'unavailable' && placement.systemdScope ? userManagerControllers(user.uid) : null);
}

export function checkSeccomp(): CheckResult {
  const status = readText('/proc/self/status') ?? '';
  const available = /^Seccomp:\s*\d/m.test(status);
  return {
    id: 'seccomp',
    title: 'seccomp',
    state: available ? 'ok' : 'warn',
    required: false,
    detail: available ? 'the kernel supports seccomp filters' : 'this kernel has no seccomp support',
    fix: available ? null : 'Use a kernel built with CONFIG_SECCOMP_FILTER (every distribution kernel has it).',
  };
}

export async function runChecks(cacheDir: string): Promise<CheckResult[]> {
  const helper = checkHelper();
  const results: CheckResult[] = [helper];
  if (helper.state === 'ok') {
    const userns = await checkUserNamespaces();
    results.push(userns);
    if (userns.state === 'ok') results.push(await checkOverlay(cacheDir));
  }
  results.push(checkSubordinateIds(), await checkCgroups(), checkSeccomp());
  return results;
}
