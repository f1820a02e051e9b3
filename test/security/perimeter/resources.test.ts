// Class 7 of issue 12: the runner's own resources. A job shapes what the runner then reads,
// buffers, removes and copies: its JUnit reports (src/junit/xml.ts caps, junit/read.ts keeps
// only what it reads), its output (backpressure: src/core/drain.ts, src/sandbox/spawn.ts),
// the trees it leaves (src/sandbox/remove-tree.ts) and its artifacts (src/run/collect.ts, native/keep.c).
// Each attempt is a hostile checkout run through the real CLI; each asserts that the runner's
// RSS stayed under RUNNER_RSS_BOUND, that the job's harm is an error of that job (or is handled),
// that the bystander's result, artifact and report are intact, that the run exited 1 (a job
// failed), not 70, and that the next run on the same store works. Positive controls at the end
// show each check can see the breach it looks for.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeProjects } from '../../helpers/project.js';
import { WHO } from '../harness.js';
import { expectIntact, hostile, reportError, runCubicle, runWatched } from './resources-helpers.js';

afterAll(removeProjects);

/** The runner's own peak RSS (VmHWM) for every attempt; a run of two trivial jobs is ~90 MiB. */
const RUNNER_RSS_BOUND = 250 * 1024 * 1024;
const MiB = 1024 * 1024;

/** Writes reports/evil.xml from `body` (sh producing the XML on stdout), then fails the job. */
const junitJob = (body: string) => `mkdir -p reports\n{ ${body}; } > reports/evil.xml\nls -l reports\nexit 1\n`;
const JUNIT = '    junit: reports/evil.xml\n';
/** 1,500 levels of 10-character names: 16 KB paths, four times PATH_MAX; perl's chdir goes step by step. */
const DEEP_PERL = 'for (1..1500) { mkdir "dddddddddd" or die; chdir "dddddddddd" or die } open my $f, ">", "deep" or die;';
const DEEP_TREE = `perl -e '${DEEP_PERL}'`;
/** The same tree with every 100th directory left mode 000 on the way back up. */
const DEEP_TREE_000 = `perl -e '${DEEP_PERL} for (1..1500) { chdir ".." or die; chmod 0, "dddddddddd" if $_ % 100 == 0 }'`;

describe(`class 7: the runner's own resources (${WHO})`, () => {
  it('a JUnit report of a million tiny elements (4 MB): an error of that job naming the cap, RSS bounded', async () => {
    const tiny = `yes '<a/>' | head -n 1000000 | tr -d '\\n'`;
    const project = hostile(junitJob(`printf '<testsuite name="s"><testcase name="real"/>'; ${tiny}; printf '</testsuite>'`), JUNIT);
    const outcome = await runCubicle(project);
    expect(reportError(project, 'reports/evil.xml')).toMatch(/more than 1,000,000 elements \(a cap of cubicle's JUnit reader\): not read/);
    expect(outcome.peakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  it('a JUnit report nested 200,000 deep: an error naming the depth cap, no stack overflow', async () => {
    const project = hostile(junitJob(`yes '<testsuite>' | head -n 200000 | tr -d '\\n'; yes '</testsuite>' | head -n 200000 | tr -d '\\n'`), JUNIT);
    const outcome = await runCubicle(project);
    expect(reportError(project, 'reports/evil.xml')).toMatch(/more than 64 levels of nested elements/);
    expect(outcome.peakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  it('a JUnit test case of a million attributes, and one of a 40 MB attribute: the count is capped, the size is the file cap', async () => {
    const project = hostile(
      `mkdir -p reports
{ printf '<testsuite><testcase '; seq 1 1000000 | sed 's/.*/a&="" /' | tr -d '\\n'; printf '/></testsuite>'; } > reports/evil.xml
{ printf '<testsuite><testcase name="'; head -c 40000000 /dev/zero | tr '\\0' x; printf '"/></testsuite>'; } > reports/long.xml
exit 1
`,
      '    junit: [reports/evil.xml, reports/long.xml]\n',
    );
    const outcome = await runCubicle(project);
    expect(reportError(project, 'reports/evil.xml')).toMatch(/more than 256 attributes in one element \(&lt;testcase&gt;\)/);
    // 40 MB is under the 64 MiB a report may have: read, and its name is one string of 40 MB (1x, not a tree).
    expect(reportError(project, 'reports/long.xml')).toBe('');
    expect(outcome.peakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  it('a JUnit report of 100,000 test cases: an error naming the 50,000 cap', async () => {
    const cases = `yes '<testcase name="t" classname="c"/>' | head -n 100000 | tr -d '\\n'`;
    const project = hostile(junitJob(`printf '<testsuite>'; ${cases}; printf '</testsuite>'`), JUNIT);
    const outcome = await runCubicle(project);
    expect(reportError(project, 'reports/evil.xml')).toMatch(/more than the 50,000 test cases cubicle reads from one job's reports: not read/);
    expect(outcome.peakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  it("two JUnit reports of 30,000 test cases each: the first is read, the second is an error naming what was left of the job's 50,000", async () => {
    const cases = `yes '<testcase name="t" classname="c"/>' | head -n 30000 | tr -d '\\n'`;
    const write = (file: string) => `{ printf '<testsuite>'; ${cases}; printf '</testsuite>'; } > reports/${file}`;
    const project = hostile(`mkdir -p reports\n${write('a.xml')}\n${write('b.xml')}\nexit 1\n`, '    junit: [reports/a.xml, reports/b.xml]\n');
    const outcome = await runCubicle(project);
    expect(reportError(project, 'reports/a.xml')).toBe('');
    expect(reportError(project, 'reports/b.xml')).toMatch(/more than the 50,000 test cases .* \(20,000 were left after the job's other reports\): not read/);
    expect(outcome.peakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  it("120 MB of output while cubicle's stdout is not read for 8 s: the job waits, the runner does not buffer it", async () => {
    const project = hostile("head -c 120000000 /dev/zero | tr '\\0' x | fold -w 999\nexit 1\n");
    const outcome = await runCubicle(project, { slowReaderMs: 8000 });
    expect(outcome.stdoutBytes).toBeGreaterThan(120_000_000); // every line was printed, late
    expect(outcome.stdoutTail).toMatch(/2 jobs in .*1 failed, 1 passed/);
    expect(outcome.peakRssBytes).toBeLessThan(RUNNER_RSS_BOUND);
    await expectIntact(project, outcome, 'failed');
  }, 150_000);

  it("a 1,500-level directory tree left in the job's workdir (16 KB paths): removed, exit 1 not 70", async () => {
    const project = hostile(`${DEEP_TREE}\necho made\nexit 1\n`);
    const outcome = await runCubicle(project);
    expect(outcome.stdoutTail).toContain('made');
    await expectIntact(project, outcome, 'failed');
  }, 150_000);

  it('the same tree as an artifact: not copied, an error of that job naming the directory', async () => {
    const project = hostile(`mkdir out && cd out && ${DEEP_TREE}\n`, '    artifacts: [out]\n');
    const outcome = await runCubicle(project);
    const evil = project.results().jobs.find((job) => job.name === 'evil')!;
    expect(evil.message).toMatch(/^its files were not all copied out: out\/dddddddddd\/.*….*: a directory cubicle cannot read/);
    await expectIntact(project, outcome, 'error');
  }, 150_000);

  it('a checkout that ships cubicle-artifacts/evil as a 1,500-level tree: cleared before the copy, exit 1 not 70', async () => {
    const project = hostile('mkdir -p out && echo fresh > out/file\nexit 1\n', '    artifacts: [out]\n');
    fs.mkdirSync(project.file('cubicle-artifacts/evil'), { recursive: true });
    execFileSync('sh', ['-c', DEEP_TREE], { cwd: project.file('cubicle-artifacts/evil') });
    const outcome = await runCubicle(project);
    expect(fs.readdirSync(project.file('cubicle-artifacts/evil'))).toEqual(['out']);
    expect(project.read('cubicle-artifacts/evil/out/file')).toBe('fresh\n');
    await expectIntact(project, outcome, 'failed');
  }, 150_000);

  it('mode 000 directories, every 100th of a 1,500-level tree and a small tree: removed, exit 1 not 70', async () => {
    const project = hostile(`mkdir -p m/a/b/c && echo x > m/a/b/c/f && chmod 000 m/a/b/c m/a/b m/a m && ${DEEP_TREE_000} && echo made\nexit 1\n`);
    const outcome = await runCubicle(project);
    expect(outcome.stdoutTail).toContain('made');
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  for (const disk of ['64m', null]) {
    it(`a sparse 1 TB artifact ${disk ? `under disk: ${disk}` : 'without a disk limit'}: copied as sparse, nothing written for its holes`, async () => {
      const free = fs.statfsSync(os.tmpdir());
      const script = 'mkdir -p out && truncate -s 1T out/sparse && head -c 1000000 /dev/urandom > out/data\nexit 1\n';
      const project = hostile(script, `    artifacts: [out]\n${disk ? `    disk: ${disk}\n` : ''}`);
      const outcome = await runCubicle(project);
      const sparse = fs.statSync(project.file('cubicle-artifacts/evil/out/sparse'));
      expect(sparse.size).toBe(2 ** 40);
      expect(sparse.blocks * 512).toBeLessThan(MiB);
      const data = fs.statSync(project.file('cubicle-artifacts/evil/out/data'));
      expect(data.size).toBe(1_000_000);
      // The host lost no more than a few MiB to the run (before: 77.7 GiB, until the disk was full).
      const after = fs.statfsSync(os.tmpdir());
      expect((free.bavail - after.bavail) * free.bsize).toBeLessThan(256 * MiB);
      await expectIntact(project, outcome, 'failed');
    }, 120_000);
  }
});

describe(`class 7 positive controls (${WHO})`, () => {
  it('the bystander checks see a report and an artifact: a normal JUnit report is read in full, a small artifact copied', async () => {
    const cases = `for i in 1 2 3 4 5; do printf '<testcase name="evil-case-%s"/>' $i; done`;
    const project = hostile(junitJob(`printf '<testsuite name="s">'; ${cases}; printf '</testsuite>'`), JUNIT);
    const outcome = await runCubicle(project);
    expect(reportError(project, 'reports/evil.xml')).toBe('');
    const junit = project.read('cubicle-junit.xml');
    for (let i = 1; i <= 5; i++) expect(junit).toContain(`name="evil-case-${i}"`);
    await expectIntact(project, outcome, 'failed');
  }, 120_000);

  it('the RSS check sees a process that holds 200 MiB', async () => {
    const holder = 'const b = Buffer.alloc(200 * 1024 * 1024, 1); setTimeout(() => console.log(b[0]), 1500);';
    const outcome = await runWatched([process.execPath, '-e', holder], { cwd: os.tmpdir(), env: process.env });
    expect(outcome.peakRssBytes).toBeGreaterThan(200 * MiB);
  });

  it('path-based removal cannot remove the 1,500-level tree the attempts leave (ENAMETOOLONG)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-deep-'));
    try {
      execFileSync('sh', ['-c', DEEP_TREE], { cwd: dir });
      expect(() => fs.rmSync(path.join(dir, 'dddddddddd'), { recursive: true })).toThrow(/ENAMETOOLONG/);
    } finally {
      execFileSync('rm', ['-rf', '--', dir]);
    }
  });

  it('the sparse check sees a dense copy: the same 1 TB file copied by copy_file_range would allocate its zeros', () => {
    // Shown on 64 MiB, not 1 TB: a plain copy (fs.copyFileSync) of a sparse file allocates every block.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-sparse-'));
    try {
      fs.writeFileSync(path.join(dir, 'sparse'), '');
      fs.truncateSync(path.join(dir, 'sparse'), 64 * MiB);
      fs.copyFileSync(path.join(dir, 'sparse'), path.join(dir, 'copy'));
      const copied = fs.statSync(path.join(dir, 'copy')).blocks * 512;
      expect(fs.statSync(path.join(dir, 'sparse')).blocks * 512).toBeLessThan(MiB);
      expect(copied).toBeGreaterThanOrEqual(MiB);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
