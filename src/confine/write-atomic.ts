// Reports are written to a temp file beside the target and renamed over it, so a reader never
// sees half a report and a failed write leaves the previous one in place. The temp file is
// named after this process (PID and start time), so a later write of the same file removes
// the one a killed runner left.
import fs from 'node:fs';
import path from 'node:path';
import { rootFor, writeFileBeneath } from './index.js';
import { isStaleRunName, processTag } from '../core/process-tag.js';

/**
 * Writes `file` through a temp file and a rename. Beneath `checkout` (a report path inside the
 * checkout) every dir on the way is opened without following a symlink the checkout ships, and
 * a symlink, FIFO or file planted at the name is replaced, never written through.
 */
export function writeAtomically(file: string, content: string, mode?: number, checkout?: string): void {
  const { root, rel } = rootFor(path.resolve(file), checkout);
  const prefix = `.${path.basename(file)}.`;
  writeFileBeneath(root, rel, content, {
    mode,
    tempTag: processTag(),
    beforeWrite: (dir) => removeStaleTemps(dir, prefix, '.tmp'),
    notDone: 'the report was not written',
  });
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
