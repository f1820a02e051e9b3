// A running job's memory use, read from its cgroup for the live view: run/ hands reporters a
// reading (run/events.ts JobSandboxInfo), so no reporter reads cgroup files itself.
import fs from 'node:fs';
import path from 'node:path';

/** A job's memory use now, from its cgroup: v2 memory.current, v1 memory.usage_in_bytes; undefined before the cgroup exists. */
export function readCgroupMemory(dirs: readonly string[]): number | undefined {
  for (const dir of dirs) {
    for (const file of ['memory.current', 'memory.usage_in_bytes']) {
      try {
        const bytes = Number(fs.readFileSync(path.join(dir, file), 'utf8').trim());
        if (Number.isFinite(bytes)) return bytes;
      } catch {
        // not this hierarchy, or the cgroup is not there (yet, or any more)
      }
    }
  }
  return undefined;
}
