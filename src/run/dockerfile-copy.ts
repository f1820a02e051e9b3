// COPY/ADD of local files in a Dockerfile build: the build context walked once without following
// symlinks, .dockerignore applied, each source (a path or a glob) resolved as Docker resolves it,
// and the files written into a staged layer's root. What is copied (destination, type, mode,
// content digest or link target) is the layer key's material, as BuildKit keys COPY on content.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IgnoreRules } from '../image/dockerfile/dockerignore.js';

export interface ContextEntry {
  /** Context-relative, '/'-separated. */
  readonly rel: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly mtime: Date;
  /** sha256 of a file's content, or a symlink's target. */
  readonly content: string;
}

/** One file of a COPY: where it goes in the image and what it is. */
export interface CopyItem {
  readonly dest: string;
  readonly entry: ContextEntry;
}

export class CopySourceError extends Error {}

const MAX_ENTRIES = 200_000;

/** The context's entries that .dockerignore lets through, in a stable order. */
export function walkContext(context: string, ignore: IgnoreRules): Map<string, ContextEntry> {
  const entries = new Map<string, ContextEntry>();
  const walk = (rel: string) => {
    const dir = rel === '' ? context : path.join(context, rel);
    for (const name of fs.readdirSync(dir).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      if (entries.size >= MAX_ENTRIES) throw new CopySourceError(`the build context holds more than ${MAX_ENTRIES} files; list the rest in .dockerignore`);
      const ignored = ignore.ignores(childRel);
      if (stat.isDirectory()) {
        if (!ignored) entries.set(childRel, { rel: childRel, type: 'dir', mode: stat.mode & 0o7777, mtime: stat.mtime, content: '' });
        // An ignored dir is still walked: a `!` exception may bring back a file in it.
        if (!ignored || ignore.hasExceptions) walk(childRel);
      } else if (!ignored && stat.isSymbolicLink())
        entries.set(childRel, { rel: childRel, type: 'symlink', mode: 0o777, mtime: stat.mtime, content: fs.readlinkSync(full) });
      else if (!ignored && stat.isFile())
        entries.set(childRel, { rel: childRel, type: 'file', mode: stat.mode & 0o7777, mtime: stat.mtime, content: fileDigest(full) });
    }
  };
  walk('');
  return entries;
}

function fileDigest(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(1 << 20);
    for (let read = fs.readSync(fd, buffer); read > 0; read = fs.readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
    return hash.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Docker's rules: a source dir's contents go into the destination; a file goes to DEST/name when
 * DEST ends in / or there are several sources (or a glob), else to DEST itself.
 */
export function planCopy(sources: readonly string[], dest: string, entries: ReadonlyMap<string, ContextEntry>): CopyItem[] {
  const items = new Map<string, CopyItem>();
  const globbed = sources.some(isGlob);
  const intoDir = dest.endsWith('/') || sources.length > 1 || globbed;
  const add = (entry: ContextEntry, target: string) => items.set(target, { dest: target, entry });
  for (const source of sources) {
    const clean = path.posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
    if (clean.startsWith('..')) throw new CopySourceError(`${source} is outside the build context`);
    const matches = clean === '.' || clean === '' ? [''] : isGlob(clean) ? [...entries.keys()].filter((rel) => globRegex(clean).test(rel)) : [clean];
    if (matches.length === 0 || (matches.length === 1 && matches[0] !== '' && !entries.has(matches[0]!)))
      throw new CopySourceError(`${source}: no such file in the build context (or left out by .dockerignore)`);
    for (const match of matches) {
      const entry = entries.get(match);
      if (match === '' || entry?.type === 'dir') {
        const prefix = match === '' ? '' : `${match}/`;
        for (const [rel, child] of entries) if (rel.startsWith(prefix)) add(child, path.posix.join(dest, rel.slice(prefix.length)));
        continue;
      }
      add(entry!, intoDir ? path.posix.join(dest, path.posix.basename(match)) : dest.replace(/\/+$/, ''));
    }
  }
  return [...items.values()].sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
}

function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** Go's filepath.Match over the whole relative path: * and ? stay within a segment. */
function globRegex(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`);
}

/** The key's material: destination, type, mode (after --chmod), digest or target. */
export function copyKeyMaterial(items: readonly CopyItem[], chmod: number | null): string[][] {
  return items.map(({ dest, entry }) => [dest, entry.type, (chmod ?? entry.mode).toString(8), entry.content]);
}

/**
 * Writes the items beneath `root` (a staged layer's root tree). A parent dir the image has keeps
 * its mode (and owner, where the runner is root and so can set it): overlay shows the upper dir's
 * attributes, and Docker leaves an existing dir as it was; a new one is made 0755, as Docker makes it.
 */
export function writeCopy(context: string, root: string, items: readonly CopyItem[], chmod: number | null, rootLowers: readonly string[] = []): void {
  for (const { dest, entry } of items) {
    const target = path.join(root, dest);
    makeParents(root, path.posix.dirname(dest), rootLowers);
    const mode = chmod ?? entry.mode;
    if (entry.type === 'dir') {
      fs.mkdirSync(target, { recursive: true, mode });
      fs.chmodSync(target, mode);
    } else if (entry.type === 'symlink') {
      fs.rmSync(target, { force: true });
      fs.symlinkSync(entry.content, target);
    } else {
      const input = fs.openSync(path.join(context, entry.rel), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        fs.writeFileSync(target, fs.readFileSync(input), { mode });
      } finally {
        fs.closeSync(input);
      }
      fs.chmodSync(target, mode);
      fs.utimesSync(target, entry.mtime, entry.mtime);
    }
  }
  // Dirs' times last: writing into a dir changes its mtime.
  for (const { dest, entry } of items) if (entry.type === 'dir') fs.utimesSync(path.join(root, dest), entry.mtime, entry.mtime);
}

/** `dir` and its parents in `root`, each one the image has made with its mode (and owner, as root). */
export function makeParents(root: string, dir: string, rootLowers: readonly string[]): void {
  let current = '';
  for (const part of dir.split('/').filter(Boolean)) {
    current = `${current}/${part}`;
    const target = path.join(root, current);
    if (fs.lstatSync(target, { throwIfNoEntry: false })) continue;
    fs.mkdirSync(target, { mode: 0o755 });
    const below = imageStat(rootLowers, current);
    if (!below?.isDirectory()) continue;
    fs.chmodSync(target, below.mode & 0o7777);
    if (process.getuid?.() === 0) fs.lchownSync(target, below.uid, below.gid);
  }
}

/** The entry at `rel` in the top layer that has it. */
function imageStat(rootLowers: readonly string[], rel: string): fs.Stats | undefined {
  for (const lower of rootLowers) {
    const stat = fs.lstatSync(path.join(lower, rel), { throwIfNoEntry: false });
    if (stat) return stat;
  }
  return undefined;
}
