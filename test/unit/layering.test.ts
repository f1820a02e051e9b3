// The folders of src/ are layers: a module may import from its own folder and from folders below
// it, never from one above. This is what keeps the data flowing one way (README "How it works"):
// config -> plan -> run -> report, with image, store, host and sandbox beneath them and core
// under everything. A new folder must be given its place here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

/** Bottom first. Folders on one row are peers: neither may import the other. */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['confine', 'junit'],
  ['sandbox'],
  ['host'],
  ['store'],
  ['image'],
  ['remote'],
  ['config'],
  ['plan'],
  ['run'],
  ['report'],
  ['cli', 'action'],
];

const SRC = path.join(REPO, 'src');
const rank = new Map(LAYERS.flatMap((row, index) => row.map((folder) => [folder, index] as const)));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

/** The src/ folder a path is in; undefined outside src/ (package.json, node:*). */
function folderOf(file: string): string | undefined {
  const rel = path.relative(SRC, file);
  return rel.startsWith('..') ? undefined : rel.split(path.sep)[0];
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => path.resolve(path.dirname(file), match[1]!));
}

describe('the folders of src/', () => {
  it('each have a place in the layering', () => {
    const folders = fs
      .readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !rank.has(folder))).toEqual([]);
    expect(fs.readdirSync(SRC).filter((name) => name.endsWith('.ts'))).toEqual([]);
  });

  it('import only from their own folder and the folders below them', () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      const from = folderOf(file)!;
      for (const target of imports(file)) {
        const to = folderOf(target);
        if (to === undefined || to === from) continue;
        if (!(rank.get(to)! < rank.get(from)!)) upward.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
