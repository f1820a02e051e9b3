import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { checkCacheScope, defaultCacheScope } from './cache-scope.js';

describe('cache scopes', () => {
  it('is local outside GitHub Actions, and the ref or pull request inside', () => {
    expect(defaultCacheScope({})).toBe('local');
    expect(defaultCacheScope({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'main' })).toBe('ref-main');
    expect(defaultCacheScope({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/42/merge' })).toBe('pr-42');
  });

  it('keeps refs that had to change apart, and reads a pull_request_target number from the event', () => {
    const slash = defaultCacheScope({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'feat/x' });
    const underscore = defaultCacheScope({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'feat_x' });
    expect(slash).toMatch(/^ref-feat_x-[0-9a-f]{8}$/);
    expect(underscore).toBe('ref-feat_x');
    const event = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-scope-')), 'event.json');
    fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
    expect(
      defaultCacheScope({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: event }),
    ).toBe('pr-7');
    for (const scope of [slash, underscore, 'pr-7', 'local']) expect(checkCacheScope(scope)).toBe(scope);
  });

  it('refuses a scope that is not one directory name', () => {
    for (const scope of ['', '.', '..', '../x', 'a/b', '-x', 'x'.repeat(101), 'a\0b']) expect(() => checkCacheScope(scope)).toThrow(UsageError);
  });
});
