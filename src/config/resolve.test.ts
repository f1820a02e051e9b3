import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { resolveConfig } from './resolve.js';

function problemsOf(raw: unknown, extra: Partial<Parameters<typeof resolveConfig>[0]> = {}): readonly string[] {
  try {
    resolveConfig({ raw, source: '/project/cubicle.config.yaml', ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('resolves a job with defaults, flags and the job overriding in that order', () => {
    const config = resolveConfig({
      raw: {
        defaults: { memory: '1g', timeout: '10m', env: { A: 'default' } },
        jobs: { unit: { run: 'npm test', env: { B: 2 }, timeout: '30s' }, lint: { run: ['eslint', '.'], network: 'host' } },
      },
      source: '/project/cubicle.config.yaml',
      flags: { memory: '256m', timeout: '5m' },
    });
    expect(config.projectDir).toBe('/project');
    const [unit, lint] = config.jobs;
    expect(unit!.command).toEqual(['/bin/sh', '-c', 'npm test']);
    expect(unit!.env).toEqual({ A: 'default', B: '2' });
    expect(unit!.limits).toEqual({ memoryBytes: 256 * 1024 ** 2, timeoutMs: 30_000 });
    expect(unit!.network).toBe('none');
    expect(lint!.command).toEqual(['eslint', '.']);
    expect(lint!.limits.timeoutMs).toBe(300_000);
    expect(lint!.network).toBe('host');
    expect(Object.isFrozen(unit)).toBe(true);
  });

  it('names the path and the bad value of each problem, all at once', () => {
    const problems = problemsOf({ jobs: { unit: { run: 'x', memory: 'lots', timeout: 'soon', cpus: 'many', memroy: '1g' } } });
    expect(problems).toContain('jobs.unit.memory: expected a size like 512m or 2g, got "lots"');
    expect(problems).toContain('jobs.unit.timeout: expected a duration like 90s, 10m or 1h, got "soon"');
    expect(problems).toContain('jobs.unit.cpus: expected a number of CPUs from 0.01 up, like 2 or 0.5, got "many"');
    expect(problems).toContain('jobs.unit: unknown key "memroy" (did you mean "memory"?)');
  });

  it('requires run', () => {
    expect(problemsOf({ jobs: { unit: { env: {} } } })).toEqual(['jobs.unit.run: missing: every job needs a `run` command, or a `preset` that gives one']);
  });

  it('rejects unknown jobs asked for, unknown needs and cycles', () => {
    expect(problemsOf({ jobs: { unit: { run: 'x' } } }, { selected: ['e2e'] })).toEqual(['unknown job "e2e": the config defines "unit"']);
    expect(problemsOf({ jobs: { a: { run: 'x', needs: ['b'] }, b: { run: 'x', needs: ['a'] } } })).toEqual(['jobs.a.needs: a cycle: a -> b -> a']);
    expect(problemsOf({ jobs: { a: { run: 'x', needs: ['ghost'] } } })).toEqual([`jobs.a.needs: unknown job "ghost"; the config defines "a"`]);
  });

  it('refuses a preset it does not have, naming the ones it has (presets.test.ts covers the rest)', () => {
    expect(problemsOf({ jobs: { unit: { preset: 'nod' } } })).toEqual([
      'jobs.unit.preset: unknown preset "nod": the presets are "go", "make", "node", "python"',
    ]);
  });

  it('resolves setup steps (a network of their own with a way out by default, as in docker build) and caches', () => {
    const config = resolveConfig({
      raw: {
        jobs: {
          unit: {
            run: 'npm test',
            setup: [
              { run: 'npm ci', inputs: ['package*.json'] },
              { run: 'make', network: 'none', env: { N: 1 } },
            ],
            caches: ['~/.npm'],
          },
        },
      },
      source: '/p/cubicle.config.yaml',
    });
    expect(config.jobs[0]!.setup).toEqual([
      { run: 'npm ci', inputs: ['package*.json'], env: {}, network: 'outbound' },
      { run: 'make', inputs: [], env: { N: '1' }, network: 'none' },
    ]);
    expect(config.jobs[0]!.caches).toEqual(['~/.npm']);
    expect(problemsOf({ jobs: { unit: { run: 'x', caches: ['relative/dir'] } } })[0]).toMatch(
      /^jobs\.unit\.caches\.0: expected an absolute path or one under ~\//,
    );
  });

  it('checks flags as strictly as the file', () => {
    expect(problemsOf({ jobs: { unit: { run: 'x' } } }, { flags: { memory: 'huge' } })).toEqual(['--memory: expected a size like 512m or 2g, got "huge"']);
  });

  it('rejects an empty job list and bad job names', () => {
    expect(problemsOf({ jobs: {} })).toEqual(['jobs: no jobs: add at least one job under `jobs:`']);
    expect(problemsOf({ jobs: { 'bad name': { run: 'x' } } })[0]).toMatch(/^jobs\.bad name: a job name must be/);
  });
});
