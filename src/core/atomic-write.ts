// Write-to-temp-then-rename, in one place: the temp is filled (written, copied, built by a tool),
// then renamed over the target, so a reader sees the old file or the whole new one, never half;
// a failed fill or rename removes the temp and rethrows. Where the temp lives (beside the target,
// in the store's tmp/) and how it is named is the caller's: a confined writer (confine/write.ts)
// passes /proc/self/fd paths of a dir it opened without following symlinks.
import fs from 'node:fs';

/** Fills `temp` with `fill`, then renames it over `target`; on failure removes `temp` and rethrows. */
export function replaceThroughTemp(temp: string, target: string, fill: (temp: string) => void): void {
  try {
    fill(temp);
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** replaceThroughTemp with a fill that runs a process or a stream. */
export async function replaceThroughTempAsync(temp: string, target: string, fill: (temp: string) => Promise<unknown>): Promise<void> {
  try {
    await fill(temp);
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** `content` written to `target` through `temp` (a unique name on the same filesystem). */
export function writeFileAtomically(target: string, content: string | Uint8Array, temp: string, mode?: number): void {
  replaceThroughTemp(temp, target, (file) => fs.writeFileSync(file, content, mode === undefined ? undefined : { mode }));
}
