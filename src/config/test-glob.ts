// The glob dialect of `testFiles:`, written out rather than borrowed: picomatch 4 reads `[!d]` as
// "d" (the shell reads it as "not d") and took a leading `!` for a file name. Each pattern is
// compiled here to a RegExp, and what the dialect does not support is refused with the reason.
//
//   *      any characters in one path segment, but not a leading dot (no hidden files)
//   **     as a whole segment: any number of segments, none of them hidden
//   ?      one character in a segment (not a leading dot)
//   [abc] [a-z] [!a-z] [^a-z]   one character in (or, with ! or ^, not in) the set
//   \x     x itself
//   !PAT   (a whole pattern) removes what the patterns before it matched, as in .gitignore
// Refused: an empty pattern, a lone `!`, an absolute path, `..`, braces {a,b}, extglobs @(a|b)
// !(a) +(a) *(a) ?(a), POSIX classes [[:alpha:]], an unclosed [, `**` inside a segment.

export interface TestGlob {
  readonly pattern: string;
  /** `!PAT`: removes earlier matches. */
  readonly exclude: boolean;
  /** The leading segments with no glob character: where to walk from ('' for the checkout). */
  readonly base: string;
  /** No glob character at all: a path, matched as is. */
  readonly literal: boolean;
  readonly regex: RegExp;
}

export class GlobProblem extends Error {}

/** Compiles one `testFiles` pattern; throws GlobProblem with why it cannot mean what it looks like. */
export function compileTestGlob(pattern: string): TestGlob {
  const exclude = pattern.startsWith('!');
  let body = exclude ? pattern.slice(1) : pattern;
  if (pattern.trim() === '') throw new GlobProblem('an empty pattern matches nothing; remove it');
  if (exclude && body === '') throw new GlobProblem('a lone "!" excludes nothing; write the files to exclude after it, like !tests/slow_*.py');
  if (body.startsWith('!')) throw new GlobProblem('"!!" is not a pattern: one leading "!" excludes, and "\\!" is a literal "!"');
  body = body.replace(/^(\.\/)+/, '');
  if (body.startsWith('/')) throw new GlobProblem('an absolute path is outside the checkout; test files are globs relative to it, like tests/**/test_*.py');
  const segments = body.split('/');
  if (segments.includes('..')) throw new GlobProblem('".." leaves the checkout; test files are globs relative to it, like tests/**/test_*.py');
  if (body === '' || segments.some((segment) => segment === '')) {
    throw new GlobProblem('an empty path segment (a trailing "/" or "//") names no file; to take a directory\'s files write DIR/**/*');
  }
  const parts: string[] = [];
  const baseSegments: string[] = [];
  let globbing = false;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      globbing = true;
      parts.push(last ? '(?:(?!\\.)[^/]+/)*(?!\\.)[^/]+' : '(?:(?!\\.)[^/]+/)*');
      return;
    }
    const compiled = compileSegment(segment);
    if (compiled.glob) globbing = true;
    else if (!globbing && !last) baseSegments.push(compiled.text);
    parts.push(compiled.regex + (last ? '' : '/'));
  });
  return { pattern, exclude, base: baseSegments.join('/'), literal: !globbing, regex: new RegExp(`^${parts.join('')}$`) };
}

const EXTGLOB = /[@!+*?]\(/;

function compileSegment(segment: string): { regex: string; glob: boolean; text: string } {
  if (segment.includes('**')) throw new GlobProblem('"**" matches whole path segments only, as in tests/**/test_*.py; inside a segment write "*"');
  if (EXTGLOB.test(segment)) throw new GlobProblem('extglobs like @(a|b) or !(a) are not supported; list each pattern, and exclude with a leading "!"');
  let regex = '';
  let text = '';
  let glob = false;
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    const atStart = i === 0;
    if (char === '\\') {
      const next = segment[i + 1];
      if (next === undefined) throw new GlobProblem('a trailing "\\" escapes nothing');
      regex += escapeRegex(next);
      text += next;
      i++;
    } else if (char === '{' || char === '}') {
      throw new GlobProblem('braces {a,b} are not supported; list each pattern instead (testFiles takes a list)');
    } else if (char === '*') {
      regex += `${atStart ? '(?!\\.)' : ''}[^/]*`;
      glob = true;
    } else if (char === '?') {
      regex += `${atStart ? '(?!\\.)' : ''}[^/]`;
      glob = true;
    } else if (char === '[') {
      const end = classEnd(segment, i);
      regex += `${atStart ? '(?!\\.)' : ''}${compileClass(segment.slice(i + 1, end))}`;
      glob = true;
      i = end;
    } else {
      regex += escapeRegex(char);
      text += char;
    }
  }
  return { regex, glob, text };
}

/** The index of the `]` closing the class opened at `open`; a `]` first in the class is a member. */
function classEnd(segment: string, open: number): number {
  let i = open + 1;
  if (segment[i] === '!' || segment[i] === '^') i++;
  if (segment[i] === ']') i++;
  for (; i < segment.length; i++) {
    if (segment[i] === '\\') i++;
    else if (segment[i] === ']') return i;
  }
  throw new GlobProblem('an unclosed "[" (a set of characters like [a-z] needs its "]"; "\\[" is a literal "[")');
}

function compileClass(inner: string): string {
  if (inner.startsWith('[:') || inner.includes('[:')) throw new GlobProblem('POSIX classes like [[:alpha:]] are not supported; write the set, like [a-zA-Z]');
  const negated = inner.startsWith('!') || inner.startsWith('^');
  const members = negated ? inner.slice(1) : inner;
  let out = '';
  for (let i = 0; i < members.length; i++) {
    const char = members[i]!;
    if (char === '\\' && i + 1 < members.length) out += `\\${members[++i]!}`.replace(/^\\([A-Za-z0-9])$/, '$1');
    else if (char === '-' && i > 0 && i < members.length - 1) out += '-';
    else out += /[\\\][^-]/.test(char) ? `\\${char}` : char;
  }
  return negated ? `[^/${out}]` : `[${out}]`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Why a list of patterns cannot mean what it looks like, one line each; [] when it can. */
export function testGlobProblems(patterns: readonly string[]): string[] {
  const problems: string[] = [];
  let included = false;
  for (const pattern of patterns) {
    try {
      const glob = compileTestGlob(pattern);
      if (glob.exclude && !included)
        problems.push(`"${pattern}": an exclusion removes files the patterns before it matched, and none comes before it; put it after them`);
      if (!glob.exclude) included = true;
    } catch (error) {
      if (!(error instanceof GlobProblem)) throw error;
      problems.push(`"${pattern}": ${error.message}`);
    }
  }
  return problems;
}

/** The files of `candidates` the patterns select, in order: each pattern adds its matches, a `!` one removes them. */
export function selectTestFiles(globs: readonly TestGlob[], candidates: Iterable<string>): Set<string> {
  const files = [...candidates];
  const selected = new Set<string>();
  for (const glob of globs) {
    for (const file of files) {
      if (!glob.regex.test(file)) continue;
      if (glob.exclude) selected.delete(file);
      else selected.add(file);
    }
  }
  return selected;
}
