// Docker's COPY source rules over a walked context: dirs copy their contents, files go into a DEST/
// dir or become DEST, globs stay within a segment, .dockerignore'd files are not there to copy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDockerignore } from '../image/dockerfile/dockerignore.js';
import { copyKeyMaterial, CopySourceError, planCopy, walkContext, writeCopy } from './dockerfile-copy.js';

const context = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-copy-'));
for (const [name, content] of Object.entries({ 'a.txt': 'a', 'b.txt': 'b', 'src/main.c': 'm', 'src/lib/u.c': 'u', 'src/x.log': 'l', 'pkg.json': '{}' })) {
  fs.mkdirSync(path.dirname(path.join(context, name)), { recursive: true });
  fs.writeFileSync(path.join(context, name), content, { mode: 0o644 });
}
fs.symlinkSync('a.txt', path.join(context, 'link'));
const entries = walkContext(context, parseDockerignore('src/*.log\n'));
const dests = (sources: string[], dest: string) => planCopy(sources, dest, entries).map((item) => item.dest);

afterAll(() => fs.rmSync(context, { recursive: true, force: true }));

describe('planCopy', () => {
  it('a file to DEST, or into DEST/ ', () => {
    expect(dests(['a.txt'], '/app/renamed')).toEqual(['/app/renamed']);
    expect(dests(['a.txt'], '/app/')).toEqual(['/app/a.txt']);
    expect(dests(['a.txt', 'b.txt'], '/app')).toEqual(['/app/a.txt', '/app/b.txt']);
  });
  it('a dir copies its contents, not itself; ignored files are not in it', () => {
    expect(dests(['src'], '/app/src')).toEqual(['/app/src/lib', '/app/src/lib/u.c', '/app/src/main.c']);
  });
  it('. is the whole context; a glob matches within one segment', () => {
    expect(dests(['.'], '/c')).toContain('/c/src/lib/u.c');
    expect(dests(['*.txt'], '/g')).toEqual(['/g/a.txt', '/g/b.txt']);
    expect(dests(['src/*.c'], '/g/')).toEqual(['/g/main.c']);
  });
  it('a symlink is copied as a link; the key names each file by content and mode', () => {
    const items = planCopy(['link', 'a.txt'], '/k/', entries);
    expect(copyKeyMaterial(items, 0o600)).toEqual([
      ['/k/a.txt', 'file', '600', expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['/k/link', 'symlink', '600', 'a.txt'],
    ]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-copy-root-'));
    try {
      writeCopy(context, root, items, null);
      expect(fs.readlinkSync(path.join(root, 'k/link'))).toBe('a.txt');
      expect(fs.readFileSync(path.join(root, 'k/a.txt'), 'utf8')).toBe('a');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  it('refuses what is not there, ignored, or outside the context', () => {
    expect(() => planCopy(['missing'], '/x', entries)).toThrow(CopySourceError);
    expect(() => planCopy(['src/x.log'], '/x', entries)).toThrow('left out by .dockerignore');
    expect(() => planCopy(['*.none'], '/x/', entries)).toThrow(CopySourceError);
    expect(() => planCopy(['../etc/passwd'], '/x', entries)).toThrow('outside the build context');
  });
});
