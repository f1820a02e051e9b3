// Reports are written to a temp file beside the target and renamed over it, so a reader never
// sees half a report and a failed write leaves the previous one in place. The temp file is
// named after this process (PID and start time), so a later write of the same file removes
// the one a killed runner left.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isStaleRunName, processTag } from './rundir.js';

export function writeAtomically(file: string, content: string, mode?: number): void {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  fs.mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir, prefix, '.tmp');
  const temp = path.join(dir, `${prefix}${processTag()}-${randomBytes(3).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, content, mode === undefined ? undefined : { mode });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Removes `prefix` + `PID-STARTTIME-RANDOM` + `suffix` files in `dir` whose writer no longer runs. */
export function removeStaleTemps(dir: string, prefix: string, suffix: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    if (isStaleRunName(name.slice(prefix.length, -suffix.length))) fs.rmSync(path.join(dir, name), { force: true });
  }
}
