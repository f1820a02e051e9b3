// `cubicle setup --user U [--undo]`, run once as root: what an ordinary user needs for
// limited sandboxes. Every change is recorded (host/delegation.ts), so --undo removes
// exactly what setup made and nothing else; running setup twice changes nothing more.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HostSetupError, UsageError } from '../core/errors.js';
import { delegateCgroup, removeCgroup } from '../sandbox/maintenance.js';
import { helperPath } from '../sandbox/helper.js';
import { appArmorRestrictsUserns } from './checks.js';
import { cgroupVersion, ownV1Cgroups, type V1Controller } from './cgroups.js';
import { readDelegation, writeDelegation, type Delegation, type UserDelegation } from './delegation.js';

const SYSTEMD_DROP_IN = '/etc/systemd/system/user@.service.d/cubicle-delegate.conf';
const APPARMOR_PROFILE = '/etc/apparmor.d/cubicle-sandbox';

export interface SetupUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export function lookUpUser(name: string): SetupUser {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name, uid, gid };
  } catch {
    throw new UsageError(`no user "${name}" on this machine; nothing was changed`, { hint: 'Name an existing user: `sudo npx cubicle setup --user "$USER"`.' });
  }
}

/** Lines saying what was done, for the terminal. */
export async function setUp(user: SetupUser): Promise<string[]> {
  const record = readDelegation() ?? { version: 1, users: {} };
  const entry: UserDelegation = record.users[user.name] ?? {};
  record.users[user.name] = entry;
  const done: string[] = [];
  try {
    done.push(...(await delegateCgroups(user, entry)));
    done.push(...installAppArmorProfile(entry));
  } finally {
    writeDelegation(record);
  }
  return done.length ? done : ['nothing to change: this host already gives the user what cubicle needs'];
}

async function delegateCgroups(user: SetupUser, entry: UserDelegation): Promise<string[]> {
  const version = cgroupVersion();
  if (version === 'v1') return delegateV1(user, entry);
  if (version === 'v2') return delegateV2WithSystemd(user, entry);
  return ['cgroups: no cgroup hierarchy is mounted; nothing to delegate'];
}

/** v1: a subtree named after the user beneath setup's own cgroup in each hierarchy. */
async function delegateV1(user: SetupUser, entry: UserDelegation): Promise<string[]> {
  const done: string[] = [];
  entry.v1 ??= {};
  entry.createdCgroups ??= [];
  for (const [controller, own] of Object.entries(ownV1Cgroups()) as [V1Controller, string][]) {
    const dir = path.join(own, `cubicle-${user.name}`);
    const existed = fs.existsSync(dir);
    const failure = await delegateCgroup(dir, user.uid, user.gid);
    if (failure) throw new HostSetupError(`cannot delegate ${dir} to ${user.name}: ${failure}`);
    entry.v1[controller] = dir;
    if (!existed && !entry.createdCgroups.includes(dir)) {
      entry.createdCgroups.push(dir);
      done.push(`cgroups: delegated ${dir} to ${user.name}`);
    }
  }
  return done;
}

/** v2 under systemd: let the user's manager delegate controllers, and keep it running. */
function delegateV2WithSystemd(user: SetupUser, entry: UserDelegation): string[] {
  if (!fs.existsSync('/run/systemd/system')) {
    return ['cgroups: cgroup v2 without systemd; start cubicle inside a cgroup delegated to the user (as a container or VM manager does)'];
  }
  const done: string[] = [];
  entry.createdFiles ??= [];
  if (!fs.existsSync(SYSTEMD_DROP_IN)) {
    fs.mkdirSync(path.dirname(SYSTEMD_DROP_IN), { recursive: true });
    fs.writeFileSync(SYSTEMD_DROP_IN, '# Written by `cubicle setup`; removed by `cubicle setup --undo`.\n[Service]\nDelegate=cpu cpuset io memory pids\n');
    entry.createdFiles.push(SYSTEMD_DROP_IN);
    execFileSync('systemctl', ['daemon-reload'], { stdio: 'ignore' });
    done.push(`cgroups: ${SYSTEMD_DROP_IN} delegates cpu, io, memory and pids to every user's systemd manager`);
  }
  if (!fs.existsSync(`/var/lib/systemd/linger/${user.name}`)) {
    execFileSync('loginctl', ['enable-linger', user.name], { stdio: 'ignore' });
    entry.enabledLinger = true;
    done.push(`cgroups: ${user.name}'s systemd manager now runs without a login (loginctl enable-linger), so systemd-run --user works in CI`);
  }
  return done;
}

/** The AppArmor profile that lets the helper alone create user namespaces (Ubuntu 23.10+). */
export function appArmorProfile(helper: string): string {
  return [
    '# Written by `cubicle setup`; removed by `cubicle setup --undo`.',
    '# Lets cubicle-sandbox, and nothing else, create unprivileged user namespaces.',
    'abi <abi/4.0>,',
    'include <tunables/global>',
    '',
    `profile cubicle-sandbox ${attachment(helper)} flags=(unconfined) {`,
    '  userns,',
    '',
    '  include if exists <local/cubicle-sandbox>',
    '}',
    '',
  ].join('\n');
}

/**
 * The helper's path as an AppArmor attachment that matches it literally: as it is when plain, else
 * quoted (a space ends an unquoted path) with AppArmor's pattern characters escaped (`[1]` would
 * match `1`, `@{X}` expand a variable, `*` match anything).
 */
function attachment(helper: string): string {
  if (/^[\w./+-]+$/.test(helper)) return helper;
  if (/[\0-\x1f\x7f]/.test(helper)) {
    const what = `cannot write an AppArmor profile for ${JSON.stringify(helper)}: the path holds a control character`;
    throw new HostSetupError(`${what}; no profile was written`, { hint: 'install cubicle under a path without one' });
  }
  return `"${helper.replace(/[\\"*?[\]{}^]/g, (c) => `\\${c}`)}"`;
}

function installAppArmorProfile(entry: UserDelegation): string[] {
  if (!appArmorRestrictsUserns()) return [];
  const helper = fs.realpathSync(helperPath());
  const profile = appArmorProfile(helper);
  if (fs.existsSync(APPARMOR_PROFILE) && fs.readFileSync(APPARMOR_PROFILE, 'utf8') === profile) return [];
  fs.writeFileSync(APPARMOR_PROFILE, profile);
  execFileSync('apparmor_parser', ['-r', '-W', APPARMOR_PROFILE], { stdio: 'ignore' });
  entry.createdFiles ??= [];
  if (!entry.createdFiles.includes(APPARMOR_PROFILE)) entry.createdFiles.push(APPARMOR_PROFILE);
  return [`apparmor: ${APPARMOR_PROFILE} allows user namespaces for ${helper} only (the machine-wide restriction stays on)`];
}

export async function undo(user: SetupUser): Promise<string[]> {
  const record: Delegation = readDelegation() ?? { version: 1, users: {} };
  const entry = record.users[user.name];
  if (!entry) return [`nothing to undo: setup made nothing for ${user.name}`];
  const done: string[] = [];
  for (const dir of [...(entry.createdCgroups ?? [])].reverse()) {
    const failure = await removeCgroup(dir);
    if (failure) throw new HostSetupError(`cannot remove ${dir}: ${failure} (a job of ${user.name} may still be running); nothing more was undone`);
    done.push(`cgroups: removed ${dir}`);
  }
  for (const file of entry.createdFiles ?? []) {
    if (file === APPARMOR_PROFILE) execFileSync('apparmor_parser', ['-R', file], { stdio: 'ignore' });
    fs.rmSync(file, { force: true });
    if (file === SYSTEMD_DROP_IN) {
      try {
        fs.rmdirSync(path.dirname(file));
      } catch {
        // other drop-ins live there
      }
      execFileSync('systemctl', ['daemon-reload'], { stdio: 'ignore' });
    }
    done.push(`removed ${file}`);
  }
  if (entry.enabledLinger) {
    execFileSync('loginctl', ['disable-linger', user.name], { stdio: 'ignore' });
    done.push(`cgroups: lingering off again for ${user.name}`);
  }
  delete record.users[user.name];
  writeDelegation(record);
  return done;
}
