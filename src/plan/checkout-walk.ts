// Reading the checkout's tree for globs, read-only: a walk that resolves symlinked dirs beneath
// the checkout (never out of it) and does not descend into symlinked dirs inside. Used by the
// plan (testFiles, plan/test-files.ts) and by staging a step's inputs (run/stage-inputs.ts).
import fs from 'node:fs';
import path from 'node:path';
import { resolveBeneath } from '../confine/index.js';

export function existsBeneath(projectDir: string, relative: string): boolean {
  try {
    resolveBeneath(projectDir, relative, { followFinal: false });
    return true;
  } catch {
    return false;
  }
}

/** Dirs a test runner does not collect from (pytest's norecursedirs, Jest's and Vitest's defaults). */

/**
 * Walks the dir `relativeDir` names (its symlinks resolved beneath the checkout, never out of
 * it) and adds its matching entries under the names the pattern gives them. Symlinked dirs
 * inside are not descended: a link is an entry, as a file is.
 */
export function walkInto(
  projectDir: string,
  relativeDir: string,
  isMatch: (file: string) => boolean,
  found: Map<string, string>,
  skipped: ReadonlySet<string>,
  notDone: string,
): void {
  const clean = relativeDir.replace(/\/+$/, '');
  if (!lstatOrUndefined(path.join(projectDir, clean)) && !existsBeneath(projectDir, clean)) return;
  const start = resolveBeneath(projectDir, clean, { notDone });
  if (!lstatOrUndefined(start)?.isDirectory()) return;
  const stack = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(start, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const inner = dir ? `${dir}/${entry.name}` : entry.name;
      const named = clean ? `${clean}/${inner}` : inner;
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) stack.push(inner);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isMatch(named)) {
        found.set(named, path.join(start, inner));
      }
    }
  }
}

export function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}
