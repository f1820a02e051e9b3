import { describe, expect, it } from 'vitest';
import { cacheDestinationProblem, cacheEntryProblem } from './cache-destination.js';

describe('cache destinations', () => {
  const projectDir = '/work/project';

  it('refuses system trees, what is above them, the checkout and what is above it', () => {
    for (const dest of [
      '/',
      '/usr',
      '/usr/local/lib',
      '/bin',
      '/lib64',
      '/etc/ssl',
      '/proc/self',
      '/sys',
      '/dev/shm',
      '/boot',
      '/var/lib/dpkg',
      '/var',
      '/work',
      '/work/project',
      '/usr/../etc',
    ]) {
      expect(cacheEntryProblem(dest, projectDir), dest).not.toBeNull();
    }
  });

  it('refuses a home-relative entry that is the home or leaves it, and a HOME that puts it in a system tree', () => {
    for (const entry of ['~/.', '~/..', '~/../x', '~/a/../..']) expect(cacheEntryProblem(entry, projectDir), entry).not.toBeNull();
    expect(cacheDestinationProblem('/usr/.npm', { projectDir })).toMatch(/system directory \/usr/);
    expect(cacheDestinationProblem('/root', { projectDir, home: '/root' })).toMatch(/home directory/);
  });

  it('allows tool caches', () => {
    for (const entry of ['~/.npm', '~/.cache/pip', '/var/cache/apt', '/opt/cache', '/work/project/node_modules/.cache'])
      expect(cacheEntryProblem(entry, projectDir), entry).toBeNull();
  });
});
