// What a run leaves behind: reports that parse, copied artifacts, and nothing else, even when
// the runner itself is killed with SIGKILL.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { processesWith, waitFor } from '../helpers/processes.js';
import { jobOf, makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe(`a run (${IS_ROOT ? 'as root' : 'rootless'})`, () => {
  it('killed with SIGKILL leaves no process, and the next run removes its upper dirs; no mount reaches the host', async () => {
    const marker = `victim-${process.pid}-${Date.now()}`;
    const project = makeProject(
      `jobs:
  long: { run: 'echo started; sh ./${marker}.sh' }
  quick: { run: 'true' }
`,
      { [`${marker}.sh`]: 'echo scratch > scratch.txt; sleep 300\n' },
    );
    const runner = project.spawn(['run', 'long']);
    let output = '';
    runner.stdout?.on('data', (chunk) => (output += String(chunk)));
    expect(await waitFor(() => output.includes('started') && processesWith(marker).length > 0, 20_000)).toBe(true);
    const runs = path.join(project.cacheDir, 'runs');
    expect(fs.readdirSync(runs).length).toBe(1); // the live run's dir, with the job's upper inside
    runner.kill('SIGKILL');
    await runner;
    expect(await waitFor(() => processesWith(marker).length === 0, 10_000)).toBe(true);
    expect(fs.readdirSync(runs).length).toBe(1); // a killed runner cannot clean up ...
    const next = await project.cubicle(['run', 'quick']);
    expect(next.exitCode).toBe(0);
    expect(fs.readdirSync(runs)).toEqual([]); // ... so the next run does
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(project.cacheDir);
    expect(fs.existsSync(project.file('scratch.txt'))).toBe(false);
  });

  it("writes a JUnit report and JSON results, and copies the job's reports and artifacts out (regular files only)", async () => {
    const project = makeProject(`jobs:
  unit:
    run: |
      mkdir -p reports coverage/deep
      echo '<testsuite name="t" tests="1"><testcase name="a"/></testsuite>' > reports/unit.xml
      echo covered > coverage/deep/lcov.info
      ln -s /etc/passwd reports/stolen.xml
    junit: reports/*.xml
    artifacts: [coverage]
  broken:
    run: 'echo "about to fail"; exit 2'
`);
    const result = await project.cubicle(['run', '--json', 'results.json', '--junit', 'out/junit.xml']);
    expect(result.exitCode).toBe(1);
    const unit = jobOf(project, 'unit');
    expect(unit.status).toBe('passed');
    expect(unit.junitFiles).toEqual(['reports/unit.xml']);
    expect(unit.artifacts).toEqual(['coverage/deep/lcov.info']);
    expect(unit.message).toContain('not copied (not a regular file): reports/stolen.xml');
    expect(project.read('cubicle-artifacts/unit/coverage/deep/lcov.info')).toBe('covered\n');
    expect(fs.existsSync(project.file('cubicle-artifacts/unit/reports/stolen.xml'))).toBe(false);
    const junit = project.read('out/junit.xml');
    expect(junit).toContain('<testsuite name="unit"');
    expect(junit).toContain('<testsuite name="broken"');
    expect(junit).toMatch(/<failure message="exited with 2" type="failure">[\s\S]*about to fail/);
    expect(junit).toContain('<property name="cubicle.status" value="failed"/>');
    if (hasXmllint()) execFileSync('xmllint', ['--noout', project.file('out/junit.xml')]);
    expect(fs.readdirSync(project.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('config errors exit 2 with a message and run nothing', () => {
  const cases: [string, string, string[], string][] = [
    ['an unknown job', 'jobs:\n  unit: { run: "true" }\n', ['run', 'e2e'], 'unknown job "e2e": the config defines "unit"'],
    ['an unknown key', 'jobs:\n  unit: { run: "true", memroy: 1g }\n', ['run'], 'jobs.unit: unknown key "memroy" (did you mean "memory"?)'],
    ['a bad size', 'jobs:\n  unit: { run: "true", memory: lots }\n', ['run'], 'jobs.unit.memory: expected a size like 512m or 2g, got "lots"'],
    ['a bad duration', 'jobs:\n  unit: { run: "true", timeout: soon }\n', ['run'], 'jobs.unit.timeout: expected a duration like 90s, 10m or 1h, got "soon"'],
    ['a missing run', 'jobs:\n  unit: { env: { A: b } }\n', ['run'], 'jobs.unit.run: missing: every job needs a `run` command'],
    ['a YAML syntax error', 'jobs:\n  unit: { run: "true"\n', ['run'], 'cannot read the config'],
    [
      'a bad flag value',
      'jobs:\n  unit: { run: "true" }\n',
      ['run', '--timeout', 'forever'],
      '--timeout: expected a duration like 90s, 10m or 1h, got "forever"',
    ],
    [
      'an unknown option',
      'jobs:\n  unit: { run: "true" }\n',
      ['run', '--paralel', '2'],
      'unknown option --paralel (did you mean --parallel?); nothing was run',
    ],
  ];
  it.each(cases)('%s', async (_name, config, args, message) => {
    const project = makeProject(config);
    const result = await project.cubicle(args);
    expect(result.stderr).toContain(message);
    expect(result.exitCode).toBe(2);
    expect(fs.existsSync(project.file('cubicle-junit.xml'))).toBe(false);
  });
});

describe('a layer store inside the checkout', () => {
  it('is refused before anything runs (overlayfs cannot stack layers kept inside a lower one), with the fix', async () => {
    const project = makeProject('jobs:\n  unit:\n    setup:\n      - run: echo built > built.txt\n        network: none\n    run: cat built.txt\n');
    for (const inside of ['.cache/cubicle', '.']) {
      const result = await project.cubicle(['run', '--cache-dir', inside]);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain(`is inside the checkout ${project.dir}`);
      expect(result.stderr).toContain('give --cache-dir (or CUBICLE_CACHE_DIR) a directory outside it');
      expect(fs.existsSync(project.file('cubicle-junit.xml'))).toBe(false);
    }
    expect(fs.existsSync(project.file('.cache'))).toBe(false); // nothing was created there
    const outside = await project.cubicle(['run']);
    expect(outside.exitCode, outside.stderr).toBe(0);
  });
});
