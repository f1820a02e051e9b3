// bin/cubicle.js keeps a V8 code cache per build of the bundle in the store's v8/ dir. Builds come
// and go (upgrades, several projects' cubicles): the dir keeps the newest few, not one per build forever.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';

let cacheDir: string;

beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-v8-'));
});

afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const v8Dir = () => path.join(cacheDir, 'v8');
const binFiles = () =>
  fs
    .readdirSync(v8Dir())
    .filter((name) => name.endsWith('.bin'))
    .sort();

async function cubicle() {
  const env: Record<string, string | undefined> = { ...process.env, CUBICLE_CACHE_DIR: cacheDir };
  delete env.CUBICLE_NO_CODE_CACHE;
  // A usage error runs the whole bundle and returns from main (--help exits inside yargs).
  return execa(process.execPath, [CLI, 'no-such-command'], { env, reject: false });
}

describe('the V8 code cache', () => {
  it('is written once, then used; older builds beyond the newest four are removed, and old temp files', async () => {
    fs.mkdirSync(v8Dir());
    const old = Date.now() / 1000 - 86_400;
    const stale = ['v18.0.0-x64-1-1.bin', 'v18.0.0-x64-2-2.bin', 'v18.0.0-x64-3-3.bin', 'v18.0.0-x64-4-4.bin', 'v18.0.0-x64-5-5.bin'];
    stale.forEach((name, index) => {
      fs.writeFileSync(path.join(v8Dir(), name), 'x');
      fs.utimesSync(path.join(v8Dir(), name), old + index, old + index);
    });
    fs.writeFileSync(path.join(v8Dir(), 'v18.0.0-x64-9-9.bin.123.tmp'), 'x');
    fs.utimesSync(path.join(v8Dir(), 'v18.0.0-x64-9-9.bin.123.tmp'), old, old);
    fs.writeFileSync(path.join(v8Dir(), 'v18.0.0-x64-8-8.bin.456.tmp'), 'x'); // a writer that may still run

    expect((await cubicle()).exitCode).toBe(2);
    const ours = binFiles().filter((name) => !stale.includes(name));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(new RegExp(`^${process.version}-${process.arch}-\\d+-\\d+\\.bin$`));
    // Kept: ours and the three newest of the others; gone: the two oldest, and the hour-old temp file.
    expect(binFiles()).toEqual([...stale.slice(2), ours[0]!].sort());
    expect(fs.existsSync(path.join(v8Dir(), 'v18.0.0-x64-9-9.bin.123.tmp'))).toBe(false);
    expect(fs.existsSync(path.join(v8Dir(), 'v18.0.0-x64-8-8.bin.456.tmp'))).toBe(true);

    const written = fs.statSync(path.join(v8Dir(), ours[0]!)).mtimeMs;
    expect((await cubicle()).exitCode).toBe(2);
    // Accepted by V8: not written again.
    expect(fs.statSync(path.join(v8Dir(), ours[0]!)).mtimeMs).toBe(written);
    expect(binFiles()).toHaveLength(4);
  });
});
