// .dockerignore cases from moby/patternmatcher's tests: last match wins, ** and parent dirs.
import { describe, expect, it } from 'vitest';
import { parseDockerignore } from './dockerignore.js';

describe('parseDockerignore', () => {
  const rules = parseDockerignore(['# a comment', 'node_modules', '*.log', '!keep.log', '/build/', 'docs/**/*.md', '**/secret?.txt', 'tmp[0-9]'].join('\n'));

  it.each([
    ['node_modules', true],
    ['node_modules/a/b.js', true],
    ['app.log', true],
    ['keep.log', false],
    ['sub/app.log', false],
    ['build/out.o', true],
    ['docs/a.md', true],
    ['docs/x/y/a.md', true],
    ['docs/a.txt', false],
    ['secret1.txt', true],
    ['deep/er/secretA.txt', true],
    ['secret10.txt', false],
    ['tmp3', true],
    ['tmpx', false],
    ['src/main.ts', false],
  ])('%s ignored: %s', (file, ignored) => {
    expect(rules.ignores(file)).toBe(ignored);
  });

  it('an exception after a dir pattern re-includes a file in it', () => {
    const dir = parseDockerignore('dist\n!dist/keep.js\n');
    expect(dir.ignores('dist/other.js')).toBe(true);
    expect(dir.ignores('dist/keep.js')).toBe(false);
  });

  it('** alone ignores everything, and ! brings one file back', () => {
    const all = parseDockerignore('**\n!Dockerfile\n');
    expect(all.ignores('a/b')).toBe(true);
    expect(all.ignores('Dockerfile')).toBe(false);
  });
});
