// .dockerignore as Docker reads it (moby/patternmatcher): one pattern a line, `#` comments, a
// leading `/` dropped, `!` re-includes, the last pattern that matches wins, `*` and `?` stay
// within one path segment, `**` spans any number, and a pattern that matches a directory
// matches everything beneath it.
import path from 'node:path';

interface Pattern {
  readonly regex: RegExp;
  readonly exclusion: boolean;
  readonly text: string;
}

export interface IgnoreRules {
  /** True when `relative` (context-relative, '/'-separated) is left out of the build context. */
  ignores(relative: string): boolean;
  readonly patterns: readonly string[];
  /** A `!` pattern exists: an ignored dir must still be walked for files it brings back. */
  readonly hasExceptions: boolean;
}

export function parseDockerignore(text: string): IgnoreRules {
  const patterns: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    line = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (line === '' || line === '.') continue;
    patterns.push({ regex: compile(line), exclusion, text: raw.trim() });
  }
  return {
    patterns: patterns.map((pattern) => pattern.text),
    hasExceptions: patterns.some((pattern) => pattern.exclusion),
    ignores(relative) {
      const parents = parentsOf(relative);
      let ignored = false;
      for (const pattern of patterns) {
        if (parents.some((candidate) => pattern.regex.test(candidate))) ignored = !pattern.exclusion;
      }
      return ignored;
    },
  };
}

/** `a/b/c` -> [a/b/c, a/b, a]: a pattern matching a parent dir matches the file. */
function parentsOf(relative: string): string[] {
  const parts = relative.split('/');
  return parts.map((_, index) => parts.slice(0, parts.length - index).join('/'));
}

function compile(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      index += 1;
      // `**/` matches zero or more whole segments; a trailing `**` matches everything
      if (pattern[index + 1] === '/') {
        index += 1;
        source += '(?:.*/)?';
      } else source += '.*';
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', index + 1);
      if (end < 0) source += '\\[';
      else {
        const body = pattern.slice(index + 1, end).replace(/\\/g, '\\\\');
        source += `[${body.startsWith('^') || body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        index = end;
      }
    } else if (char === '\\' && index + 1 < pattern.length) {
      index += 1;
      source += escapeRegex(pattern[index]!);
    } else source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegex(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}
