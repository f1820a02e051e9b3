// Typos get the nearest name wherever they are made: config keys at every level, needs, commands, flags.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { main } from '../cli/main.js';
import { closest } from './did-you-mean.js';
import { resolveConfig } from './resolve.js';

function configError(raw: unknown): ConfigError {
  try {
    resolveConfig({ raw, source: '/project/cubicle.config.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

async function stderrOf(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => chunks.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stderr: chunks.join('') };
  } finally {
    process.stderr.write = write;
  }
}

describe('did you mean', () => {
  it('suggests within a few edits, a swap counting as one', () => {
    expect(closest('rnu', ['run', 'exec', 'doctor'])).toBe('run');
    expect(closest('paralel', ['parallel', 'pull'])).toBe('parallel');
    expect(closest('zzzzzz', ['run', 'exec'])).toBeUndefined();
  });

  it('names the nearest key of setup steps, services and health checks, one problem per key, counted in the header', () => {
    const error = configError({
      jobs: {
        unit: {
          run: 'x',
          setup: [{ run: 'npm ci', input: ['package.json'] }],
          services: { db: { run: 'postgres', helth: { command: 'true' }, nedds: [] }, cache: { run: 'redis', health: { command: 'true', retires: 3 } } },
        },
      },
    });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'jobs.unit.setup.0: unknown key "input" (did you mean "inputs"?)',
        'jobs.unit.services.db: unknown key "helth" (did you mean "health"?)',
        'jobs.unit.services.db: unknown key "nedds" (did you mean "needs"?)',
        'jobs.unit.services.cache.health: unknown key "retires" (did you mean "retries"?)',
      ]),
    );
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/^4 problems in \/project\/cubicle.config.yaml/);
    expect(error.message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(4);
  });

  it('names the nearest job or service a `needs` entry misspells', () => {
    const error = configError({
      jobs: {
        build: { run: 'x' },
        unit: { run: 'x', needs: ['biuld'], services: { db: { run: 'x' }, app: { run: 'x', needs: ['bd'] } } },
      },
    });
    expect(error.problems).toContain('jobs.unit.needs: unknown job "biuld" (did you mean "build"?); the config defines "build", "unit"');
    expect(error.problems).toContain('jobs.unit.services.app.needs: unknown service "bd" (did you mean "db"?)');
  });

  it('names the nearest command and flag: a usage error, exit 2, nothing run', async () => {
    const command = await stderrOf(['rnu']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "rnu" (did you mean "run"?); nothing was run');
    const flag = await stderrOf(['run', '--paralel', '2', '--config', '/nonexistent/cubicle.yaml']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --paralel (did you mean --parallel?); nothing was run');
    const alias = await stderrOf(['exec', '--networ', 'host', '--', 'true']);
    expect(alias.stderr).toContain('unknown option --networ (did you mean --network?)');
    const topLevel = await stderrOf(['--verison']);
    expect(topLevel.code).toBe(2);
    expect(topLevel.stderr).toContain('unknown option --verison (did you mean --version?)');
  });
});
