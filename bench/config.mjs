#!/usr/bin/env node
// `node bench/config.mjs` (also run by `npm run bench`): what evaluating a code config in its
// sandbox adds to `cubicle run` of one trivial job: the same config as cubicle.config.mjs and
// as cubicle.config.yaml, in the same hyperfine run; medians and their difference printed.
//   BENCH_CONFIG_RUNS=30 node bench/config.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_CONFIG_RUNS || 30);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-config-'));
fs.chmodSync(work, 0o755);

const projects = {
  'cubicle run, cubicle.config.yaml': ['cubicle.config.yaml', 'jobs:\n  trivial:\n    run: [/bin/true]\n'],
  'cubicle run, cubicle.config.mjs (sandboxed)': ['cubicle.config.mjs', "export default { jobs: { trivial: { run: ['/bin/true'] } } };\n"],
};
const commands = [];
for (const [index, [name, [file, text]]] of Object.entries(projects).entries()) {
  const dir = path.join(work, `project${index}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, file), text);
  const cli = [
    process.execPath,
    path.join(repo, 'bin', 'cubicle.js'),
    'run',
    '--config',
    path.join(dir, file),
    '--junit',
    path.join(work, `junit${index}.xml`),
  ];
  commands.push('-n', name, `env CUBICLE_CACHE_DIR=${path.join(work, 'cache')} ${cli.join(' ')}`);
}
const report = path.join(work, 'hyperfine.json');
try {
  execFileSync('hyperfine', ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', report, ...commands], { stdio: ['ignore', 'ignore', 'inherit'] });
  const results = JSON.parse(fs.readFileSync(report, 'utf8')).results;
  console.log(`\na code config evaluated in a sandbox (${runs} runs each, one hyperfine run)`);
  // CPU time (user + system, the runner and every process it waits for) moves less than wall time on a busy host.
  const cpu = (result) => (result.user + result.system) * 1000;
  for (const result of results) {
    console.log(
      `  ${result.command.padEnd(46)} median ${(result.median * 1000).toFixed(1).padStart(7)} ms, mean ${(result.mean * 1000).toFixed(1)} ± ${(result.stddev * 1000).toFixed(1)} ms, CPU ${cpu(result).toFixed(1)} ms`,
    );
  }
  const [yaml, code] = results;
  console.log(
    `  the sandboxed evaluation adds ${((code.median - yaml.median) * 1000).toFixed(1)} ms (median wall), ${(cpu(code) - cpu(yaml)).toFixed(1)} ms of CPU (mean)`,
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
