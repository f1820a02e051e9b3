// Reports are written to a temp file beside the target and renamed over it, so a reader never
// sees half a report and a failed write leaves the previous one in place.
import fs from 'node:fs';
import path from 'node:path';

export function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
