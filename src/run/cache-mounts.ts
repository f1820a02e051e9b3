// `caches: [~/.npm]`: one host dir per trust scope, project and path, mounted read-write into the
// job's command and kept between runs, like BuildKit's cache mounts. Never part of a layer, and
// never seen by a setup step: a step's layer must be a function of its key, and a cache's content
// is whatever earlier jobs of the scope wrote (a step gets an empty, throwaway dir there instead).
import fs from 'node:fs';
import path from 'node:path';
import { cacheDestinationProblem } from '../config/cache-destination.js';
import { ConfigError } from '../core/errors.js';
import type { CacheMount } from '../plan/sandbox-spec.js';
import { ensureCacheDir } from '../store/caches.js';
import type { StorePaths } from '../store/paths.js';
import { CACHE_SCOPE } from '../plan/cache-scope.js';

export interface CacheContext {
  readonly store: StorePaths;
  readonly projectDir: string;
  /** --cache-scope: whose caches these are (plan/cache-scope.ts). */
  readonly scope: string;
  readonly jobName: string;
  /** The job's HOME inside, which `~/` names. */
  readonly home: string;
}

/** The job's caches under caches/<scope>/<project>/, made when missing. */
export function cacheMounts(context: CacheContext, caches: readonly string[]): CacheMount[] {
  if (!CACHE_SCOPE.test(context.scope)) throw new Error(`cache scope ${JSON.stringify(context.scope)} was not checked`);
  return caches.map((entry, index) => {
    const dest = cacheDestination(entry, context.home);
    // The config was checked as written; HOME (from an image or `env:`) is only known here.
    const problem = cacheDestinationProblem(dest, { projectDir: context.projectDir, home: entry.startsWith('~/') ? undefined : context.home });
    if (problem) throw new ConfigError([`jobs.${context.jobName}.caches.${index}: "${entry}" is ${dest}, which ${problem}; nothing was mounted`]);
    return { src: ensureCacheDir(context.store, context.scope, context.projectDir, dest), dest };
  });
}

/** For a setup step: each cache's destination over an empty dir of `scratch`, removed with it after the step. */
export function throwawayCacheMounts(caches: readonly CacheMount[], scratch: string): CacheMount[] {
  return caches.map((cache, index) => {
    const src = path.join(scratch, String(index));
    fs.mkdirSync(src, { recursive: true, mode: 0o755 });
    return { src, dest: cache.dest };
  });
}

function cacheDestination(entry: string, home: string): string {
  return entry.startsWith('~/') ? path.posix.join(home, entry.slice(2)) : path.posix.normalize(entry);
}
