// When cubicle paints its own lines: flags, then FORCE_COLOR (as Node reads it), then NO_COLOR, then the terminal.
import { describe, expect, it } from 'vitest';
import { colorEnabled, forceColorFrom } from './color.js';

describe('colorEnabled', () => {
  it('reads FORCE_COLOR as Node does: empty, true, 1, 2, 3 on; 0, false, other words off; unset: no verdict', () => {
    for (const value of ['', 'true', '1', '2', '3']) expect(forceColorFrom(value), value).toBe(true);
    for (const value of ['0', 'false', 'no', 'yes-please']) expect(forceColorFrom(value), value).toBe(false);
    expect(forceColorFrom(undefined)).toBeUndefined();
  });

  it('colours a terminal, not a pipe, not TERM=dumb', () => {
    expect(colorEnabled({ env: {}, tty: true })).toBe(true);
    expect(colorEnabled({ env: {}, tty: false })).toBe(false);
    expect(colorEnabled({ env: { TERM: 'dumb' }, tty: true })).toBe(false);
  });

  it('NO_COLOR (set, not empty) turns colours off on a terminal; FORCE_COLOR wins over it, as in Node', () => {
    expect(colorEnabled({ env: { NO_COLOR: '1' }, tty: true })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '' }, tty: true })).toBe(true);
    expect(colorEnabled({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, tty: false })).toBe(true);
    expect(colorEnabled({ env: { FORCE_COLOR: '0' }, tty: true })).toBe(false);
    expect(colorEnabled({ env: { FORCE_COLOR: 'false' }, tty: true })).toBe(false);
    expect(colorEnabled({ env: { FORCE_COLOR: '3' }, tty: false })).toBe(true);
  });

  it('--color and --no-color win over every variable', () => {
    expect(colorEnabled({ flag: true, env: { NO_COLOR: '1', FORCE_COLOR: '0', TERM: 'dumb' }, tty: false })).toBe(true);
    expect(colorEnabled({ flag: false, env: { FORCE_COLOR: '1' }, tty: true })).toBe(false);
  });
});
