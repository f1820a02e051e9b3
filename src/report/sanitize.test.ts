import { describe, expect, it } from 'vitest';
import { safeLines, safeMessage } from '../core/message.js';
import { sanitizeOutputLine } from './sanitize.js';

describe('job output on a terminal', () => {
  it('keeps colours, also 256-colour and RGB ones whose arguments hold an 8', () => {
    for (const line of ['plain', '\x1b[31mred\x1b[0m', '\x1b[1;38;5;8mgrey\x1b[m', '\x1b[48;2;8;8;8mbg\x1b[0m', '\tindented'])
      expect(sanitizeOutputLine(line)).toBe(line);
  });

  it('drops OSC (52, 8), other CSI, DCS/APC/PM/SOS, charsets, 8-bit C1 and conceal', () => {
    expect(sanitizeOutputLine('a\x1b]52;c;ZXZpbA==\x07b\x1b]8;;https://x\x1b\\c\x1b]0;title')).toBe('abc');
    expect(sanitizeOutputLine('\x1b[2J\x1b[H\x1b[5;1Hfake\x1b[?1049h\x1b[6n')).toBe('fake');
    expect(sanitizeOutputLine('x\x1bP+q544e\x1b\\y\x1b_apc\x1b\\z\x1b^pm\x1b\\\x1bXsos\x1b\\!')).toBe('xyz!');
    expect(sanitizeOutputLine('\x1b(0q\x1bc\x1b7\x1b8done\x1b')).toBe('qdone');
    expect(sanitizeOutputLine('a\u009b2Jb\u009d52;c;x\u0007c')).toBe('a2Jb52;c;xc');
    expect(sanitizeOutputLine('pw: \x1b[8mhunter2\x1b[0m \x1b[1;8;31mx')).toBe('pw: hunter2\x1b[0m \x1b[1;31mx');
  });

  it('shows what a terminal would: the text after the last \\r, no backspaces or bells', () => {
    expect(sanitizeOutputLine('10%\r50%\r100%')).toBe('100%');
    expect(sanitizeOutputLine('line\r')).toBe('line');
    expect(sanitizeOutputLine('[ok]\b\b\b\bbad\x07')).toBe('[ok]bad');
  });
});

describe('untrusted text in cubicle messages', () => {
  it('stays on one line, controls and invisible characters escaped, commands defused', () => {
    expect(safeMessage('a\nb\r\nc\u2028d\u0085e\u000bf')).toBe('a\\nb\\r\\nc\\u{2028}d\\u{85}e\\vf');
    expect(safeMessage('evil\u202etxt.exe\u200b')).toBe('evil\\u{202e}txt.exe\\u{200b}');
    expect(safeMessage('x ##[error]y')).toBe('x ##\\[error]y');
    expect(safeMessage('  ::add-mask::s')).toBe('  \\::add-mask::s');
    expect(safeMessage('\x1b]52;c;x\x07')).toBe('\\e]52;c;x\\u{7}');
  });

  it('a message of several lines: each line inert, lone \\r breaks it too', () => {
    expect(safeLines('one\n::error::two\rthree ##[group]x')).toBe('one\n\\::error::two\nthree ##\\[group]x');
  });
});
