// The one write-to-temp-then-rename: the target is replaced whole or left as it was, and the temp never stays.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceThroughTemp, replaceThroughTempAsync, writeFileAtomically } from './atomic-write.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-atomic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('atomic write', () => {
  it('replaces the target whole, with the mode asked for, and leaves no temp', () => {
    const target = path.join(dir, 'report.xml');
    fs.writeFileSync(target, 'old');
    writeFileAtomically(target, 'new', path.join(dir, '.report.xml.1.tmp'), 0o600);
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['report.xml']);
  });

  it('a fill that fails leaves the old target and removes its half-written temp', () => {
    const target = path.join(dir, 'kept');
    fs.writeFileSync(target, 'old');
    const temp = path.join(dir, '.kept.tmp');
    expect(() =>
      replaceThroughTemp(temp, target, (file) => {
        fs.writeFileSync(file, 'half');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(fs.existsSync(temp)).toBe(false);
  });

  it('a rename that fails (a non-empty dir at the target) removes the temp and throws the rename error', async () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    const temp = path.join(dir, '.taken.tmp');
    await expect(replaceThroughTempAsync(temp, target, async (file) => fs.promises.writeFile(file, 'x'))).rejects.toMatchObject({ code: 'EISDIR' });
    expect(fs.existsSync(temp)).toBe(false);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });
});
