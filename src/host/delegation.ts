// What `cubicle setup` delegated to which user, so that a runner can find it and
// `cubicle setup --undo` can remove exactly that.
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../confine/write-atomic.js';

export const DELEGATION_FILE = process.env.CUBICLE_DELEGATION_FILE || '/etc/cubicle/delegation.json';

export interface UserDelegation {
  /** cgroup v1: the delegated dir in each hierarchy. */
  v1?: Partial<Record<'memory' | 'cpu' | 'cpuacct' | 'pids', string>>;
  /** cgroup dirs setup created (deepest last), to remove on undo. */
  createdCgroups?: string[];
  /** files setup wrote (systemd drop-in, AppArmor profile), to remove on undo. */
  createdFiles?: string[];
  /** whether setup turned on lingering for the user (systemd), to turn it off on undo. */
  enabledLinger?: boolean;
}

export interface Delegation {
  version: 1;
  users: Record<string, UserDelegation>;
}

export function readDelegation(): Delegation | undefined {
  try {
    return JSON.parse(fs.readFileSync(DELEGATION_FILE, 'utf8')) as Delegation;
  } catch {
    return undefined;
  }
}

/** Writes the record, or removes it (and its dir, if empty) when no user is left. */
export function writeDelegation(delegation: Delegation): void {
  if (Object.keys(delegation.users).length === 0) {
    fs.rmSync(DELEGATION_FILE, { force: true });
    try {
      fs.rmdirSync(path.dirname(DELEGATION_FILE));
    } catch {
      // not empty, or not ours
    }
    return;
  }
  fs.mkdirSync(path.dirname(DELEGATION_FILE), { recursive: true, mode: 0o755 });
  writeAtomically(DELEGATION_FILE, `${JSON.stringify(delegation, null, 2)}\n`, 0o644);
}
