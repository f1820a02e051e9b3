// Property tests of the confinement module: random symlink layouts (links to absolute paths
// outside, relative ../ chains, loops, links to links) and random path strings never resolve,
// open, read or create anything outside the root; legitimate in-root links still resolve.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathConfinementError } from '../core/errors.js';
import { makeDirsBeneath, readFileBeneath, resolveBeneath, writeFileBeneath } from './index.js';

const SECRET = 'SECRET-outside-the-root';
const NAMES = ['a', 'b', 'c', 'l0', 'l1', 'l2', 'l3'];

let base: string;
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-prop-'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }), 60_000);

const component = fc.constantFrom(...NAMES, '..', '.', '', 'f', 'out', 'secret');
const pathString = fc.array(component, { minLength: 1, maxLength: 8 }).map((parts) => parts.join('/'));

/** Where a link may point: out (absolute, relative), into the root (absolute, relative), at itself or another link. */
function linkTarget(root: string, outside: string) {
  return fc.oneof(
    fc.constant(outside),
    fc.constant(path.join(outside, 'secret')),
    fc.constant('/'),
    fc.integer({ min: 1, max: 6 }).map((climbs) => `${'../'.repeat(climbs)}outside/secret`),
    fc.integer({ min: 1, max: 6 }).map((climbs) => '../'.repeat(climbs)),
    fc.constantFrom(...NAMES).map((name) => name),
    fc.constantFrom(...NAMES).map((name) => `./${name}/../${name}`),
    fc.constantFrom(...NAMES).map((name) => path.join(root, name)),
    fc.constantFrom(...NAMES).map((name) => `../${name}`),
  );
}

interface Layout {
  readonly dirs: string[];
  readonly links: { at: string; target: string }[];
}

function layoutOf(root: string, outside: string) {
  const dirPath = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
  const linkPlace = fc.tuple(fc.option(dirPath, { nil: undefined }), fc.constantFrom('l0', 'l1', 'l2', 'l3'));
  return fc.record({
    dirs: fc.array(dirPath, { maxLength: 6 }),
    links: fc.array(fc.record({ at: linkPlace.map(([dir, name]) => (dir ? `${dir}/${name}` : name)), target: linkTarget(root, outside) }), { maxLength: 8 }),
  });
}

let round = 0;
function build(layoutFor: (root: string, outside: string) => fc.Arbitrary<Layout>) {
  return fc.constant(null).chain(() => {
    const dir = path.join(base, String(round++));
    const root = path.join(dir, 'root');
    const outside = path.join(dir, 'outside');
    return layoutFor(root, outside).map((layout) => ({ dir, root, outside, layout }));
  });
}

let planted: string | undefined;
function plant({ dir, root, outside, layout }: { dir: string; root: string; outside: string; layout: Layout }): void {
  // One layout on disk at a time: the previous one goes (fast-check may replay a layout while shrinking).
  if (planted) fs.rmSync(planted, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  planted = dir;
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret'), SECRET);
  fs.writeFileSync(path.join(dir, 'secret'), SECRET);
  for (const sub of layout.dirs) fs.mkdirSync(path.join(root, sub), { recursive: true });
  for (const sub of layout.dirs) fs.writeFileSync(path.join(root, sub, 'f'), 'inside');
  for (const link of layout.links) {
    fs.mkdirSync(path.dirname(path.join(root, link.at)), { recursive: true });
    try {
      fs.symlinkSync(link.target, path.join(root, link.at));
    } catch {
      // The place is taken (a dir or an earlier link): the layout just has one link fewer.
    }
  }
}

function listTree(dir: string): string[] {
  const kind = (entry: fs.Dirent) => (entry.isSymbolicLink() ? 'l' : entry.isDirectory() ? 'd' : 'f');
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => `${path.join(entry.parentPath, entry.name)}:${kind(entry)}`)
    .sort();
}

function refusedOr<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch (error) {
    if (error instanceof PathConfinementError) return undefined;
    throw error;
  }
}

describe('confinement (fast-check)', { timeout: 60_000 }, () => {
  it('resolveBeneath never leaves the root, by text or by realpath', () => {
    fc.assert(
      fc.property(build(layoutOf), pathString, (setup, rel) => {
        plant(setup);
        const resolved = refusedOr(() => resolveBeneath(setup.root, rel, { allowMissing: true }));
        if (resolved === undefined) return;
        const relative = path.relative(setup.root, resolved);
        expect(relative.startsWith('..') || path.isAbsolute(relative)).toBe(false);
        if (fs.existsSync(resolved)) {
          const real = path.relative(fs.realpathSync(setup.root), fs.realpathSync(resolved));
          expect(real.startsWith('..') || path.isAbsolute(real)).toBe(false);
          // No symlink is left in the result: it names the file by plain components.
          expect(fs.realpathSync(resolved)).toBe(path.join(fs.realpathSync(setup.root), relative));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reading beneath the root never returns a file outside it', () => {
    fc.assert(
      fc.property(build(layoutOf), pathString, (setup, rel) => {
        plant(setup);
        const direct = refusedOr(() => readFileBeneath(setup.root, rel));
        if (direct !== undefined) expect(direct.toString()).not.toContain(SECRET);
        const viaResolve = refusedOr(() => readFileBeneath(setup.root, path.relative(setup.root, resolveBeneath(setup.root, rel))));
        if (viaResolve !== undefined) expect(viaResolve.toString()).not.toContain(SECRET);
      }),
      { numRuns: 300 },
    );
  });

  it('making dirs and writing files beneath the root never touches anything outside it', () => {
    fc.assert(
      fc.property(build(layoutOf), pathString, (setup, rel) => {
        plant(setup);
        const before = listTree(setup.outside).concat(fs.readdirSync(setup.dir).sort());
        refusedOr(() => makeDirsBeneath(setup.root, rel));
        refusedOr(() => writeFileBeneath(setup.root, `${rel}/written`, 'x'));
        refusedOr(() => writeFileBeneath(setup.root, rel, 'x'));
        expect(listTree(setup.outside).concat(fs.readdirSync(setup.dir).sort())).toEqual(before);
        expect(fs.readFileSync(path.join(setup.outside, 'secret'), 'utf8')).toBe(SECRET);
        expect(fs.readFileSync(path.join(setup.dir, 'secret'), 'utf8')).toBe(SECRET);
      }),
      { numRuns: 300 },
    );
  });

  it('control: links that stay in the root resolve, and the secret placed inside is read', () => {
    const root = path.join(base, 'control');
    fs.mkdirSync(path.join(root, 'a/b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a/b/f'), SECRET);
    fs.symlinkSync('a/b', path.join(root, 'rel'));
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'abs'));
    fs.symlinkSync('rel', path.join(root, 'chain'));
    fs.symlinkSync('../../a/b/f', path.join(root, 'a/b/up'));
    expect(resolveBeneath(root, 'rel/f')).toBe(path.join(root, 'a/b/f'));
    expect(resolveBeneath(root, 'abs/b/f')).toBe(path.join(root, 'a/b/f'));
    expect(resolveBeneath(root, 'chain/f')).toBe(path.join(root, 'a/b/f'));
    expect(resolveBeneath(root, 'a/b/up')).toBe(path.join(root, 'a/b/f'));
    expect(resolveBeneath(root, 'a/b/up', { followFinal: false })).toBe(path.join(root, 'a/b/up'));
    expect(readFileBeneath(root, 'a/b/f').toString()).toBe(SECRET);
    // The no-follow open refuses even an in-root link, in a dir or as the file itself; callers resolve first.
    expect(() => readFileBeneath(root, 'rel/f')).toThrow(PathConfinementError);
    expect(() => readFileBeneath(root, 'a/b/up')).toThrow(/a\/b\/up is a symlink/);
    fs.symlinkSync('../../outside-secret', path.join(root, 'a/out'));
    fs.writeFileSync(path.join(base, 'outside-secret'), SECRET);
    expect(() => readFileBeneath(root, 'a/out')).toThrow(PathConfinementError);
    expect(() => resolveBeneath(root, 'a/out')).toThrow(/climbs above/);
    fs.symlinkSync('loop', path.join(root, 'loop'));
    expect(() => resolveBeneath(root, 'loop/x')).toThrow(/more than 40 symlinks/);
    expect(() => resolveBeneath(root, '../control/a')).toThrow(/climbs above/);
  });
});
