import { UsageError } from '../core/errors.js';
import { lookUpUser, setUp, undo } from '../host/setup.js';
import { defineCommand } from './command.js';

export const command = defineCommand({
  examples: [
    ['sudo npx $0 setup --user "$USER"', 'let your user run limited jobs'],
    ['sudo npx $0 setup --user "$USER" --undo', 'take it back'],
  ],
  options: {
    user: { type: 'string', demandOption: true, describe: 'the user who will run cubicle' },
    undo: { type: 'boolean', describe: 'remove what setup made for USER' },
  },
  configure: (parser) => parser.demandCommand(0, 0, '', 'setup takes no arguments'),
  run: (args) => setupCommand({ user: args.user, undo: args.undo === true }),
});

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
