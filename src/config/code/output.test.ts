import { describe, expect, it } from 'vitest';
import { LineTail, PayloadReader } from './output.js';

const markers = { start: 'start-abc', end: 'end-abc' };

function read(lines: readonly string[], limitBytes?: number) {
  const reader = new PayloadReader(markers, limitBytes);
  for (const line of lines) reader.push(line);
  return reader.payload();
}

describe('PayloadReader', () => {
  it('joins the lines between the markers and drops everything else', () => {
    expect(read(['noise', 'start-abc', '{"config":', '{"a":1}}', 'end-abc', 'more noise'])).toEqual({ kind: 'json', text: '{"config":{"a":1}}' });
  });

  it('takes the last complete block; an unterminated one after it does not count', () => {
    expect(read(['start-abc', '"first"', 'end-abc', 'start-abc', '"second"', 'end-abc', 'start-abc', '"cut'])).toEqual({ kind: 'json', text: '"second"' });
  });

  it('ignores markers it was not given, and an end with no start', () => {
    expect(read(['start-xyz', '"fake"', 'end-xyz', 'end-abc'])).toEqual({ kind: 'missing' });
  });

  it('refuses a block over the cap without keeping it', () => {
    expect(read(['start-abc', 'x'.repeat(600), 'x'.repeat(600), 'end-abc'], 1000)).toEqual({ kind: 'too-big', limitBytes: 1000 });
    expect(read(['start-abc', 'x'.repeat(600), 'end-abc'], 1000)).toEqual({ kind: 'json', text: 'x'.repeat(600) });
  });
});

describe('LineTail', () => {
  it('keeps the last lines, cut short, without control characters', () => {
    const tail = new LineTail(2, 5);
    for (const line of ['one', 'two\u001b]52;c;evil\u0007', 'three-long']) tail.push(line);
    expect(tail.text()).toBe('two ]\nthree');
  });
});
