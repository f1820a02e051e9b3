// The terminal view on the real CLI: in a real pseudo-terminal (tmux), live lines while jobs
// run, then a line per finished job, the failed job's output and the summary; piped to a file,
// plain lines without a single escape code; in GitHub Actions, one log group per job.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { makeProject, outputOf, removeProjects, type Project } from '../helpers/project.js';

const sockets: string[] = [];
afterAll(() => {
  for (const socket of sockets) spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  removeProjects();
});

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!HAVE_TMUX) console.warn('skipped: the TTY test needs tmux (apt-get install tmux)');

const CONFIG = `jobs:
  slow: { run: 'echo tick-from-slow; sleep 4; echo done-slow' }
  fast: { run: 'echo hi-from-fast' }
  fail: { run: 'echo boom-output; echo second-boom-line; exit 3' }
`;

/** `cubicle ARGS` in a detached tmux session of 120x40 (or `columns` wide); returns a reader of what the pane shows. */
async function inTerminal(project: Project, args: string, columns = 120, env = ''): Promise<(escapes?: boolean) => string> {
  const socket = `cubicle-test-${process.pid}-${sockets.length}`;
  sockets.push(socket);
  const command = `cd '${project.dir}' && env -u FORCE_COLOR -u NO_COLOR ${env} CUBICLE_CACHE_DIR='${project.cacheDir}' '${process.execPath}' '${CLI}' ${args}; echo EXIT=$?; sleep 120`;
  await execa('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'cubicle', '-x', String(columns), '-y', '40', command], {
    env: { ...process.env, LANG: 'C.UTF-8' },
  });
  // -e: with the colours the pane shows, as escape sequences.
  return (escapes = false) =>
    spawnSync('tmux', ['-L', socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'cubicle', '-S', '-200'], { encoding: 'utf8' }).stdout;
}

describe('cubicle run on a terminal', () => {
  it.skipIf(!HAVE_TMUX)('redraws a live line per running job, then leaves a line per job, the failed output in full and the summary', async () => {
    const project = makeProject(CONFIG);
    const screen = await inTerminal(project, 'run --memory 256m --no-limits');
    // While slow sleeps: its live line shows its state, elapsed time and latest output.
    expect(await waitFor(() => /slow\s+running\s+[\d.]+m?s\s+tick-from-slow/.test(screen()), 20_000), screen()).toBe(true);
    expect(await waitFor(() => screen().includes('EXIT='), 30_000), screen()).toBe(true);
    const text = screen();
    expect(text).toContain('EXIT=1');
    expect(text).toMatch(/fast\s+passed in \d+ms/);
    expect(text).toMatch(/fail\s+failed in [\d.]+m?s.*: exited with 3/);
    expect(text).toMatch(/slow\s+passed in [\d.]+s/);
    expect(text).toMatch(/fail: failed: exited with 3\nboom-output\nsecond-boom-line\n/);
    expect(text).toMatch(/JOB\s+STATUS\s+DURATION\s+EXIT\s+PEAK MEM \/ LIMIT\s+CPU\s+CACHE HITS/);
    expect(text).toMatch(/slow\s+passed\s+[\d.]+s\s+0\s+\S+ \S+ \/ 256 MiB/);
    expect(text).toContain('3 jobs in');
    // The live lines are gone, and a passing job's output was only ever on them.
    expect(text).not.toMatch(/running\s+[\d.]+m?s/);
    expect(text).not.toContain('hi-from-fast');
    expect(text).not.toContain('done-slow');
  });

  it.skipIf(!HAVE_TMUX)('measures wide characters (✅ ❌ CJK, a ZWJ family) as the terminal draws them: no stale or doubled line', async () => {
    const wide = `✅ passed ❌ 0 failed 日本語のテキスト 👨‍👩‍👧 ${'✅'.repeat(30)}`;
    const project = makeProject(`jobs:
  wide: { run: 'for i in $(seq 1 12); do echo "$i ${wide}"; sleep 0.25; done' }
  other: { run: 'sleep 2; echo "二 ❌ other"; sleep 1' }
`);
    const screen = await inTerminal(project, 'run --junit /dev/null', 60);
    const liveLines = (text: string) => text.split('\n').filter((line) => /running\s+[\d.]+m?s/.test(line));
    // While both run: exactly one live line each, however many times they were redrawn.
    expect(await waitFor(() => screen().includes('二 ❌ other'), 20_000), screen()).toBe(true);
    const during = screen();
    expect(liveLines(during).length, during).toBe(2);
    expect(during.split('\n').filter((line) => line.includes('✅')).length, during).toBe(1);
    expect(await waitFor(() => screen().includes('EXIT='), 30_000), screen()).toBe(true);
    const text = screen();
    expect(text).toContain('EXIT=0');
    // The live lines are gone without a trace: the passing jobs' output was only ever on them.
    expect(liveLines(text), text).toEqual([]);
    expect(text).not.toContain('✅');
    expect(text).not.toContain('日本語');
    expect(text.match(/wide\s+passed in/g), text).toHaveLength(1);
    expect(text.match(/other\s+passed in/g), text).toHaveLength(1);
    expect(text).toMatch(/JOB\s+STATUS\s+DURATION/);
    expect(text).toMatch(/\nwide\s+passed\s+[\d.]+s\s+0\s/);
    expect(text).toMatch(/\nother\s+passed\s+[\d.]+s\s+0\s/);
    expect(text).toContain('2 jobs in');
  });

  it.skipIf(!HAVE_TMUX)("--verbose also prints every line of output, and each job's limits", async () => {
    const project = makeProject(CONFIG);
    const screen = await inTerminal(project, 'run --verbose --no-limits --memory 256m fast');
    expect(await waitFor(() => screen().includes('EXIT='), 30_000), screen()).toBe(true);
    expect(screen()).toContain('[fast] :: image host, network none; limits: memory 256 MiB');
    expect(screen()).toContain('[fast] hi-from-fast');
  });
});

describe('cubicle run, not on a terminal', () => {
  it('piped to a file: prefixed lines, the summary, and no escape code at all (NO_COLOR unset)', async () => {
    const project = makeProject(CONFIG);
    const file = path.join(project.dir, '..', 'out.txt');
    const fd = fs.openSync(file, 'w');
    const env: NodeJS.ProcessEnv = { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, TERM: 'xterm-256color' };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    delete env.GITHUB_ACTIONS;
    const result = spawnSync(process.execPath, [CLI, 'run'], { cwd: project.dir, env, stdio: ['ignore', fd, fd], timeout: 50_000 });
    fs.closeSync(fd);
    const text = fs.readFileSync(file, 'utf8');
    expect(result.status, text).toBe(1);
    expect(text).not.toContain('\x1b');
    expect(outputOf(text, 'fast')).toEqual(['hi-from-fast']);
    expect(outputOf(text, 'slow')).toEqual(['tick-from-slow', 'done-slow']);
    expect(text).toContain('[fail] :: failed in');
    expect(text).toMatch(/^JOB +STATUS/m);
  });

  it('FORCE_COLOR colours a pipe (GitHub Actions shows colours), --no-color wins over it, --color over NO_COLOR', async () => {
    const project = makeProject(CONFIG);
    const env = { FORCE_COLOR: '1', NO_COLOR: '', GITHUB_ACTIONS: '' };
    const forced = await project.cubicle(['run', 'fast'], { env });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/\x1b\[32mpassed\x1b\[0m/);
    expect(forced.stdout).toContain('hi-from-fast');
    const flagOff = await project.cubicle(['run', 'fast', '--no-color'], { env });
    expect(flagOff.stdout).toContain('passed');
    expect(flagOff.stdout).not.toContain('\x1b');
    const zero = await project.cubicle(['run', 'fast'], { env: { ...env, FORCE_COLOR: '0' } });
    expect(zero.stdout).not.toContain('\x1b');
    const flagOn = await project.cubicle(['run', 'fast', '--color'], { env: { NO_COLOR: '1', GITHUB_ACTIONS: '' } });
    expect(flagOn.stdout).toMatch(/\x1b\[32mpassed\x1b\[0m/);
  });

  it.skipIf(!HAVE_TMUX)('on a terminal: colours, none with NO_COLOR, none with --no-color over FORCE_COLOR', async () => {
    const project = makeProject(CONFIG);
    const runs = await Promise.all([
      inTerminal(project, 'run fast fail --junit /dev/null'),
      inTerminal(project, 'run fast fail --junit /dev/null', 120, 'NO_COLOR=1'),
      inTerminal(project, 'run fast fail --junit /dev/null --no-color', 120, 'FORCE_COLOR=3'),
    ]);
    const screens: string[] = [];
    for (const screen of runs) {
      expect(await waitFor(() => screen().includes('EXIT='), 30_000), screen()).toBe(true);
      screens.push(screen(true));
    }
    const [coloured, noColor, flagOff] = screens as [string, string, string];
    const red = /\x1b\[[0-9;]*31m/;
    expect(coloured).toMatch(red);
    for (const text of [noColor, flagOff]) {
      expect(text).toMatch(/fail\s+failed in/);
      expect(text).not.toMatch(/\x1b\[[0-9;]*3[0-7]m/);
    }
  });

  it('in GitHub Actions: one ::group:: per job, whole, with its status line after ::endgroup::', async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle(['run'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(result.exitCode, result.stderr).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('::group::')).sort()).toEqual(['::group::fail', '::group::fast', '::group::slow']);
    expect(lines.filter((line) => line === '::endgroup::')).toHaveLength(3);
    for (const job of ['slow', 'fast', 'fail']) {
      const start = lines.indexOf(`::group::${job}`);
      const end = lines.indexOf('::endgroup::', start);
      // The job's lines, inside a fence of cubicle's (src/report/fence.ts): stop-commands with a fresh token, resumed on it.
      const token = /^::stop-commands::([0-9a-f]{32})$/.exec(lines[start + 1]!)?.[1];
      expect(token, job).toBeDefined();
      expect(lines[end - 1], job).toBe(`::${token}::`);
      const group = lines.slice(start + 2, end - 1);
      expect(group.length, job).toBeGreaterThan(0);
      expect(
        group.every((line) => line.startsWith(`[${job}`)),
        `${job}: ${group.join(' | ')}`,
      ).toBe(true);
      expect(lines[end + 1], job).toMatch(new RegExp(`^\\[${job}\\s*\\] :: (passed|failed) in`));
    }
    expect(result.stdout).not.toContain('\x1b');
  });

  it("--quiet: the failed job's output and status, the summary, nothing of the passing jobs", async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle(['run', '--quiet']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).not.toContain('hi-from-fast');
    expect(result.stdout).not.toContain('tick-from-slow');
    expect(result.stdout).not.toContain('[slow] ::');
    expect(outputOf(result.stdout, 'fail')).toEqual(['boom-output', 'second-boom-line']);
    expect(result.stdout).toContain('[fail] :: failed in');
    expect(result.stdout).toMatch(/^fast +passed/m);
    const conflicting = await project.cubicle(['run', '--quiet', '--verbose']);
    expect(conflicting.exitCode).toBe(2);
  });
});
