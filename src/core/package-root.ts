// Where cubicle's own package is: the nearest package.json above this file (lib/cubicle.cjs when
// bundled, src/core/ under vitest). Its presets/, native/ sources, platform package and
// typescript are found from here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest dir at or above `start` holding a package.json; `start` itself when there is none. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) return start;
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
