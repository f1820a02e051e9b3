import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedJob } from '../config/resolve.js';
import { notRunResult } from '../run/job.js';
import type { JobResult, JobStatus } from '../run/result.js';
import type { RunSummary } from '../run/events.js';
import { TerminalReporter, verbosityFrom, type TerminalOptions } from './terminal.js';

const MiB = 1024 * 1024;

function jobs(): ResolvedJob[] {
  return [
    ...resolveConfig({
      raw: {
        jobs: {
          unit: { run: 'npm test', memory: '512m', setup: [{ run: 'npm ci' }, { run: 'npm run build' }] },
          lint: { run: 'npm run lint' },
        },
      },
      source: '/project/cubicle.config.yaml',
    }).jobs,
  ];
}

function result(job: ResolvedJob, status: JobStatus, overrides: Partial<JobResult> = {}): JobResult {
  return {
    ...notRunResult(job, 'skipped', '', true),
    status,
    exitCode: status === 'passed' ? 0 : 1,
    wallMs: 1500,
    peakMemoryBytes: 40 * MiB,
    message: status === 'passed' ? null : 'exited with 1',
    ...overrides,
  };
}

function terminal(options: TerminalOptions & { tty?: boolean } = {}) {
  const stream = Object.assign(new PassThrough(), options.tty ? { isTTY: true, columns: 100, rows: 30 } : {});
  let written = '';
  stream.on('data', (chunk) => (written += String(chunk)));
  const reporter = new TerminalReporter(stream, { env: {}, ...options });
  return { reporter, written: () => written };
}

/** A run of two jobs: unit passes (1 of 2 setup steps cached), lint fails. */
function playRun(reporter: TerminalReporter): RunSummary {
  const [unit, lint] = jobs();
  reporter.onRunStart([unit!, lint!]);
  reporter.onJobStart(unit!, 1);
  reporter.onJobStart(lint!, 1);
  reporter.onJobLine(unit!, 'stdout', '[setup 1/2] cached: npm ci');
  reporter.onJobLine(unit!, 'stdout', 'unit says hi');
  reporter.onJobLine(lint!, 'stderr', 'lint error: semicolon');
  const results = [
    result(unit!, 'passed', { cacheHits: 1, outputTail: '[setup 1/2] cached: npm ci\nunit says hi' }),
    result(lint!, 'failed', { outputTail: 'lint error: semicolon' }),
  ];
  reporter.onJobEnd(results[1]!);
  reporter.onJobEnd(results[0]!);
  const summary: RunSummary = { results, startedAt: new Date().toISOString(), wallMs: 2000, limitsEnforced: true };
  reporter.onRunEnd(summary);
  return summary;
}

describe('the terminal view, not on a TTY', () => {
  it("prints each job's lines prefixed, a status line per job, and a summary with memory against the limit and cache hits; no control codes", () => {
    const { reporter, written } = terminal();
    playRun(reporter);
    const text = written();
    expect(text).not.toContain('\x1b');
    expect(text).toContain('[unit] [setup 1/2] cached: npm ci\n[unit] unit says hi\n[lint] lint error: semicolon\n');
    expect(text).toContain('[lint] :: failed in 1.5s: exited with 1\n');
    expect(text).toMatch(/^JOB +STATUS +DURATION +EXIT +PEAK MEM \/ LIMIT +CPU +CACHE HITS$/m);
    expect(text).toMatch(/^unit +passed +1\.5s +0 +40 MiB \/ 512 MiB +0ms +1\/2$/m);
    expect(text).toMatch(/^lint +failed +1\.5s +1 +40 MiB +0ms +-$/m);
    expect(text).toContain('2 jobs in 2.0s: 1 passed, 1 failed\n');
  });

  it('--quiet: only what failed (its output, at its end) and the summary', () => {
    const { reporter, written } = terminal({ verbosity: 'quiet' });
    playRun(reporter);
    const text = written();
    expect(text).not.toContain('unit says hi');
    expect(text).not.toContain('[unit] ::');
    expect(text).toContain('[lint] lint error: semicolon\n[lint] :: failed in 1.5s: exited with 1\n');
    expect(text).toMatch(/^unit +passed/m);
  });

  it("--verbose: also each job's image and limits when it starts", () => {
    const { reporter, written } = terminal({ verbosity: 'verbose' });
    playRun(reporter);
    expect(written()).toContain('[unit] :: image host, network none, 2 setup steps; limits: memory 512 MiB\n');
    expect(written()).toContain('[lint] :: image host, network none; limits: none\n');
  });

  it("in GitHub Actions: one log group per job, its status line after the group, each group's lines in a fence of its own", () => {
    const { reporter, written } = terminal({ env: { GITHUB_ACTIONS: 'true' } });
    playRun(reporter);
    const lines = written().split('\n');
    const tokens = lines.flatMap((line) => /^::stop-commands::([0-9a-f]{32})$/.exec(line)?.[1] ?? []);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
    expect(lines.slice(0, 13)).toEqual([
      '::group::unit',
      `::stop-commands::${tokens[0]}`,
      '[unit] [setup 1/2] cached: npm ci',
      '[unit] unit says hi',
      `::${tokens[0]}::`,
      '::endgroup::',
      '[unit] :: passed in 1.5s',
      '::group::lint',
      `::stop-commands::${tokens[1]}`,
      '[lint] lint error: semicolon',
      `::${tokens[1]}::`,
      '::endgroup::',
      '[lint] :: failed in 1.5s: exited with 1',
    ]);
  });

  it('keeps only colours of job output, and untrusted text in its own lines on one inert line', () => {
    const { reporter, written } = terminal({ env: { GITHUB_ACTIONS: 'true' } });
    const [unit] = jobs();
    reporter.onRunStart([unit!]);
    reporter.onJobStart(unit!, 1);
    reporter.onJobLine(unit!, 'stdout', '\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[8mhidden\x1b[m fake\r::add-mask::x');
    reporter.onJobEnd(result(unit!, 'failed', { message: 'health check said:\n::error::forged ##[error]x\u202e' }));
    reporter.onRunEnd({ results: [], startedAt: '', wallMs: 1, limitsEnforced: true });
    const text = written();
    expect(text).toContain('[unit] ::add-mask::x\n');
    expect(text).not.toContain('red');
    expect(text).toContain(': health check said:\\n::error::forged ##\\[error]x\\u{202e}\n');
  });

  it('reads its verbosity from CUBICLE_OUTPUT when not told', () => {
    expect(verbosityFrom('quiet')).toBe('quiet');
    expect(verbosityFrom('verbose')).toBe('verbose');
    expect(verbosityFrom(undefined)).toBe('normal');
    expect(verbosityFrom('loud')).toBe('normal');
    const { reporter, written } = terminal({ env: { CUBICLE_OUTPUT: 'quiet' } });
    playRun(reporter);
    expect(written()).not.toContain('unit says hi');
  });
});

describe('the terminal view on a TTY', () => {
  it('keeps running jobs on live lines, leaves a line per finished job, then the failed output in full and the summary', () => {
    const { reporter, written } = terminal({ tty: true, env: { NO_COLOR: '1' } });
    playRun(reporter);
    const text = written();
    // Setup and output lines were only ever live: the passing job's output is not in the scrollback.
    expect(text).not.toContain('[unit]');
    expect(text).toContain('✗ lint  failed in 1.5s, peak 40 MiB: exited with 1\n');
    expect(text).toContain('✓ unit  passed in 1.5s, peak 40 MiB / 512 MiB\n');
    expect(text).toContain('── lint: failed: exited with 1\nlint error: semicolon\n');
    expect(text.indexOf('── lint')).toBeLessThan(text.indexOf('JOB '));
    // NO_COLOR: cursor movement, never a color.
    expect(text).not.toMatch(/\x1b\[\d+(;\d+)*m/);
    expect(text).toContain('\x1b[2K');
  });

  it("shows a running job's elapsed time, memory against its limit (the run's reading) and its latest line", () => {
    const { reporter, written } = terminal({ tty: true, env: { NO_COLOR: '1' }, refreshMs: 60_000 });
    const [unit, lint] = jobs();
    reporter.onRunStart([unit!, lint!]);
    reporter.onJobStart(unit!, 1);
    reporter.onJobSandbox(unit!, 1, { memoryBytes: () => 100 * MiB });
    reporter.onJobLine(unit!, 'stdout', '\x1b[1m[setup 2/2] running: npm run build\x1b[0m');
    reporter.onJobLine(lint!, 'stdout', 'not started: no live line');
    reporter.onJobEnd(result(lint!, 'skipped', { message: 'needs failed' }));
    const lines = written().split('\n');
    const live = lines.filter((line) => line.includes('unit  running'));
    expect(live.at(-1)).toMatch(/unit  running +[\d.]+m?s  mem 100 MiB \/ 512 MiB  \[setup 2\/2\] running: npm run build$/);
    expect(lines.at(-2)).toBe(`  1 running, 1 done · ${lines.at(-2)!.split(' · ')[1]}`);
    reporter.onRunEnd({ results: [], startedAt: '', wallMs: 1, limitsEnforced: true });
  });
});
