import { UsageError } from '../core/errors.js';
import { lookUpUser, setUp, undo } from '../host/setup.js';

export async function setupCommand(args: { user: string; undo: boolean }): Promise<number> {
  if (process.getuid?.() !== 0) {
    throw new UsageError('cubicle setup changes cgroups and system files, so it must run as root; nothing was changed', {
      hint: `Run it with sudo: \`sudo npx cubicle setup --user ${args.user}${args.undo ? ' --undo' : ''}\`.`,
    });
  }
  const user = lookUpUser(args.user);
  const lines = args.undo ? await undo(user) : await setUp(user);
  for (const line of lines) process.stdout.write(`${line}\n`);
  return 0;
}
