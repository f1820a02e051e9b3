// A job that failed with EOVERFLOW ("Value too large for defined data type") most likely wrote to
// a checkout file whose owner or group the sandbox cannot map: its message names those owners
// and the fix, as `cubicle doctor` does. The checkout is walked once per run, only then.
// Not for setup steps: they see copies of their inputs (src/run/stage-inputs.ts), owned by the user.
import { EOVERFLOW_MESSAGE, explainUnmappedOwners, scanOwners } from '../host/owners.js';

const EOVERFLOW_TEXT = new RegExp(`${EOVERFLOW_MESSAGE}|\\bEOVERFLOW\\b`);

const explained = new Map<string, string | null>();

/** `message` with the owners named when `output` shows EOVERFLOW and the checkout has unmapped owners; else `message`. */
export function withOwnerHint(message: string | null, output: string, projectDir: string): string | null {
  if (!EOVERFLOW_TEXT.test(output) && !EOVERFLOW_TEXT.test(message ?? '')) return message;
  if (!explained.has(projectDir)) explained.set(projectDir, ownerHint(projectDir));
  const hint = explained.get(projectDir);
  if (!hint) return message;
  return message ? `${message}; ${hint}` : hint;
}

function ownerHint(projectDir: string): string | null {
  try {
    const found = explainUnmappedOwners(scanOwners(projectDir));
    return found && `${found.problem}; writing to one of them fails with "${EOVERFLOW_MESSAGE}" (EOVERFLOW), as this job's output shows. Fix: ${found.fix}`;
  } catch {
    return null;
  }
}
