import { describe, expect, it } from 'vitest';
import { isGithubActions, LogGroups } from './github.js';

function groups(heldBytes?: number) {
  let log = '';
  const logGroups = new LogGroups((text) => (log += text), heldBytes);
  return { logGroups, log: () => log.split('\n').filter(Boolean) };
}

describe('GitHub Actions log groups', () => {
  it('are on only under GITHUB_ACTIONS=true', () => {
    expect(isGithubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(isGithubActions({ GITHUB_ACTIONS: '' })).toBe(false);
    expect(isGithubActions({})).toBe(false);
  });

  it("stream the first job's group live, hold the others' lines, and never put two jobs in one group", () => {
    const { logGroups, log } = groups();
    logGroups.line('a', 'a1');
    logGroups.line('b', 'b1');
    logGroups.line('a', 'a2');
    logGroups.line('c', 'c1');
    logGroups.end('c', 'c passed');
    expect(log()).toEqual(['::group::a', 'a1', 'a2']);
    logGroups.line('b', 'b2');
    logGroups.end('a', 'a failed');
    // b (still running) had its first line before c: it becomes the open group, and c waits for it.
    expect(log()).toEqual(['::group::a', 'a1', 'a2', '::endgroup::', 'a failed', '::group::b', 'b1', 'b2']);
    logGroups.line('b', 'b3');
    logGroups.end('b', 'b passed');
    expect(log().slice(8)).toEqual(['b3', '::endgroup::', 'b passed', '::group::c', 'c1', '::endgroup::', 'c passed']);
  });

  it('give a job without output its status line alone, in its turn', () => {
    const { logGroups, log } = groups();
    logGroups.line('a', 'a1');
    logGroups.end('quiet', 'quiet passed');
    expect(log()).toEqual(['::group::a', 'a1']);
    logGroups.end('a', 'a passed');
    expect(log()).toEqual(['::group::a', 'a1', '::endgroup::', 'a passed', 'quiet passed']);
  });

  it('close what is open and write what is held when the run ends', () => {
    const { logGroups, log } = groups();
    logGroups.line('a', 'a1');
    logGroups.line('b', 'b1');
    logGroups.finish();
    expect(log()).toEqual(['::group::a', 'a1', '::endgroup::', '::group::b', 'b1', '::endgroup::']);
  });

  it('keep the newest lines of a held job when it prints more than they may hold, and say so', () => {
    const { logGroups, log } = groups(100);
    logGroups.line('a', 'a1');
    for (let index = 0; index < 50; index++) logGroups.line('b', `line ${index}`);
    logGroups.end('b', 'b failed');
    logGroups.end('a', 'a passed');
    const held = log().slice(log().indexOf('::group::b') + 1, log().lastIndexOf('::endgroup::'));
    expect(held[0]).toMatch(/^\(\d+ earlier lines left out of this log/);
    expect(held.at(-1)).toBe('line 49');
    expect(held.join('\n').length).toBeLessThan(200);
  });
});
