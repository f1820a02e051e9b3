// A setup step sees only its declared `inputs` from the checkout: the matching files are copied
// into a fresh dir that is the step's workspace, and hashed from that copy, so the cache key
// covers exactly what the step could read (Docker's COPY-then-RUN).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { atPath, copyFileBeneath, resolveBeneath, withDirBeneath } from '../confine/index.js';
import { ConfigError, PathConfinementError } from '../core/errors.js';
import { loadPicomatch } from '../core/vendor.js';
import { compileTestGlob, selectTestFiles, testGlobProblems } from '../config/test-glob.js';

export interface StagedInput {
  /** Relative to the checkout, '/'-separated. */
  readonly path: string;
  readonly sha256: string;
  readonly executable: boolean;
}

/** Dirs never worth walking for a glob unless the pattern names them. */
const SKIPPED_DIRS = new Set(['.git']);

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

function existsBeneath(projectDir: string, relative: string): boolean {
  try {
    resolveBeneath(projectDir, relative, { followFinal: false });
    return true;
  } catch {
    return false;
  }
}

/** Dirs a test runner does not collect from (pytest's norecursedirs, Jest's and Vitest's defaults). */
const NOT_TEST_DIRS = new Set(['.git', 'node_modules']);

/**
 * The checkout's files matching the `testFiles` globs (the dialect of ./test-glob.ts), sorted.
 * Like the test runners themselves, it does not look into hidden dirs (a local .venv) or
 * node_modules. A `!` pattern removes what the patterns before it matched. A pattern whose
 * dir leads out of the checkout through a symlink is a config error.
 */
export async function findTestFiles(projectDir: string, patterns: readonly string[], where = 'testFiles'): Promise<string[]> {
  const refused = testGlobProblems(patterns);
  if (refused.length > 0) throw new ConfigError(refused.map((problem) => `${where}: ${problem}`));
  const globs = patterns.map(compileTestGlob);
  const found = new Map<string, string>();
  const notDone = 'nothing was run';
  try {
    for (const glob of globs) {
      if (glob.exclude) continue;
      const clean = glob.pattern.replace(/^(\.\/)+/, '');
      if (!glob.literal) walkInto(projectDir, glob.base, (file) => glob.regex.test(file), found, NOT_TEST_DIRS, notDone);
      else if (existsBeneath(projectDir, clean) && lstatOrUndefined(resolveBeneath(projectDir, clean, { notDone }))?.isFile()) found.set(clean, clean);
    }
  } catch (error) {
    if (error instanceof PathConfinementError) throw new ConfigError([`${where}: ${error.message}`], { cause: error, hint: error.hint });
    throw error;
  }
  return [...selectTestFiles(globs, found.keys())].sort();
}

/**
 * Walks the dir `relativeDir` names (its symlinks resolved beneath the checkout, never out of
 * it) and adds its matching entries under the names the pattern gives them. Symlinked dirs
 * inside are not descended: a link is an entry, as a file is.
 */
function walkInto(
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

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
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
