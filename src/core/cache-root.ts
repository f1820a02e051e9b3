// Where cubicle's per-user cache lives by default: the layer store, and beside it the one-time
// source build of the helpers (sandbox/binaries.ts). From the environment the user gave:
// $CUBICLE_CACHE_DIR, else the XDG cache. The CLI reads it once, at its edge (src/cli/edge.ts).
import os from 'node:os';
import path from 'node:path';

export function cacheRoot(env: Readonly<Record<string, string | undefined>>): string {
  if (env.CUBICLE_CACHE_DIR) return path.resolve(env.CUBICLE_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'cubicle');
}
