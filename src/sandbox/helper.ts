import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxUnavailableError } from '../errors.js';

/** The package root: the nearest package.json above this file (lib/chunk.js bundled, src/sandbox/ under vitest). */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) return start;
  }
}

/** The native helper; CUBICLE_SANDBOX points elsewhere (an installed copy, a debug build). */
export function helperPath(): string {
  const candidate = process.env.CUBICLE_SANDBOX || path.join(PACKAGE_ROOT, 'native', 'cubicle-sandbox');
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
  } catch (error) {
    throw new SandboxUnavailableError('HELPER_MISSING', `the sandbox helper ${candidate} is missing or not executable; no job was run`, {
      hint: `Build it with \`npm run build:native\` (needs gcc and make: apt-get install gcc make).`,
      cause: error,
    });
  }
  return candidate;
}
