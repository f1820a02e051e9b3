// Where a `caches:` entry may be mounted. A cache is a directory kept between runs: mounted over
// a system directory, the checkout or the home it would make what the next run's jobs execute
// persistent (`caches: [/usr]`), so such destinations are refused before anything runs.
import path from 'node:path';

/** Trees no cache may be mounted over, in or above. */
const SYSTEM_TREES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/proc', '/sys', '/dev', '/boot', '/var/lib'];

/** The problem with a cache destination (absolute, `~/` expanded against `home`), or null when it may be a cache. */
export function cacheDestinationProblem(dest: string, context: { projectDir: string; home?: string | undefined }): string | null {
  const normal = path.posix.normalize(dest);
  if (normal === '/') return 'would hide the whole filesystem';
  const within = (parent: string) => normal === parent || normal.startsWith(`${parent}/`);
  const above = (child: string) => child === normal || child.startsWith(`${normal}/`);
  const system = SYSTEM_TREES.find((tree) => within(tree) || above(tree));
  if (system) return `would shadow the system directory ${system}`;
  const checkout = path.posix.normalize(context.projectDir);
  if (above(checkout)) return `would shadow the checkout ${checkout}, where the job runs`;
  if (context.home && above(path.posix.normalize(context.home))) return `would shadow the home directory ${context.home}`;
  return null;
}

/** The problem with a config's `caches:` entry as written (before its job's HOME is known), or null. */
export function cacheEntryProblem(entry: string, projectDir: string): string | null {
  if (entry.startsWith('~/')) {
    const tail = path.posix.normalize(entry.slice(2));
    if (tail === '.' || tail === '..' || tail.startsWith('../')) return 'is the home directory itself or leaves it';
    return null;
  }
  return cacheDestinationProblem(entry, { projectDir });
}
