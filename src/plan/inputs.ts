// A setup step sees only its declared `inputs` from the checkout: the matching files are copied
// into a fresh dir that is the step's workspace, and hashed from that copy, so the cache key
// covers exactly what the step could read (Docker's COPY-then-RUN).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { loadPicomatch } from '../vendor.js';

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
  const found = new Set<string>();
  for (const pattern of patterns) {
    const clean = pattern.replace(/^\.\//, '');
    if (path.isAbsolute(clean) || clean.split('/').includes('..')) {
      throw new ConfigError([`${where}: input "${pattern}" is outside the checkout; inputs are paths or globs relative to ${projectDir}`]);
    }
    const { base, isGlob } = picomatch.scan(clean);
    if (!isGlob) {
      const stat = lstatOrUndefined(path.join(projectDir, clean));
      if (!stat) throw new ConfigError([`${where}: input "${pattern}" does not exist in ${projectDir}; the step was not run`]);
      if (stat.isDirectory()) walkInto(projectDir, clean, () => true, found);
      else found.add(clean);
      continue;
    }
    const isMatch = picomatch(clean, { dot: true });
    const before = found.size;
    walkInto(projectDir, base, isMatch, found);
    if (found.size === before) throw new ConfigError([`${where}: input glob "${pattern}" matches no file in ${projectDir}; the step was not run`]);
  }
  const inputs: StagedInput[] = [];
  for (const relative of [...found].sort()) {
    const source = path.join(projectDir, relative);
    const target = path.join(destination, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    const stat = fs.lstatSync(source);
    if (stat.isSymbolicLink()) {
      const link = fs.readlinkSync(source);
      fs.symlinkSync(link, target);
      inputs.push({ path: relative, sha256: `symlink:${link}`, executable: false });
      continue;
    }
    fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE);
    fs.chmodSync(target, stat.mode & 0o755);
    inputs.push({ path: relative, sha256: hashFile(target), executable: (stat.mode & 0o111) !== 0 });
  }
  return inputs;
}

/** Dirs a test runner does not collect from (pytest's norecursedirs, Jest's and Vitest's defaults). */
const NOT_TEST_DIRS = new Set(['.git', 'node_modules']);

/**
 * The checkout's files matching the `testFiles` globs, sorted. Like the test runners
 * themselves, it does not look into hidden dirs (a local .venv) or node_modules.
 */
export async function findTestFiles(projectDir: string, patterns: readonly string[]): Promise<string[]> {
  const picomatch = await loadPicomatch();
  const found = new Set<string>();
  for (const pattern of patterns) {
    const clean = pattern.replace(/^\.\//, '');
    if (path.isAbsolute(clean) || clean.split('/').includes('..')) continue; // refused by resolveConfig
    const { base, isGlob } = picomatch.scan(clean);
    if (isGlob) walkInto(projectDir, base, picomatch(clean, { dot: false }), found, NOT_TEST_DIRS);
    else if (lstatOrUndefined(path.join(projectDir, clean))?.isFile()) found.add(clean);
  }
  return [...found].sort();
}

function walkInto(projectDir: string, relativeDir: string, isMatch: (file: string) => boolean, found: Set<string>, skipped: ReadonlySet<string> = SKIPPED_DIRS): void {
  const start = path.join(projectDir, relativeDir);
  const stack = [relativeDir];
  if (!lstatOrUndefined(start)?.isDirectory()) return;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(projectDir, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) stack.push(relative);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isMatch(relative)) {
        found.add(relative);
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
