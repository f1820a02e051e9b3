import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, parseDuration, parseSize } from './units.js';

describe('parseSize', () => {
  it('reads binary suffixes as Docker does', () => {
    expect(parseSize('512m')).toBe(512 * 1024 ** 2);
    expect(parseSize('1g')).toBe(1024 ** 3);
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64Mi')).toBe(64 * 1024 ** 2);
    expect(parseSize('100k')).toBe(102400);
    expect(parseSize(4096)).toBe(4096);
  });

  it('rejects what is not a size', () => {
    for (const bad of ['lots', '', '12x', '-1m', '0', 0, -5, 1.5, 'm']) expect(parseSize(bad), String(bad)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads s/m/h/ms and combinations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration(1.5)).toBe(1500);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['soon', '', '10x', '5 m', 'm10', '0s', 0, -1]) expect(parseDuration(bad), String(bad)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('prints sizes and durations for people', () => {
    expect(formatBytes(64 * 1024 ** 2)).toBe('64 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(2500)).toBe('2.5s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});
