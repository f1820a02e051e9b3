#!/usr/bin/env node
// `node bench/store.mjs`: the layer store's export and import against plain `tar | zstd` of the
// same directory (issue target: report MB/s side by side), and `cache verify`'s digest rate.
// A 500 MB store: one setup layer of 500 files of 1 MB (half random, half text-like).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'bin', 'cubicle.js');
const sizeMb = Number(process.env.BENCH_STORE_MB || 500);
const rounds = Number(process.env.BENCH_ROUNDS || 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-store-'));
const project = path.join(work, 'project');
const cache = path.join(work, 'cache');
fs.mkdirSync(project);
const env = { ...process.env, CUBICLE_CACHE_DIR: cache, NO_COLOR: '1' };
const half = Math.floor(sizeMb / 2);
fs.writeFileSync(
  path.join(project, 'cubicle.config.yaml'),
  `jobs:\n  big:\n    setup:\n      - run: mkdir -p data && for i in $(seq 1 ${half}); do head -c 1048576 /dev/urandom > data/r$i; yes "line $i of a text-like file" | head -c 1048576 > data/t$i; done\n        network: none\n    run: [/bin/true]\n`,
);
const sh = (command, options = {}) => execFileSync('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'], env, ...options });
const time = (fn) => {
  const started = performance.now();
  fn();
  return performance.now() - started;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`building a ${sizeMb} MB store...`);
sh(`cd ${project} && node ${cli} run --junit ${work}/junit.xml >/dev/null`);
const storeBytes = Number(sh(`du -sb ${cache}/layers | cut -f1`).toString().trim());
const mb = storeBytes / 1e6;

const rows = {
  'cubicle cache export': [],
  'tar | zstd -3 (same dir)': [],
  'cubicle cache import': [],
  'zstd -d | tar -x (same archive)': [],
  'cubicle cache verify': [],
};
for (let round = 0; round < rounds; round++) {
  const archive = path.join(work, `export-${round}.tar.zst`);
  const plain = path.join(work, `plain-${round}.tar.zst`);
  rows['cubicle cache export'].push(time(() => sh(`node ${cli} cache export ${archive} >/dev/null`)));
  rows['tar | zstd -3 (same dir)'].push(time(() => sh(`tar -C ${cache} --xattrs -cf - layers | zstd -q -T0 -3 -o ${plain}`)));
  rows['cubicle cache verify'].push(time(() => sh(`node ${cli} cache verify >/dev/null`)));
  sh(`node ${cli} cache prune --all >/dev/null`);
  rows['cubicle cache import'].push(time(() => sh(`node ${cli} cache import ${archive} >/dev/null`)));
  const target = path.join(work, `untar-${round}`);
  fs.mkdirSync(target);
  rows['zstd -d | tar -x (same archive)'].push(time(() => sh(`zstd -q -dc ${plain} | tar -C ${target} --xattrs -xf -`)));
  fs.rmSync(target, { recursive: true, force: true });
  fs.rmSync(archive, { force: true });
  fs.rmSync(plain, { force: true });
}
console.log(`\nstore: ${mb.toFixed(0)} MB in layers/, ${rounds} rounds, medians`);
for (const [name, values] of Object.entries(rows)) {
  const ms = median(values);
  console.log(`  ${name.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(mb / (ms / 1000)).toFixed(0).padStart(5)} MB/s`);
}
const ratio = (a, b) => (median(rows[a]) / median(rows[b])).toFixed(2);
console.log(
  `  export / tar|zstd: ${ratio('cubicle cache export', 'tar | zstd -3 (same dir)')}x   import / zstd|tar: ${ratio('cubicle cache import', 'zstd -d | tar -x (same archive)')}x (import includes verifying every digest)`,
);
execFileSync('chmod', ['-R', 'u+rwx', work]);
fs.rmSync(work, { recursive: true, force: true });
