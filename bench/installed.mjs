#!/usr/bin/env node
// Part 7 of `npm run bench`: cubicle's start-up as a user meets it, from the installed package
// (scripts/pack-platforms.mjs packs cubicle and this platform's package; both are installed from
// the tarballs into a temp project), each command as a ratio to `node -e 0` in the same
// hyperfine run: `npx cubicle --version`, `node node_modules/.bin/cubicle --version`, and
// `cubicle run` of one trivial job (through npx and directly). Medians, in ms.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packAll } from '../scripts/pack-platforms.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_INSTALLED_RUNS || 30);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-installed-'));
fs.chmodSync(work, 0o755);
try {
  const platform = `linux-${process.arch}`;
  const tarballs = packAll({ out: path.join(work, 'tarballs'), platforms: [platform] });
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'bench-project', version: '1.0.0', private: true }));
  fs.writeFileSync(path.join(project, 'cubicle.config.yaml'), 'jobs:\n  trivial:\n    run: "true"\n');
  execFileSync('npm', ['i', '-D', '--no-audit', '--no-fund', ...tarballs], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  const env = { ...process.env, CUBICLE_CACHE_DIR: path.join(work, 'cache'), npm_config_update_notifier: 'false' };
  const node = process.execPath;
  const npx = execFileSync('sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).trim();
  const commands = {
    'node -e 0': `${node} -e 0`,
    'npx cubicle --version': `${npx} cubicle --version`,
    'node node_modules/.bin/cubicle --version': `${node} node_modules/.bin/cubicle --version`,
    'npx cubicle run (one trivial job)': `${npx} cubicle run --quiet`,
    'node node_modules/.bin/cubicle run (one trivial job)': `${node} node_modules/.bin/cubicle run --quiet`,
  };
  const file = path.join(repo, 'bench', 'results', 'installed.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const args = ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', file];
  for (const [name, command] of Object.entries(commands)) args.push('-n', name, command);
  execFileSync('hyperfine', args, { cwd: project, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const results = JSON.parse(fs.readFileSync(file, 'utf8')).results;
  const base = results.find((entry) => entry.command === 'node -e 0').median;
  console.log(`\n7. from the installed package (${tarballs.map((file) => path.basename(file)).join(', ')}): medians of ${runs} runs`);
  for (const entry of results) {
    console.log(`  ${entry.command.padEnd(52)} ${(entry.median * 1000).toFixed(1).padStart(8)} ms  ${(entry.median / base).toFixed(2)}x node -e 0`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
