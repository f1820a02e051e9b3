// Each `cubicle run` keeps its jobs' upper and work dirs under one run dir named after the
// runner's pid and start time. A runner killed with SIGKILL cannot clean up, so every start
// removes the run dirs whose runner is gone.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeDirsBeneath } from '../confine/index.js';
import { isStaleRunName, processTag } from '../core/process-tag.js';
import { removeTree } from '../sandbox/remove-tree.js';

/** The run dirs' parent under the store root `cacheDir`. */
export function runsRoot(cacheDir: string): string {
  return path.join(cacheDir, 'runs');
}

export interface JobDirPaths {
  readonly root: string;
  readonly upper: string;
  readonly work: string;
  readonly rootUpper: string;
  readonly rootWork: string;
  readonly skeleton: string;
}

export interface RunDir {
  /** `PID-STARTTIME-RANDOM`: names this run's dirs and cgroups, and tells whether its runner is alive. */
  readonly id: string;
  readonly path: string;
  jobDirs(job: string, attempt: number): JobDirPaths;
  remove(): Promise<void>;
}

export function createRunDir(root: string): RunDir {
  const name = `${processTag()}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(root, name);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  makeDirsBeneath(root, name, 0o700);
  return {
    id: name,
    path: dir,
    jobDirs(job, attempt) {
      const jobRoot = path.join(dir, `${job}.${attempt}`);
      const upper = path.join(jobRoot, 'upper');
      const work = path.join(jobRoot, 'work');
      // A job's name is checked by the schema; its dirs are still made without following a link.
      makeDirsBeneath(dir, `${job}.${attempt}/upper`);
      makeDirsBeneath(dir, `${job}.${attempt}/work`, 0o700);
      // Made by plan/sandbox-spec.ts only for a layered job: a host job's start makes none of them.
      const rootUpper = path.join(jobRoot, 'root-upper');
      const rootWork = path.join(jobRoot, 'root-work');
      const skeleton = path.join(jobRoot, 'skeleton');
      return { upper, work, root: jobRoot, rootUpper, rootWork, skeleton };
    },
    remove: () => removeTree(dir),
  };
}

/** Removes run dirs left by runners that no longer exist; returns how many. */
export async function reapStaleRuns(root: string): Promise<number> {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of entries.filter((name) => isStaleRunName(name))) {
    await removeTree(path.join(root, entry));
    removed += 1;
  }
  return removed;
}
