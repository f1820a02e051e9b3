// The CLI edge: a flag wins over its variable; the variable, given by the user, still works.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeRoot, verbosity } from './edge.js';

describe('storeRoot', () => {
  it('is --cache-dir, resolved, over $CUBICLE_CACHE_DIR', () => {
    expect(storeRoot('rel/store', { CUBICLE_CACHE_DIR: '/env/store' })).toBe(path.resolve('rel/store'));
  });
  it('is $CUBICLE_CACHE_DIR without the flag, then $XDG_CACHE_HOME/cubicle, then ~/.cache/cubicle', () => {
    expect(storeRoot(undefined, { CUBICLE_CACHE_DIR: '/env/store', XDG_CACHE_HOME: '/xdg' })).toBe('/env/store');
    expect(storeRoot(undefined, { XDG_CACHE_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/cubicle');
    expect(storeRoot(undefined, { HOME: '/home/u' })).toBe('/home/u/.cache/cubicle');
    expect(storeRoot('', { CUBICLE_CACHE_DIR: '/env/store' })).toBe('/env/store'); // `--cache-dir ''` was the default before too
  });
});

describe('verbosity', () => {
  it('is --quiet or --verbose over $CUBICLE_OUTPUT, else the variable, else normal', () => {
    expect(verbosity({ quiet: true }, { CUBICLE_OUTPUT: 'verbose' })).toBe('quiet');
    expect(verbosity({ verbose: true }, { CUBICLE_OUTPUT: 'quiet' })).toBe('verbose');
    expect(verbosity({ quiet: false, verbose: false }, { CUBICLE_OUTPUT: 'quiet' })).toBe('quiet');
    expect(verbosity({}, {})).toBe('normal');
  });
});
