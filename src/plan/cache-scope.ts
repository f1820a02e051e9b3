// Which `caches:` directories a run reads and writes: one set per trust scope, as GitHub's cache
// scoping does, so a run of an untrusted branch or pull request never writes what the default
// branch reads. `--cache-scope NAME`; by default "local", or the ref under GitHub Actions.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';

export const CACHE_SCOPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The scope a run takes without --cache-scope: its pull request's or ref's under GitHub Actions, else "local". */
export function defaultCacheScope(env: Readonly<Record<string, string | undefined>>): string {
  if (env.GITHUB_ACTIONS !== 'true') return 'local';
  // pull_request_target runs with the base's ref but may build the pull request's code: its own scope too.
  if ((env.GITHUB_EVENT_NAME ?? '').startsWith('pull_request')) return `pr-${pullRequestNumber(env) ?? scopePart(env.GITHUB_HEAD_REF ?? 'unknown')}`;
  return `ref-${scopePart(env.GITHUB_REF_NAME || env.GITHUB_REF || 'unknown')}`;
}

/** --cache-scope as given: a name of letters, digits, `.`, `_`, `-` (it names a directory of the store). */
export function checkCacheScope(scope: string): string {
  if (!CACHE_SCOPE.test(scope) || scope === '.' || scope === '..') {
    const expected = 'a name of letters, digits, ".", "_" and "-" (up to 100), like "local" or "pr-12"';
    throw new UsageError(`--cache-scope: expected ${expected}, got ${JSON.stringify(scope)}; nothing was run`);
  }
  return scope;
}

function pullRequestNumber(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const fromRef = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '');
  if (fromRef && env.GITHUB_EVENT_NAME === 'pull_request') return fromRef[1];
  try {
    const event = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as { pull_request?: { number?: unknown }; number?: unknown };
    const number = event.pull_request?.number ?? event.number;
    return Number.isInteger(number) ? String(number) : undefined;
  } catch {
    return undefined;
  }
}

/** A ref as part of a scope name; one that had to change keeps a hash of the original, so `a/b` and `a_b` stay apart. */
function scopePart(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return safe === text ? safe : `${safe}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
}
