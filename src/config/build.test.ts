// `build:` on a job: the short and long forms, paths beneath the checkout, exactly one of image/build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { resolveConfig } from './resolve.js';

function problemsOf(raw: unknown, projectDir = '/project'): readonly string[] {
  try {
    resolveConfig({ raw, source: path.join(projectDir, 'cubicle.config.yaml') });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('build:', () => {
  it('`build: .` is the checkout with its Dockerfile, and needs no run (the image CMD)', () => {
    const { jobs } = resolveConfig({ raw: { jobs: { test: { build: '.' } } }, source: '/project/cubicle.config.yaml' });
    expect(jobs[0]!.build).toEqual({ context: '/project', dockerfile: '/project/Dockerfile', target: null, args: {} });
    expect(jobs[0]!.image).toBe('dockerfile:Dockerfile');
    expect(jobs[0]!.command).toEqual([]);
  });

  it('the long form: context, dockerfile relative to it, target, args as strings', () => {
    const raw = { jobs: { test: { build: { context: 'app', dockerfile: 'docker/Test.Dockerfile', target: 'test', args: { V: 22, X: true } }, run: 'make' } } };
    const { jobs } = resolveConfig({ raw, source: '/project/cubicle.config.yaml' });
    expect(jobs[0]!.build).toEqual({
      context: '/project/app',
      dockerfile: '/project/app/docker/Test.Dockerfile',
      target: 'test',
      args: { V: '22', X: 'true' },
    });
  });

  it('refuses both image and build, and a path out of the checkout', () => {
    expect(problemsOf({ jobs: { test: { build: '.', image: 'node:22' } } }).join('\n')).toContain('either `image` or `build`, not both');
    expect(problemsOf({ jobs: { test: { build: '..' } } }).join('\n')).toContain('jobs.test.build: / is outside the checkout /project');
    expect(problemsOf({ jobs: { test: { build: { dockerfile: '../../etc/Dockerfile' } } } }).join('\n')).toContain('jobs.test.build.dockerfile');
    expect(problemsOf({ jobs: { test: { build: { context: '.', network: 'host' } } } }).join('\n')).toContain('network');
  });

  it('refuses a context that leaves the checkout through a symlink', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-build-'));
    try {
      fs.symlinkSync('/etc', path.join(project, 'out'));
      expect(problemsOf({ jobs: { test: { build: 'out' } } }, project).join('\n')).toContain('jobs.test.build: out');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
