// Docker's word processing, case by case as buildkit's lex tests state it.
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords, SubstitutionError } from './words.js';

const vars = new Map([
  ['A', 'one'],
  ['EMPTY', ''],
  ['SPACED', 'x y'],
]);

describe('expandWord', () => {
  it.each([
    ['$A', 'one'],
    ['${A}', 'one'],
    ['pre${A}post', 'preonepost'],
    ['$UNSET', ''],
    ['${UNSET:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${UNSET-dflt}', 'dflt'],
    ['${A:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET:-${A}x}', 'onex'],
    ["'$A'", '$A'],
    ['"$A b"', 'one b'],
    ['\\$A', '$A'],
    ['"a\\"b"', 'a"b'],
    ['a\\ b', 'a b'],
    ['cost $', 'cost $'],
  ])('%s -> %s', (text, expected) => {
    expect(expandWord(text, vars)).toBe(expected);
  });

  it('a custom escape character (# escape=`)', () => {
    expect(expandWord('C:`$A', vars, '`')).toBe('C:$A');
  });

  it('refuses what Docker refuses', () => {
    expect(() => expandWord('${A', vars)).toThrow(SubstitutionError);
    expect(() => expandWord('"open', vars)).toThrow(SubstitutionError);
    expect(() => expandWord('${UNSET:?must be set}', vars)).toThrow('UNSET: must be set');
    expect(() => expandWord('${A/x/y}', vars)).toThrow(SubstitutionError);
  });
});

describe('expandWords', () => {
  it('splits on whitespace outside quotes, after substitution of the quoted words', () => {
    expect(expandWords('a "$SPACED" $A  /dest/', vars)).toEqual(['a', 'x y', 'one', '/dest/']);
  });
  it('drops an unquoted word that expands to nothing, keeps a quoted empty one', () => {
    expect(expandWords('$UNSET a ""', vars)).toEqual(['a', '']);
  });
});
