// How long each job took last time, kept per checkout in the store after every run: the next run
// starts the longest jobs first. Shards never balance by it (each machine's record differs);
// they use a `--timings FILE` (plan/timings-file.ts).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readFileBeneath, writeFileBeneath } from '../confine/index.js';
import { removeStaleTemps } from '../confine/write-atomic.js';
import { PathConfinementError } from '../core/errors.js';
import { processTag } from '../core/process-tag.js';
import type { StorePaths } from './paths.js';

/** Job name -> milliseconds. */
export type Timings = ReadonlyMap<string, number>;

function timingsPath(paths: StorePaths, projectDir: string): string {
  return path.join(paths.root, 'timings', `${createHash('sha256').update(projectDir).digest('hex').slice(0, 16)}.json`);
}

export function readStoredTimings(paths: StorePaths, projectDir: string): Timings {
  try {
    const stored = readFileBeneath(paths.root, path.relative(paths.root, timingsPath(paths, projectDir)));
    const data = JSON.parse(stored.toString('utf8')) as { jobs?: Record<string, number> };
    return new Map(Object.entries(data.jobs ?? {}).filter(([, ms]) => typeof ms === 'number' && ms >= 0));
  } catch {
    return new Map();
  }
}

/** Records the durations of the jobs that ran to the end; the others keep their old time. */
export function recordTimings(paths: StorePaths, projectDir: string, ran: Timings): void {
  if (ran.size === 0) return;
  const jobs = Object.fromEntries(readStoredTimings(paths, projectDir));
  for (const [name, ms] of ran) jobs[name] = Math.round(ms);
  const file = timingsPath(paths, projectDir);
  // Best effort: a full disk must not cost the run its reports. The temp file is named after
  // this process, beside the target, so a kill mid-write leaves nothing the next run keeps.
  try {
    writeFileBeneath(paths.root, path.relative(paths.root, file), `${JSON.stringify({ jobs }, null, 2)}\n`, {
      dirMode: 0o700,
      tempTag: processTag(),
      beforeWrite: (dir) => removeStaleTemps(dir, `.${path.basename(file)}.`, '.tmp'),
    });
  } catch (error) {
    const reason = error instanceof PathConfinementError ? error.message : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    process.stderr.write(`cubicle: job durations not recorded (${reason}); the next run orders jobs without them\n`);
  }
}
