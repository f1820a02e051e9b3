// Who made a run dir, a temp file or a lock: `PID-STARTTIME`, the process's id and its start time
// in clock ticks since boot. A pid alone is reused; the pair names one process for the boot, so a
// later run can tell an orphan (its maker gone) from the work of a runner still going.
import fs from 'node:fs';

/** Field 22 of /proc/PID/stat: the start time in clock ticks since boot; undefined when gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let ownStart: string | undefined;

/** This process's start time, read once: it names the run dir, temp entries and lock owners. */
export function ownStartTime(): string {
  ownStart ??= processStartTime(process.pid) ?? '0';
  return ownStart;
}

/** `PID-STARTTIME`: what names this process's run dir and temp entries, so a later run knows orphans. */
export function processTag(): string {
  return `${process.pid}-${ownStartTime()}`;
}

/** Whether `name` starts with the id of a run whose runner is gone. */
export function isStaleRunName(name: string, prefix = ''): boolean {
  const match = new RegExp(`^${prefix}(\\d+)-(\\d+)-[0-9a-f]+(?:$|-)`).exec(name);
  return match !== null && processStartTime(Number(match[1])) !== match[2];
}
