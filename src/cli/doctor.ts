// `cubicle doctor`: the host's checks, every tool cubicle may run, and, in a checkout (found from
// the current dir like `run` finds its config, or named by --dir or --config), its files' owners.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { runChecks, type CheckResult } from '../host/checks.js';
import { checkOwners } from '../host/owners.js';
import { toolChecks } from '../host/tools.js';
import { findConfig } from '../core/vendor.js';
import { storeRoot } from './edge.js';
import { defineCommand } from './command.js';

export const command = defineCommand({
  examples: [
    ['$0 doctor', 'check this machine (and the checkout of the config found from here)'],
    ['$0 doctor --dir ~/src/app', "also check that checkout's file owners"],
  ],
  options: {
    json: { type: 'boolean', describe: 'print the checks as JSON' },
    dir: { type: 'string', describe: "a checkout whose files' owners to check (default: the dir of the config found from here)" },
    config: { type: 'string', describe: 'a config file: its dir is the checkout to check' },
  },
  configure: (parser) => parser.conflicts('dir', 'config').demandCommand(0, 0, '', 'doctor takes no arguments'),
  run: (args) => doctorCommand({ json: args.json === true, dir: args.dir, config: args.config }),
});

const MARKS: Record<CheckResult['state'], string> = { ok: 'ok     ', missing: 'missing', warn: 'warn   ' };

export interface DoctorArgs {
  readonly json: boolean;
  readonly dir?: string | undefined;
  readonly config?: string | undefined;
}

/** Exit 0 when jobs can run here, 3 when a required check fails. */
export async function doctorCommand(args: DoctorArgs): Promise<number> {
  const checkout = await findCheckout(args);
  const checks = [...(await runChecks(storeRoot(undefined))), ...toolChecks(), ...(checkout ? [checkOwners(checkout)] : [])];
  const runnable = checks.every((check) => !check.required || check.state === 'ok');
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ runnable, checks }, null, 2)}\n`);
  } else {
    for (const check of checks) {
      process.stdout.write(`${MARKS[check.state]}  ${check.title}: ${check.detail}\n`);
      if (check.fix) process.stdout.write(`         fix: ${check.fix}\n`);
    }
    if (!checkout) process.stdout.write("         (not in a checkout with a cubicle config: `cubicle doctor --dir DIR` also checks its files' owners)\n");
    process.stdout.write(runnable ? '\nThis host can run cubicle jobs.\n' : '\nThis host cannot run cubicle jobs until the missing items are fixed.\n');
  }
  return runnable ? 0 : 3;
}

/** --dir, else the dir of --config, else that of the config found from here; none: no owners check. */
async function findCheckout(args: DoctorArgs): Promise<string | null> {
  if (args.dir !== undefined) {
    const dir = path.resolve(args.dir);
    if (!isDirectory(dir)) {
      throw new UsageError(`--dir ${args.dir}: no such directory; nothing was checked`, { hint: 'Name the checkout to check, e.g. `cubicle doctor --dir .`.' });
    }
    return dir;
  }
  if (args.config !== undefined) {
    const file = path.resolve(args.config);
    if (!fs.existsSync(file)) throw new UsageError(`--config ${args.config}: no such file; nothing was checked`, { hint: 'Check the path given to --config.' });
    return path.dirname(file);
  }
  try {
    const found = await findConfig(process.cwd());
    return found ? path.dirname(path.resolve(found.filepath)) : null;
  } catch {
    return null; // an unreadable config is `run`'s to report; doctor checks the host
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
