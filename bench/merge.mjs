#!/usr/bin/env node
// `cubicle merge` of 50 JUnit reports holding 20,000 test cases in all (target: under 2 s),
// end to end through bin/cubicle.js: 5 runs, median printed. Needs a built lib/ (`node build.mjs`).
//   node bench/merge.mjs [reports] [testCases] [runs]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const [reports = 50, testCases = 20_000, runs = 5] = process.argv.slice(2).map(Number);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-bench-merge-'));

/** One shard's report, like vitest's: a suite per test file, every 20th test failing, every 25th skipped. */
function report(shard, count) {
  const lines = ['<?xml version="1.0" encoding="UTF-8" ?>', `<testsuites name="shard ${shard}" tests="${count}">`];
  for (let file = 0; file < count / 20; file++) {
    lines.push(
      `  <testsuite name="src/shard${shard}/file${file}.test.ts" timestamp="2025-01-02T03:04:05.678Z" hostname="runner-${shard}" tests="20" time="0.5">`,
    );
    for (let test = 0; test < 20; test++) {
      const n = file * 20 + test;
      lines.push(
        `    <testcase classname="src/shard${shard}/file${file}.test.ts" name="suite &gt; does thing ${n} with &quot;quotes&quot;" time="0.0${n % 10}" file="src/shard${shard}/file${file}.test.ts" line="${n + 1}">`,
      );
      if (n % 20 === 7)
        lines.push(
          `      <failure message="expected ${n} to be ${n + 1}" type="AssertionError">AssertionError: expected ${n} to be ${n + 1}\n    at src/file${file}.test.ts:${n}:10\n    at runTest (node_modules/vitest/dist/runner.js:1:1)</failure>`,
        );
      else if (n % 25 === 3) lines.push('      <skipped message="todo"/>');
      else if (n % 10 === 1) lines.push(`      <system-out><![CDATA[console.log from test ${n} <with markup> & more\n]]></system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

const files = [];
for (let shard = 0; shard < reports; shard++) {
  const file = path.join(work, `shard-${shard}.xml`);
  fs.writeFileSync(file, report(shard, Math.round(testCases / reports)));
  files.push(file);
}
const inputBytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
console.log(`${reports} reports, ${testCases} test cases, ${(inputBytes / 1024 / 1024).toFixed(1)} MiB; ${runs} runs of cubicle merge`);

const times = [];
try {
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [path.join(repo, 'bin', 'cubicle.js'), 'merge', ...files, '-o', path.join(work, 'out.xml')], {
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`cubicle merge exited with ${result.status}:\n${result.stderr}`);
    if (run === 0) process.stdout.write(`  ${result.stdout}`);
    times.push(ms);
    console.log(`  run ${run + 1}: ${ms.toFixed(0)} ms`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`median: ${median.toFixed(0)} ms (target: under 2000 ms)`);
