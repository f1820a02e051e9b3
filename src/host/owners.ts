// Files in a checkout whose owner or group the sandbox cannot map (src/host/idmap.ts): a job
// that writes to one fails with EOVERFLOW, which says nothing of owners. A bounded walk names
// them and the fix, for `cubicle doctor` and for the failure message of such a job.
import fs from 'node:fs';
import path from 'node:path';
import { userName, type CheckResult } from './checks.js';
import { isMapped, sandboxIdMap, type SandboxIdMap } from './idmap.js';

/** strerror(EOVERFLOW), what the job sees. */
export const EOVERFLOW_MESSAGE = 'Value too large for defined data type';

/** Entries walked at most: a checkout with node_modules has ~50k; measured ~15-20 µs an entry (14,665 in 220-320 ms, load 5). */
export const SCAN_LIMIT = 200_000;

export interface UnmappedOwner {
  readonly id: number;
  readonly kind: 'uid' | 'gid';
  files: number;
  readonly examples: string[];
}

export interface OwnerScan {
  readonly dir: string;
  readonly unmapped: readonly UnmappedOwner[];
  readonly walked: number;
  /** The walk stopped at the limit: owners beyond it are not known. */
  readonly capped: boolean;
  readonly map: SandboxIdMap;
}

/** Walks `dir` (not into other filesystems, which the checkout's overlay does not show either) up to `limit` entries. */
export function scanOwners(dir: string, map: SandboxIdMap = sandboxIdMap(), limit = SCAN_LIMIT): OwnerScan {
  const found = new Map<string, UnmappedOwner>();
  const note = (kind: 'uid' | 'gid', id: number, relative: string) => {
    const key = `${kind}:${id}`;
    const owner = found.get(key) ?? { id, kind, files: 0, examples: [] };
    owner.files++;
    if (owner.examples.length < 3) owner.examples.push(relative || '.');
    found.set(key, owner);
  };
  const rootStat = fs.lstatSync(dir);
  const pending: string[] = [];
  let walked = 0;
  let capped = false;
  const visit = (relative: string, stat: fs.Stats) => {
    walked++;
    if (!isMapped(stat.uid, map.uids)) note('uid', stat.uid, relative);
    if (!isMapped(stat.gid, map.gids)) note('gid', stat.gid, relative);
    if (stat.isDirectory() && stat.dev === rootStat.dev) pending.push(relative);
  };
  visit('', rootStat);
  walk: while (pending.length > 0) {
    const relative = pending.pop()!;
    let names: string[];
    try {
      names = fs.readdirSync(path.join(dir, relative));
    } catch {
      continue; // unreadable: the job cannot read it either
    }
    for (const name of names) {
      if (walked >= limit) {
        capped = true;
        break walk;
      }
      const child = relative ? `${relative}/${name}` : name;
      try {
        visit(child, fs.lstatSync(path.join(dir, child)));
      } catch {
        // gone meanwhile
      }
    }
  }
  const unmapped = [...found.values()].sort((a, b) => b.files - a.files);
  return { dir, unmapped, walked, capped, map };
}

function accountName(file: string, id: number): string | null {
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [name, , idText] = line.split(':');
      if (name && Number(idText) === id && idText !== '') return name;
    }
  } catch {
    // no /etc/passwd: ids only
  }
  return null;
}

/** "uid 4000000 (no user; 2 files, e.g. data/locked.txt)". */
export function describeOwner(owner: UnmappedOwner): string {
  const name = accountName(owner.kind === 'uid' ? '/etc/passwd' : '/etc/group', owner.id);
  const who = name ? `${owner.kind} ${owner.id} (${name})` : `${owner.kind} ${owner.id}`;
  const examples = owner.examples.map((example) => printable(JSON.stringify(example))).join(', ');
  return `${who}: ${owner.files} file${owner.files === 1 ? '' : 's'}, e.g. ${examples}`;
}

/** What is wrong and the fix, or null when every owner seen is mapped. */
export function explainUnmappedOwners(scan: OwnerScan, user = userName()): { problem: string; fix: string } | null {
  if (scan.unmapped.length === 0) return null;
  const shown = scan.unmapped.slice(0, 5).map(describeOwner);
  const more = scan.unmapped.length > shown.length ? `; and ${scan.unmapped.length - shown.length} more owners` : '';
  const capped = scan.capped ? ` (only the first ${scan.walked} entries were looked at)` : '';
  return {
    problem:
      `${scan.dir} holds files whose owner or group the sandbox cannot map (it maps ${scan.map.uidText}, ${scan.map.gidText}): ` +
      `${shown.join('; ')}${more}${capped}`,
    fix:
      `Give them to yourself: \`sudo chown -R ${user}: ${shellQuote(scan.dir)}\`; or, to keep those owners, make the first range for ${user} ` +
      'in /etc/subuid and /etc/subgid (the one range cubicle maps) cover them.',
  };
}

/** File names come from the checkout: no C1 control (which JSON.stringify keeps) reaches a terminal. */
function printable(text: string): string {
  return text.replace(/[\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** doctor's line for a checkout: ok when every owner is mapped. */
export function checkOwners(dir: string): CheckResult {
  const base = { id: 'owners', title: 'file owners in the checkout', required: false };
  const started = Date.now();
  let scan: OwnerScan;
  try {
    scan = scanOwners(dir);
  } catch (error) {
    return { ...base, state: 'warn', detail: `could not look at ${dir}: ${(error as Error).message}`, fix: null };
  }
  const explained = explainUnmappedOwners(scan);
  if (explained) {
    return { ...base, state: 'warn', detail: `${explained.problem}; a job writing to one fails with "${EOVERFLOW_MESSAGE}" (EOVERFLOW)`, fix: explained.fix };
  }
  const capped = scan.capped ? `; stopped after ${scan.walked} entries, the rest was not looked at` : '';
  const detail = `every owner and group of the ${scan.walked} entries in ${dir} is mapped inside sandboxes (${Date.now() - started} ms)${capped}`;
  return { ...base, state: 'ok', detail, fix: null };
}
