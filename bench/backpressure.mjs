#!/usr/bin/env node
// `node bench/backpressure.mjs` (also run by `npm run bench`): what backpressure on job pipes
// costs a job that prints 100 MB to a fast reader (issue 12's target: at most 10% slower). The
// job is timed run straight with `sh -c`, through `cubicle run`, and, with BENCH_BASELINE set
// to another checkout's root (e.g. main's, built), through that cubicle too: one hyperfine run
// per reader (cubicle's stdout to /dev/null, and through a pipe), medians and ratios printed.
//   BENCH_BACKPRESSURE_RUNS=10 BENCH_BASELINE=/tmp/main node bench/backpressure.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_BACKPRESSURE_RUNS || 10);
const baseline = process.env.BENCH_BASELINE;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-backpressure-'));
fs.chmodSync(work, 0o755);
const project = path.join(work, 'project');
fs.mkdirSync(project);

// 100 MB in lines of 100 bytes, as a chatty test suite prints them.
fs.writeFileSync(path.join(project, 'loud.sh'), "head -c 100000000 /dev/zero | tr '\\0' x | fold -w 99\n");
fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), 'jobs:\n  loud:\n    run: sh loud.sh\n');
const cubicle = (root) =>
  [
    `env CUBICLE_CACHE_DIR=${path.join(work, 'cache')} ${process.execPath} ${path.join(root, 'bin', 'cubicle.js')}`,
    `run --config ${path.join(project, 'cubicle.config.yaml')} --junit ${path.join(work, 'junit.xml')}`,
  ].join(' ');
const commands = { 'sh (no cubicle)': `sh ${path.join(project, 'loud.sh')}`, 'cubicle run (this build)': cubicle(repo) };
if (baseline) commands[`cubicle run (${baseline})`] = cubicle(baseline);

try {
  for (const output of ['null', 'pipe']) {
    const report = path.join(work, `hyperfine-${output}.json`);
    const args = ['-N', '--warmup', '1', '--runs', String(runs), '--output', output, '--export-json', report];
    for (const [name, command] of Object.entries(commands)) args.push('-n', name, command);
    execFileSync('hyperfine', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const results = JSON.parse(fs.readFileSync(report, 'utf8')).results;
    const median = Object.fromEntries(results.map((result) => [result.command, result.median * 1000]));
    console.log(`\na job printing 100 MB, its reader ${output === 'null' ? '/dev/null' : 'a pipe'} (${runs} runs each, one hyperfine run)`);
    for (const result of results) {
      const ratio = (median[result.command] / median['sh (no cubicle)']).toFixed(2);
      console.log(`  ${result.command.padEnd(40)} median ${median[result.command].toFixed(0).padStart(6)} ms, ${ratio}x sh`);
    }
    if (baseline) {
      const ratio = median['cubicle run (this build)'] / median[`cubicle run (${baseline})`];
      console.log(`  this build / baseline: ${ratio.toFixed(3)} (target: at most 1.10)`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
