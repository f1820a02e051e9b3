// Where job cgroups can live on this host. Only beneath the cgroup the runner already lives
// in: cgroup v2, the runner's own cgroup when it is delegated to us (the helper moves the
// runner into a leaf and enables controllers); cgroup v1, the runner's own cgroup in each
// hierarchy when writable (root), or the subtree `cubicle setup` delegated beneath it.
// This module only reads; every cgroup write goes through native/cubicle-sandbox.
import fs from 'node:fs';
import path from 'node:path';
import { prepareCgroup } from '../sandbox/maintenance.js';
import { detectContainer, explainContainerCgroups } from './container.js';
import { readDelegation } from './delegation.js';
import { userRuntimeDir } from './runtime-dir.js';

export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];
const V2_CONTROLLERS = ['memory', 'cpu', 'pids'];

export type CgroupPlacement =
  | { readonly kind: 'v2'; readonly parent: string }
  | { readonly kind: 'v1'; readonly parents: Readonly<Partial<Record<V1Controller, string>>> }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly fix: string; readonly systemdScope: boolean };

/** The job's cgroup dirs: one on v2, one per hierarchy on v1. */
export function jobCgroupDirs(placement: CgroupPlacement, name: string): string[] {
  return cgroupParents(placement).map((parent) => path.join(parent, name));
}

/** One parent per hierarchy (cpu and cpuacct are often one hierarchy). */
export function cgroupParents(placement: CgroupPlacement): string[] {
  if (placement.kind === 'v2') return [placement.parent];
  if (placement.kind === 'v1') return [...new Set(Object.values(placement.parents) as string[])];
  return [];
}

interface Membership {
  /** hierarchy id 0 is cgroup v2. */
  readonly controllers: readonly string[];
  readonly path: string;
}

function readMemberships(): Membership[] {
  const text = fs.readFileSync('/proc/self/cgroup', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, controllers = '', cgroupPath = '/'] = /^(?:\d+):([^:]*):(.*)$/.exec(line) ?? [];
      return { controllers: controllers ? controllers.split(',') : [], path: cgroupPath };
    });
}

/** Mount points of cgroup filesystems: cgroup2 under '', v1 under each controller name. */
function readMounts(): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4]!;
    const [fsType, , options = ''] = right.split(' ');
    if (fsType === 'cgroup2' && !mounts.has('')) mounts.set('', mountPoint);
    if (fsType === 'cgroup') for (const option of options.split(',')) if (!mounts.has(option)) mounts.set(option, mountPoint);
  }
  return mounts;
}

function writable(dir: string, files: readonly string[]): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    for (const file of files) fs.accessSync(path.join(dir, file), fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

export type CgroupVersion = 'v2' | 'v1' | 'none';

export function cgroupVersion(): CgroupVersion {
  const memberships = readMemberships();
  if (memberships.some((m) => m.controllers.includes('memory'))) return 'v1';
  if (memberships.length === 1 && memberships[0]!.controllers.length === 0 && readMounts().has('')) return 'v2';
  return 'none';
}

/** Finds (and on v2 prepares) the parent of this run's job cgroups. */
export async function findCgroupPlacement(user: { uid: number; name: string }, options: { prepare: boolean } = { prepare: true }): Promise<CgroupPlacement> {
  const version = cgroupVersion();
  const placement: CgroupPlacement =
    version === 'v2'
      ? await placeV2(user, options.prepare)
      : version === 'v1'
        ? placeV1(user)
        : {
            kind: 'unavailable',
            reason: 'no cgroup hierarchy with memory, cpu and pids controllers is mounted',
            fix: 'Mount cgroup2 at /sys/fs/cgroup (any systemd distribution does).',
            systemdScope: false,
          };
  if (placement.kind !== 'unavailable' || placement.systemdScope) return placement;
  // Inside a container, the runtime's options are the cause and the fix (for doctor and run alike).
  const container = explainContainerCgroups(detectContainer());
  return container ? { ...placement, reason: `${placement.reason}: ${container.cause}`, fix: container.fix } : placement;
}

async function placeV2(user: { uid: number; name: string }, prepare: boolean): Promise<CgroupPlacement> {
  const mount = readMounts().get('')!;
  // path.resolve: no trailing slash for the root cgroup (a container's own namespace), so messages name `/sys/fs/cgroup/runner`.
  const own = path.resolve(mount, `.${readMemberships()[0]!.path}`);
  // An earlier run in this scope already moved the runner into own/runner.
  const root = path.basename(own) === 'runner' && writable(path.dirname(own), ['cgroup.procs', 'cgroup.subtree_control']) ? path.dirname(own) : own;
  if (!writable(root, ['cgroup.procs', 'cgroup.subtree_control'])) {
    return v2Unavailable(user, `the runner's cgroup ${own} is not delegated to ${user.name}`);
  }
  const missing = V2_CONTROLLERS.filter((controller) => !readWords(path.join(root, 'cgroup.controllers')).includes(controller));
  if (missing.length > 0) {
    // Writable but without controllers: a cgroup of the user's own manager (every one is the
    // user's), e.g. `systemd-run --user --scope` without -p Delegate=yes.
    const controllers = `${missing.join(', ')} controller${missing.length > 1 ? 's' : ''}`;
    return v2Unavailable(user, `the runner's cgroup ${own} is writable but not delegated: its parent gives it no ${controllers}`);
  }
  const enabled = readWords(path.join(root, 'cgroup.subtree_control'));
  const movers = [process.pid, ...ancestorsInOwnCgroup()];
  // Any other process stays where it is: nothing is moved, and the fallback or the fix applies
  // (doctor, which prepares nothing, says the same).
  const others =
    root === own
      ? readWords(path.join(own, 'cgroup.procs'))
          .map(Number)
          .filter((pid) => !movers.includes(pid))
      : [];
  if (others.length > 0) {
    const reason =
      `the runner's cgroup ${own} is delegated, but other processes live in it (${describeProcesses(others)}), ` +
      'so it cannot enable controllers for job cgroups';
    return v2Unavailable(user, reason);
  }
  if (prepare && (root === own || !V2_CONTROLLERS.every((controller) => enabled.includes(controller)))) {
    const failure = await prepareCgroup(root, movers);
    if (failure) return v2Unavailable(user, `the runner's cgroup ${own} is delegated, but cannot hold job cgroups: ${failure}`);
  }
  return { kind: 'v2', parent: root };
}

/**
 * The processes that started this one inside the same cgroup, nearest first: what a user
 * wrapped (`systemd-run --user --scope -p Delegate=yes npx cubicle run` holds npm, sh and
 * node). They move with the runner into ROOT/runner, or ROOT could enable no controller;
 * any other process in ROOT is left where it is, and preparing ROOT fails naming it.
 */
function ancestorsInOwnCgroup(): number[] {
  const relative = readMemberships()[0]!.path;
  const ancestors: number[] = [];
  for (let pid = process.ppid; pid > 1 && ancestors.length < 15; ) {
    let stat: string;
    let membership: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      membership = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim();
    } catch {
      break;
    }
    if (membership !== `0::${relative}`) break;
    ancestors.push(pid);
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return ancestors;
}

/** `PID (comm)` for a few processes, for a message. */
function describeProcesses(pids: readonly number[]): string {
  const named = pids.slice(0, 5).map((pid) => {
    try {
      return `${pid} (${fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`;
    } catch {
      return String(pid);
    }
  });
  return `${named.join(', ')}${pids.length > 5 ? ` and ${pids.length - 5} more` : ''}`;
}

/** No usable cgroup here: re-run under systemd-run where a user manager can delegate one. */
function v2Unavailable(user: { uid: number; name: string }, reason: string): CgroupPlacement {
  const scope = systemdUserManagerReachable(user.uid);
  return {
    kind: 'unavailable',
    reason,
    fix: scope
      ? 'cubicle re-runs itself under `systemd-run --user --scope -p Delegate=yes`; if that failed, check `systemctl --user status`.'
      : `Run once, as root: \`sudo npx cubicle setup --user ${user.name}\` (delegates cgroups to the user's systemd manager and keeps it running), ` +
        'or start cubicle in a cgroup delegated to it and holding nothing else (`systemd-run --user --scope -p Delegate=yes npx cubicle run`).',
    systemdScope: scope,
  };
}

/** `systemd-run --user` needs the user's manager and its bus. */
export function systemdUserManagerReachable(uid: number): boolean {
  if (process.env.CUBICLE_SYSTEMD_SCOPE) return false; // already re-run under systemd-run once
  return fs.existsSync('/usr/bin/systemd-run') && fs.existsSync(path.join(userRuntimeDir(uid), 'systemd', 'private'));
}

/** This process's own cgroup dir in each mounted v1 hierarchy. */
export function ownV1Cgroups(): Partial<Record<V1Controller, string>> {
  const mounts = readMounts();
  const memberships = readMemberships();
  const own: Partial<Record<V1Controller, string>> = {};
  for (const controller of V1_CONTROLLERS) {
    const membership = memberships.find((m) => m.controllers.includes(controller));
    const mount = mounts.get(controller);
    if (membership && mount) own[controller] = path.join(mount, membership.path);
  }
  return own;
}

function placeV1(user: { uid: number; name: string }): CgroupPlacement {
  const owned = ownV1Cgroups();
  const delegation = readDelegation()?.users[user.name]?.v1;
  const parents: Partial<Record<V1Controller, string>> = {};
  const missing: string[] = [];
  for (const controller of V1_CONTROLLERS) {
    const own = owned[controller];
    if (!own) {
      if (controller !== 'cpuacct') missing.push(controller);
      continue;
    }
    const delegated = delegation?.[controller];
    if (writable(own, ['cgroup.procs'])) parents[controller] = own;
    else if (delegated && isBeneath(delegated, own) && writable(delegated, ['cgroup.procs'])) parents[controller] = delegated;
    else if (controller !== 'cpuacct') missing.push(controller);
  }
  if (missing.length > 0) {
    return {
      kind: 'unavailable',
      reason: `cgroup v1: no writable ${missing.join(', ')} cgroup beneath the runner's own for ${user.name}`,
      fix: `Run once, as root: \`sudo npx cubicle setup --user ${user.name}\` (delegates a subtree beneath the current cgroup in each hierarchy).`,
      systemdScope: false,
    };
  }
  return { kind: 'v1', parents };
}

function isBeneath(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
