import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveRegion, visibleText } from './live.js';

function fakeTerminal(columns = 40, rows = 10) {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns, rows });
  let written = '';
  stream.on('data', (chunk) => (written += String(chunk)));
  return { stream, written: () => written };
}

describe('LiveRegion', () => {
  it('writes permanent lines above the live ones, and moves up over exactly the live lines to redraw them', () => {
    const terminal = fakeTerminal();
    const region = new LiveRegion(terminal.stream);
    region.draw(['a running', 'b running']);
    region.draw(['b running'], 'a passed\n');
    region.close();
    const erase = (height: number) => `\r\x1b[${height}A${'\x1b[2K\x1b[B'.repeat(height)}\x1b[${height}A`;
    expect(terminal.written()).toBe(`\x1b[?25la running\nb running\n${erase(2)}a passed\nb running\n${erase(1)}\x1b[?25h`);
  });

  it('keeps its lines one column narrower than the terminal, and below its top', () => {
    const region = new LiveRegion(fakeTerminal(50, 12).stream);
    expect(region.width).toBe(49);
    expect(region.maxLines).toBe(10);
  });
});

describe('the text of a live line', () => {
  it('is what a terminal would show of a line of output: after its last \\r, without escapes or controls', () => {
    expect(visibleText('\x1b[32m✓\x1b[0m 12 tests\x07')).toBe('✓ 12 tests');
    expect(visibleText('downloading  10%\rdownloading  55%\rdownloading 100%')).toBe('downloading 100%');
    expect(visibleText('\x1b]0;title\x07a\tb')).toBe('a b');
  });
});
