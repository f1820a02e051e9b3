// The presets (presets/*.yaml) on their fixture projects (test/fixtures/preset-*), with the real
// tools, in real sandboxes: the JUnit report holds the fixture's own test cases, and a second run
// reuses the setup layer. A tool missing in the sandbox skips its preset out loud; under CI=true
// it fails instead.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJunit, verdictOf, type Verdict } from '../../src/junit/index.js';
import { outboundUnavailable } from '../helpers/host.js';
import { CLI, REPO } from '../helpers/paths.js';
import { jobOf, makeProject, outputOf, removeProjects, type Project } from '../helpers/project.js';

afterAll(removeProjects);

const IN_CI = process.env.CI === 'true';

interface PresetFixture {
  readonly preset: string;
  readonly job: string;
  /** Succeeds in a sandbox when the preset's tools are there. */
  readonly probe: string;
  readonly install: string;
  readonly status: 'passed' | 'failed';
  readonly counts: Record<Verdict, number>;
  /** Test cases as `classname name`, a few of each kind. */
  readonly cases: Record<string, Verdict>;
  readonly setupSteps: number;
}

const FIXTURES: readonly PresetFixture[] = [
  {
    preset: 'node',
    job: 'unit',
    probe: 'command -v npm',
    install: 'nodejs npm',
    status: 'failed',
    counts: { passed: 3, failure: 1, error: 0, skipped: 1 },
    cases: { 'test adds': 'passed', 'test rounds like Math.round': 'failure', 'test needs a GPU': 'skipped' },
    setupSteps: 1,
  },
  {
    preset: 'python',
    job: 'unit',
    // Debian's python3 makes a venv only with python3-venv; pytest is the system's (python3-pytest).
    probe: 'python3 -m venv --system-site-packages /tmp/probe && /tmp/probe/bin/python -c "import pytest"',
    install: 'python3-venv python3-pytest',
    status: 'failed',
    counts: { passed: 3, failure: 1, error: 0, skipped: 1 },
    cases: { 'test_calc test_add[1-2-3]': 'passed', 'test_calc test_round_half_up': 'failure', 'test_calc test_gpu': 'skipped' },
    setupSteps: 1,
  },
  {
    preset: 'go',
    job: 'unit',
    probe: 'go version',
    install: 'golang-go',
    status: 'failed',
    counts: { passed: 5, failure: 1, error: 0, skipped: 1 },
    cases: {
      'example.com/presetgo/calc TestDivide': 'failure',
      'example.com/presetgo/calc TestSkipped': 'skipped',
      'example.com/presetgo/calc TestTable/large': 'passed',
      'example.com/presetgo/text TestShout': 'passed',
    },
    setupSteps: 1,
  },
  {
    preset: 'make',
    job: 'check',
    probe: 'make --version',
    install: 'make',
    status: 'passed',
    // No JUnit of its own: the job is its one test case.
    counts: { passed: 1, failure: 0, error: 0, skipped: 0 },
    cases: { 'cubicle.check check': 'passed' },
    setupSteps: 0,
  },
];

/** Whether each fixture's tools are in the sandbox a job gets; a host that cannot sandbox at all runs (and fails) every test. */
async function probeTools(): Promise<Map<string, boolean>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-probe-'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-probe-cache-'));
  fs.chmodSync(dir, 0o755);
  try {
    const results = await Promise.all(
      FIXTURES.map(async (fixture) => {
        const probe = await execa(process.execPath, [CLI, 'exec', '--network', 'none', '--', 'sh', '-c', fixture.probe], {
          cwd: dir,
          env: { ...process.env, CUBICLE_CACHE_DIR: cacheDir },
          reject: false,
          stdin: 'ignore',
          timeout: 60_000,
        });
        return [fixture.preset, probe.exitCode === 0 || probe.exitCode === 3] as const;
      }),
    );
    return new Map(results);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

const available = await probeTools();

/** A copy of test/fixtures/preset-NAME in a temp dir, with a cache dir of its own. */
function copyFixture(preset: string): Project {
  const source = path.join(REPO, 'test', 'fixtures', `preset-${preset}`);
  const project = makeProject(fs.readFileSync(path.join(source, 'cubicle.config.yaml'), 'utf8'));
  fs.cpSync(source, project.dir, { recursive: true });
  return project;
}

function countVerdicts(verdicts: readonly Verdict[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { passed: 0, failure: 0, error: 0, skipped: 0 };
  for (const verdict of verdicts) counts[verdict] += 1;
  return counts;
}

describe('presets on their fixture projects', () => {
  for (const fixture of FIXTURES) {
    const runnable = available.get(fixture.preset) === true;
    if (!runnable && !IN_CI) console.log(`skipped: preset ${fixture.preset} (\`${fixture.probe}\` fails in a sandbox: apt-get install ${fixture.install})`);
    // A preset's setup step takes a step's default network, `outbound`: where this user cannot have it, said out loud.
    const noOutbound = fixture.setupSteps > 0 ? outboundUnavailable() : null;
    if (noOutbound) console.log(`skipped: preset ${fixture.preset} (its setup step's default network: outbound): ${noOutbound}`);
    it.runIf((runnable || IN_CI) && !noOutbound)(
      `${fixture.preset}: the fixture's test cases in the JUnit report, the setup layer reused on a second run`,
      async () => {
        const project = copyFixture(fixture.preset);
        const first = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 240_000 });
        const log = first.stdout + first.stderr;
        expect(first.exitCode, log).toBe(fixture.status === 'passed' ? 0 : 1);
        expect(jobOf(project, fixture.job).status, log).toBe(fixture.status);

        const [suite, ...others] = parseJunit(project.read('cubicle-junit.xml'), 'cubicle-junit.xml');
        expect(others).toEqual([]);
        const verdicts = new Map(suite!.cases.map((testCase) => [`${testCase.classname} ${testCase.name}`, verdictOf(testCase)]));
        expect(countVerdicts([...verdicts.values()]), JSON.stringify([...verdicts])).toEqual(fixture.counts);
        for (const [name, verdict] of Object.entries(fixture.cases)) expect(verdicts.get(name), name).toBe(verdict);
        if (fixture.setupSteps === 0) return;

        expect(
          outputOf(first.stdout, fixture.job).some((line) => line.startsWith('[setup 1/1] running:')),
          log,
        ).toBe(true);
        const second = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 240_000 });
        expect(
          outputOf(second.stdout, fixture.job).some((line) => line.startsWith('[setup 1/1] cached:')),
          second.stdout + second.stderr,
        ).toBe(true);
        expect((jobOf(project, fixture.job) as unknown as { cacheHits: number }).cacheHits).toBe(fixture.setupSteps);
        expect(parseJunit(project.read('cubicle-junit.xml'), 'cubicle-junit.xml')[0]!.cases).toHaveLength(suite!.cases.length);
      },
      300_000,
    );
  }
});

// pytest has no sharding of its own: under --shard-by test, cubicle splits the files the python
// preset's `testFiles` matches and hands this shard's to pytest as "$@".
describe('--shard-by test with the python preset (real pytest)', () => {
  const runnable = available.get('python') === true;
  if (!runnable && !IN_CI) console.log('skipped: --shard-by test with pytest (no venv or pytest in a sandbox: apt-get install python3-venv python3-pytest)');
  // Seven test files, one slow; a helper module and a hidden dir's test file that are not the suite's.
  const sleeps: Record<string, number> = {
    'tests/test_slow.py': 1.0,
    'tests/test_a.py': 0.5,
    'tests/test_b.py': 0.4,
    'tests/unit/test_c.py': 0.3,
    'tests/unit/d_test.py': 0.3,
    'test_root.py': 0.3,
    'tests/test_e.py': 0.2,
  };
  const files: Record<string, string> = {
    'tests/helpers.py': 'VALUE = 1\n',
    '.hidden/test_not_collected.py': 'def test_never():\n    raise AssertionError("a hidden dir is not part of the suite")\n',
  };
  for (const [file, seconds] of Object.entries(sleeps)) {
    files[file] = `import time\n\ndef test_one():\n    time.sleep(${seconds / 2})\n\ndef test_two():\n    time.sleep(${seconds / 2})\n`;
  }
  const config = 'jobs:\n  py:\n    preset: python\n';
  const casesOf = (project: Project, report: string) =>
    parseJunit(project.read(report), report).flatMap((suite) => suite.cases.map((testCase) => `${testCase.classname}::${testCase.name}`));

  it.runIf(runnable || IN_CI)(
    'three shards run every test file exactly once, balanced by the last report; a shard with no file skips the job',
    async () => {
      const project = makeProject(config, files);
      const whole = await project.cubicle(['run', '--junit', 'whole.xml'], { timeoutMs: 240_000 });
      expect(whole.exitCode, whole.stdout + whole.stderr).toBe(0);
      const all = casesOf(project, 'whole.xml');
      expect(all).toHaveLength(14);

      const shards: string[][] = [];
      const seconds: number[] = [];
      for (const shard of [1, 2, 3]) {
        const result = await project.cubicle(
          ['run', '--shard-by', 'test', '--shard', `${shard}/3`, '--timings', 'whole.xml', '--junit', `shard-${shard}.xml`],
          { timeoutMs: 240_000 },
        );
        expect(result.exitCode, result.stdout + result.stderr).toBe(0);
        const cases = parseJunit(project.read(`shard-${shard}.xml`), 'shard').flatMap((suite) => suite.cases);
        shards.push(cases.map((testCase) => `${testCase.classname}::${testCase.name}`));
        seconds.push(cases.reduce((sum, testCase) => sum + testCase.time, 0));
      }
      expect(shards.flat().sort()).toEqual([...all].sort());
      // 3 s of tests: the slow file (1 s) is a shard of its own, the six others fill two more.
      expect(shards.find((cases) => cases.some((name) => name.startsWith('tests.test_slow')))).toHaveLength(2);
      expect(Math.max(...seconds) / Math.min(...seconds), `shard test times ${seconds.join(', ')} s`).toBeLessThan(1.2);

      // Eight shards for seven files: one has none, and says so without running pytest on everything.
      const empty = await project.cubicle(['run', '--shard-by', 'test', '--shard', '8/8', '--json', 'results.json'], { timeoutMs: 240_000 });
      expect(empty.exitCode, empty.stdout + empty.stderr).toBe(0);
      expect(jobOf(project, 'py')).toMatchObject({
        status: 'skipped',
        message: expect.stringContaining('no test files in shard 8/8: its 7 files went to other shards'),
      });
    },
    400_000,
  );

  it("refuses a run script that would drop the shard's files, before running anything", async () => {
    const project = makeProject('jobs:\n  py:\n    run: pytest\n    testFiles: tests/test_*.py\n', files);
    const result = await project.cubicle(['run', '--shard-by', 'test', '--shard', '1/2']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('jobs.py.testFiles: the run script never uses "$@"');
  });
});
