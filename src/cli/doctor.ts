import { runChecks, type CheckResult } from '../host/checks.js';

const MARKS: Record<CheckResult['state'], string> = { ok: 'ok     ', missing: 'missing', warn: 'warn   ' };

/** Exit 0 when jobs can run here, 3 when a required check fails. */
export async function doctorCommand(args: { json: boolean }): Promise<number> {
  const checks = await runChecks();
  const runnable = checks.every((check) => !check.required || check.state === 'ok');
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ runnable, checks }, null, 2)}\n`);
  } else {
    for (const check of checks) {
      process.stdout.write(`${MARKS[check.state]}  ${check.title}: ${check.detail}\n`);
      if (check.fix) process.stdout.write(`         fix: ${check.fix}\n`);
    }
    process.stdout.write(runnable ? '\nThis host can run cubicle jobs.\n' : '\nThis host cannot run cubicle jobs until the missing items are fixed.\n');
  }
  return runnable ? 0 : 3;
}
