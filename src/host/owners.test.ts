// The bounded walk that names a checkout's unmappable owners, over real files, with maps chosen
// so that this process's own ids are, or are not, inside them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMapped, type SandboxIdMap } from './idmap.js';
import { explainUnmappedOwners, scanOwners } from './owners.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-owners-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const uid = process.getuid!();
const gid = process.getgid!();
const mapOf = (uids: SandboxIdMap['uids'], gids: SandboxIdMap['gids']): SandboxIdMap => ({ uids, gids, uidText: 'some uids', gidText: 'some gids' });

function tree(name: string, files: number): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  for (let index = 0; index < files; index++) fs.writeFileSync(path.join(dir, 'sub', `f${index}`), '');
  return dir;
}

describe('scanOwners', () => {
  it('finds nothing when our ids are mapped, and every entry when our uid is not', () => {
    const dir = tree('mapped', 3);
    const mapped = scanOwners(dir, mapOf([{ start: uid, count: 1 }], [{ start: gid, count: 1 }]));
    expect(mapped).toMatchObject({ unmapped: [], walked: 5, capped: false });
    expect(explainUnmappedOwners(mapped, 'someone')).toBeNull();
    const unmapped = scanOwners(dir, mapOf([{ start: uid + 1, count: 10 }], [{ start: gid, count: 1 }]));
    expect(unmapped.unmapped).toEqual([{ id: uid, kind: 'uid', files: 5, examples: ['.', 'sub', expect.stringMatching(/^sub\/f\d$/)] }]);
    const explained = explainUnmappedOwners(unmapped, 'someone')!;
    expect(explained.problem).toContain(`uid ${uid}`);
    expect(explained.problem).toContain('5 files, e.g. ".", "sub"');
    expect(explained.fix).toContain(`sudo chown -R someone: ${dir}`);
  });

  it('shows a file name from the checkout inert: control characters escaped', () => {
    const dir = path.join(scratch, 'names');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a\u009b2Jb\u001b[31m'), '');
    const scan = scanOwners(dir, mapOf([], [{ start: gid, count: 1 }]));
    const problem = explainUnmappedOwners(scan, 'someone')!.problem;
    expect(problem).toContain('"a\\u009b2Jb\\u001b[31m"');
    expect(problem).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('stops at the limit and says so', () => {
    const dir = tree('big', 20);
    const scan = scanOwners(dir, mapOf([], []), 7);
    expect(scan).toMatchObject({ walked: 7, capped: true });
    expect(explainUnmappedOwners(scan, 'someone')!.problem).toContain('(only the first 7 entries were looked at)');
  });

  it('reads ranges as newuidmap does: start, then count ids', () => {
    expect(isMapped(100000, [{ start: 100000, count: 65536 }])).toBe(true);
    expect(isMapped(165535, [{ start: 100000, count: 65536 }])).toBe(true);
    expect(isMapped(165536, [{ start: 100000, count: 65536 }])).toBe(false);
    expect(
      isMapped(4000000, [
        { start: 1001, count: 1 },
        { start: 100000, count: 65536 },
      ]),
    ).toBe(false);
  });
});
