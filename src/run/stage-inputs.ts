// A setup step sees only its declared `inputs` from the checkout: the matching files are copied
// into a fresh dir that is the step's workspace, and hashed from that copy, so the cache key
// covers exactly what the step could read (Docker's COPY-then-RUN).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { atPath, copyFileBeneath, resolveBeneath, withDirBeneath } from '../confine/index.js';
import { ConfigError, PathConfinementError } from '../core/errors.js';
import { loadPicomatch } from '../core/vendor.js';
import { existsBeneath, lstatOrUndefined, walkInto } from '../plan/checkout-walk.js';
import type { StagedInput } from '../plan/step-key.js';

/** Dirs never worth walking for a glob unless the pattern names them. */
const SKIPPED_DIRS = new Set(['.git']);

/** Copies the checkout files matching `patterns` into `destination`; returns them sorted, hashed. */
/** Copies the checkout files matching `patterns` into `destination`; returns them sorted, hashed. */
export async function stageInputs(projectDir: string, patterns: readonly string[], destination: string, where: string): Promise<StagedInput[]> {
  const picomatch = await loadPicomatch();
  // Staged name (as the step's patterns name it) -> the file beneath the checkout, no symlink in its dirs.
  const found = new Map<string, string>();
  const notDone = 'the step was not run';
  try {
    for (const pattern of patterns) {
      const clean = pattern.replace(/^\.\//, '');
      if (path.isAbsolute(clean) || clean.split('/').includes('..')) {
        throw new ConfigError([`${where}: input "${pattern}" is outside the checkout; inputs are paths or globs relative to ${projectDir}`]);
      }
      const { base, isGlob } = picomatch.scan(clean);
      if (!isGlob) {
        if (!lstatOrUndefined(path.join(projectDir, clean)) && !existsBeneath(projectDir, clean)) {
          throw new ConfigError([`${where}: input "${pattern}" does not exist in ${projectDir}; the step was not run`]);
        }
        // Dirs on the way may be symlinks that stay in the checkout; the last component is never followed.
        const source = resolveBeneath(projectDir, clean, { followFinal: false, notDone });
        const stat = fs.lstatSync(source);
        if (stat.isDirectory()) walkInto(projectDir, clean, () => true, found, SKIPPED_DIRS, notDone);
        else found.set(clean, source);
        continue;
      }
      const isMatch = picomatch(clean, { dot: true });
      const before = found.size;
      walkInto(projectDir, base, isMatch, found, SKIPPED_DIRS, notDone);
      if (found.size === before) throw new ConfigError([`${where}: input glob "${pattern}" matches no file in ${projectDir}; the step was not run`]);
    }
    const inputs: StagedInput[] = [];
    for (const relative of [...found.keys()].sort()) inputs.push(stageOne(projectDir, found.get(relative)!, destination, relative, notDone));
    return inputs;
  } catch (error) {
    if (error instanceof PathConfinementError) throw new ConfigError([`${where}: ${error.message}`], { cause: error, hint: error.hint });
    throw error;
  }
}

/** One input into the staging dir: a symlink as a link (never followed), a file by copy, both beneath their roots. */
function stageOne(projectDir: string, source: string, destination: string, relative: string, notDone: string): StagedInput {
  const stat = fs.lstatSync(source);
  if (stat.isSymbolicLink()) {
    const link = fs.readlinkSync(source);
    const dir = path.posix.dirname(relative);
    withDirBeneath(destination, dir, (fd) => fs.symlinkSync(link, atPath(fd, path.posix.basename(relative))), { create: true, notDone });
    return { path: relative, sha256: `symlink:${link}`, executable: false };
  }
  const target = copyFileBeneath(projectDir, path.relative(projectDir, source), destination, relative, { mode: stat.mode & 0o755, notDone });
  return { path: relative, sha256: hashFile(target), executable: (stat.mode & 0o111) !== 0 };
}

function hashFile(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
