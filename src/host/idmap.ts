// The host ids a sandbox can see, as native/idmap.c maps them: root maps every id it has itself;
// a user with newuidmap, newgidmap and a range in /etc/subuid and /etc/subgid maps their own id
// and the first range listed for them; any other user only their own id. A file whose owner or
// group is outside the map cannot be copied up by the checkout's overlay: writing to it fails
// with EOVERFLOW ("Value too large for defined data type").
import fs from 'node:fs';
import { subordinateRange, userName } from './checks.js';

export interface IdRange {
  readonly start: number;
  readonly count: number;
}

export interface SandboxIdMap {
  readonly uids: readonly IdRange[];
  readonly gids: readonly IdRange[];
  /** In words, for messages: "uid 1001 and 65536 uids from 100000". */
  readonly uidText: string;
  readonly gidText: string;
}

export function isMapped(id: number, ranges: readonly IdRange[]): boolean {
  return ranges.some((range) => id >= range.start && id - range.start < range.count);
}

/** The first column of /proc/self/uid_map (or gid_map): the ids this process has, which root maps to themselves. */
function ownIds(file: string): IdRange[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter((fields) => fields.length === 3 && fields.every(Number.isFinite))
      .map(([start, , count]) => ({ start: start!, count: count! }));
  } catch {
    return [{ start: 0, count: 4294967295 }];
  }
}

function mapTool(name: string): boolean {
  return ['/usr/bin', '/bin'].some((dir) => {
    try {
      fs.accessSync(`${dir}/${name}`, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function sandboxIdMap(): SandboxIdMap {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid === 0) return { uids: ownIds('/proc/self/uid_map'), gids: ownIds('/proc/self/gid_map'), uidText: 'every uid (root)', gidText: 'every gid (root)' };
  const user = userName();
  const subuids = subordinateRange('/etc/subuid', user, uid);
  const subgids = subordinateRange('/etc/subgid', user, uid);
  if (subuids && subgids && mapTool('newuidmap') && mapTool('newgidmap')) {
    return {
      uids: [{ start: uid, count: 1 }, subuids],
      gids: [{ start: gid, count: 1 }, subgids],
      uidText: `uid ${uid} and ${subuids.count} uids from ${subuids.start}`,
      gidText: `gid ${gid} and ${subgids.count} gids from ${subgids.start}`,
    };
  }
  return { uids: [{ start: uid, count: 1 }], gids: [{ start: gid, count: 1 }], uidText: `only uid ${uid}`, gidText: `only gid ${gid}` };
}
