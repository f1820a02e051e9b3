// `caches: [~/.npm]`: one host dir per project and path, mounted read-write into the job and
// its setup steps and kept between runs, like BuildKit's cache mounts. Never part of a layer.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CacheMount } from '../plan/job.js';
import type { StorePaths } from '../store/paths.js';

export function cacheMounts(paths: StorePaths, projectDir: string, caches: readonly string[], home: string): CacheMount[] {
  const project = createHash('sha256').update(projectDir).digest('hex').slice(0, 16);
  return caches.map((entry) => {
    const dest = entry.startsWith('~/') ? path.join(home, entry.slice(2)) : path.normalize(entry);
    const label = dest.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+/, '').slice(0, 40);
    const src = path.join(paths.caches, project, `${label}-${createHash('sha256').update(dest).digest('hex').slice(0, 8)}`);
    fs.mkdirSync(src, { recursive: true, mode: 0o755 });
    return { src, dest };
  });
}
