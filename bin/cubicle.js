#!/usr/bin/env node
// Runs the bundled CLI (lib/cubicle.cjs) with a V8 code cache, the way v8-compile-cache
// does: compiling the bundle was a fifth of `cubicle run`'s start-up. The cache lives in
// ~/.cache/cubicle/v8/, keyed by Node version and the bundle's size and mtime; V8 itself
// rejects a stale one, which is then rewritten. CUBICLE_NO_CODE_CACHE=1 turns it off.
// CommonJS (bin/package.json says so): an ES module entry costs Node its ESM loader, ~15 ms of every start.
'use strict';
const fs = require('node:fs');
const { createRequire } = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

// `cubicle --version` alone (what scripts and `npx` checks run) needs only package.json, not the 1 MB bundle.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  console.log(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version);
  process.exit(0);
}
const bundle = path.join(__dirname, '..', 'lib', 'cubicle.cjs');
const source = fs.readFileSync(bundle, 'utf8');
const useCache = !process.env.CUBICLE_NO_CODE_CACHE;
const cacheFile = useCache ? codeCacheFile() : undefined;
let cachedData;
try {
  if (cacheFile) cachedData = fs.readFileSync(cacheFile);
} catch {
  // first run, or no cache dir: compile from source
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, createRequire(bundle), bundled, bundle, path.dirname(bundle));
bundled.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  if (cacheFile && (!cachedData || script.cachedDataRejected)) saveCodeCache(cacheFile, script.createCachedData());
});

function codeCacheFile() {
  const stat = fs.statSync(bundle);
  const base = process.env.CUBICLE_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME || os.homedir(), '.cache'), 'cubicle');
  return path.join(base, 'v8', `${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}.bin`);
}

function saveCodeCache(file, data) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
    pruneCodeCaches(path.dirname(file));
  } catch {
    // a read-only or full cache dir costs speed, never the run
  }
}

/**
 * Each build of the bundle (an upgrade, another project's cubicle) gets its own cache of about
 * 1 MB: the newest few are kept, for the versions a machine alternates between; older ones, and
 * temp files a killed writer left an hour ago, go. Runs only when a cache was written.
 */
function pruneCodeCaches(dir) {
  const KEEP = 4;
  const now = Date.now();
  const entries = [];
  for (const name of fs.readdirSync(dir)) {
    const stat = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    if (name.endsWith('.bin')) entries.push({ name, mtime: stat.mtimeMs });
    else if (name.endsWith('.tmp') && now - stat.mtimeMs > 3_600_000) fs.rmSync(path.join(dir, name), { force: true });
  }
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const { name } of entries.slice(KEEP)) fs.rmSync(path.join(dir, name), { force: true });
}
