// Terminal widths the live view counts with: each case checked against what tmux 3.3 draws
// (its cursor column after printing it), taking the wider where terminals disagree.
import { describe, expect, it } from 'vitest';
import { fitWidth, stripAnsi, textWidth } from './width.js';

describe('textWidth', () => {
  it('counts ASCII one column each, and CJK (wide, fullwidth) two', () => {
    expect(textWidth('hello world')).toBe(11);
    expect(textWidth('日本語')).toBe(6);
    expect(textWidth('한국어')).toBe(6);
    expect(textWidth('ＡＢ')).toBe(4);
    expect(textWidth('ｱｲ')).toBe(2); // halfwidth katakana
  });

  it('counts emoji two columns, the ones below U+1F300 too (✅ ❌ ⏳), and text symbols one (✓ ✗ …)', () => {
    expect(textWidth('✅')).toBe(2);
    expect(textWidth('❌')).toBe(2);
    expect(textWidth('⏳')).toBe(2);
    expect(textWidth('✅ 12 passed ❌ 1 failed')).toBe(24);
    expect(textWidth('🚀')).toBe(2);
    expect(textWidth('✓ ✗ …')).toBe(5);
  });

  it('counts an emoji presentation (VS16) two, a text presentation one', () => {
    expect(textWidth('❤️')).toBe(2);
    expect(textWidth('⚠️ warn')).toBe(7);
    expect(textWidth('⚠ warn')).toBe(6);
  });

  it('counts a ZWJ sequence or a skin tone as its parts (the widest any terminal draws them), a flag two', () => {
    expect(textWidth('👨‍👩‍👧')).toBe(6);
    expect(textWidth('👍🏽')).toBe(4);
    expect(textWidth('🇩🇪')).toBe(2);
  });

  it('counts combining marks, zero-width joiners and spaces nothing', () => {
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('Z\u0351\u0352\u0353algo')).toBe(5);
    expect(textWidth('a\u200bb\u200dc')).toBe(3);
    expect(textWidth('\u0915\u094d\u0937')).toBe(2); // क्ष: virama is a mark
  });

  it('counts escape sequences nothing: colours, OSC 8 links', () => {
    expect(textWidth('\x1b[31m✅ red\x1b[0m')).toBe(6);
    expect(textWidth('\x1b]8;;https://example.com\x07link\x1b]8;;\x07')).toBe(4);
    expect(stripAnsi('\x1b[1;32mok\x1b[0m')).toBe('ok');
  });
});

describe('fitWidth', () => {
  it('cuts to the columns left, with …, never splitting a wide character or a grapheme', () => {
    expect(fitWidth('short', 10)).toBe('short');
    expect(fitWidth('exactly-10', 10)).toBe('exactly-10');
    expect(fitWidth('a bit too long', 10)).toBe('a bit too…');
    expect(fitWidth('日本語テキスト', 7)).toBe('日本語…');
    expect(fitWidth('✅✅✅✅✅✅', 6)).toBe('✅✅…');
    expect(fitWidth('e\u0301e\u0301e\u0301e\u0301', 3)).toBe('e\u0301e\u0301…');
    expect(fitWidth('👨‍👩‍👧 family', 8)).toBe('👨‍👩‍👧 …');
    for (const text of ['✅ ok ❌ no 日本 👍🏽 ❤️ e\u0301', '字'.repeat(50), '✅'.repeat(40)]) {
      for (let width = 1; width < 30; width++) expect(textWidth(fitWidth(text, width))).toBeLessThanOrEqual(width);
    }
  });
});
