// The testFiles dialect: what each pattern selects from a real checkout, and what is refused (exit 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { ConfigError } from '../core/errors.js';
import { findTestFiles } from '../plan/test-files.js';
import { compileTestGlob, testGlobProblems } from './test-glob.js';

const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-globs-'));
afterAll(() => fs.rmSync(checkout, { recursive: true, force: true }));
for (const file of [
  'tests/test_api.py',
  'tests/test_db.py',
  'tests/test_dates.py',
  'tests/slow/test_big.py',
  'tests/slow/test_huge.py',
  'tests/.hidden/test_secret.py',
  'tests/.test_dot.py',
  'node_modules/pkg/test_vendored.py',
  'misc/[x]/bracket.py',
  'src/app_test.py',
]) {
  fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
  fs.writeFileSync(path.join(checkout, file), '');
}

const find = (...patterns: string[]) => findTestFiles(checkout, patterns);

describe('testFiles globs', () => {
  it('[!d] and [^d] mean "not d", as in the shell', async () => {
    expect(await find('tests/test_[!d]*.py')).toEqual(['tests/test_api.py']);
    expect(await find('tests/test_[^d]*.py')).toEqual(['tests/test_api.py']);
    expect(await find('tests/test_[d]*.py')).toEqual(['tests/test_dates.py', 'tests/test_db.py']);
    expect(await find('tests/test_[a-c]*.py')).toEqual(['tests/test_api.py']);
  });

  it('a leading ! removes what the patterns before it matched; a later pattern adds back', async () => {
    expect(await find('tests/**/test_*.py', '!tests/slow/**')).toEqual(['tests/test_api.py', 'tests/test_dates.py', 'tests/test_db.py']);
    expect(await find('**/test_*.py', '!tests/slow/*', 'tests/slow/test_big.py')).toEqual([
      'tests/slow/test_big.py',
      'tests/test_api.py',
      'tests/test_dates.py',
      'tests/test_db.py',
    ]);
    expect(await find('**/*_test.py', '**/test_*.py', '!**/test_d*.py')).toEqual([
      'src/app_test.py',
      'tests/slow/test_big.py',
      'tests/slow/test_huge.py',
      'tests/test_api.py',
    ]);
  });

  it('* ? and ** skip hidden names and node_modules; a literal path and \\[ are taken as written', async () => {
    expect(await find('**/test_*.py')).toEqual([
      'tests/slow/test_big.py',
      'tests/slow/test_huge.py',
      'tests/test_api.py',
      'tests/test_dates.py',
      'tests/test_db.py',
    ]);
    expect(await find('tests/*')).not.toContain('tests/.test_dot.py');
    expect(await find('./tests/slow/test_?ig.py')).toEqual(['tests/slow/test_big.py']);
    expect(await find('misc/\\[x]/*.py')).toEqual(['misc/[x]/bracket.py']);
    expect(await find('tests/.hidden/test_secret.py')).toEqual(['tests/.hidden/test_secret.py']);
  });

  it('refuses patterns that cannot mean what they look like, naming the pattern and why', () => {
    const why = (pattern: string) => testGlobProblems([pattern])[0];
    expect(why('')).toMatch(/^"": an empty pattern/);
    expect(why('!')).toMatch(/^"!": a lone "!" excludes nothing/);
    expect(why('/abs/test_*.py')).toMatch(/an absolute path is outside the checkout/);
    expect(why('../other/*.py')).toMatch(/"\.\." leaves the checkout/);
    expect(why('tests/{a,b}/*.py')).toMatch(/braces \{a,b\} are not supported/);
    expect(why('tests/@(a|b).py')).toMatch(/extglobs/);
    expect(why('tests/!(slow).py')).toMatch(/extglobs/);
    expect(why('tests/[[:alpha:]].py')).toMatch(/POSIX classes/);
    expect(why('tests/[abc.py')).toMatch(/unclosed "\["/);
    expect(why('tests/a**.py')).toMatch(/whole path segments/);
    expect(why('tests/')).toMatch(/empty path segment/);
    expect(testGlobProblems(['!tests/slow/*'])).toEqual([
      '"!tests/slow/*": an exclusion removes files the patterns before it matched, and none comes before it; put it after them',
    ]);
    expect(testGlobProblems(['tests/**/test_*.py', '!tests/slow/*', 'src/[!a]*.py'])).toEqual([]);
    expect(compileTestGlob('tests/**/test_*.py').base).toBe('tests');
  });

  it('a refused pattern is a config error: exit 2 from `cubicle run`, with the job, the pattern and the reason', async () => {
    fs.writeFileSync(
      path.join(checkout, 'cubicle.config.yaml'),
      'jobs:\n  py:\n    run: pytest "$@"\n    testFiles: ["tests/**/test_*.py", "!", "tests/{a,b}.py"]\n',
    );
    const chunks: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => chunks.push(String(chunk)) > 0) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['run', '--config', path.join(checkout, 'cubicle.config.yaml')]);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(2);
    const stderr = chunks.join('');
    expect(stderr).toContain('2 problems');
    expect(stderr).toContain('jobs.py.testFiles: "!": a lone "!" excludes nothing');
    expect(stderr).toContain('jobs.py.testFiles: "tests/{a,b}.py": braces {a,b} are not supported');
    await expect(findTestFiles(checkout, ['!x'])).rejects.toBeInstanceOf(ConfigError);
  });
});
