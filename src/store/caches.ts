// Where a job's `caches:` dirs live in the store: caches/<scope>/<project>/<label>-<hash>, one per
// trust scope (plan/cache-scope.ts), checkout and destination path. What is mounted where is
// run/cache-mounts.ts's; this file only names and makes the dirs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StorePaths } from './paths.js';

/** The store's dir for `dest` (a path inside the job) of `projectDir`'s jobs in `scope`, made when missing. */
export function ensureCacheDir(store: StorePaths, scope: string, projectDir: string, dest: string): string {
  const project = createHash('sha256').update(projectDir).digest('hex').slice(0, 16);
  const label = dest
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+/, '')
    .slice(0, 40);
  const dir = path.join(store.caches, scope, project, `${label}-${createHash('sha256').update(dest).digest('hex').slice(0, 8)}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}
