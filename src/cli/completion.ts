// Shell completion. `cubicle completion` prints yargs' bash or zsh script; that script asks
// `cubicle --get-yargs-completions WORDS..` for candidates on every TAB. The candidates come
// from the command table and each command's yargs options, plus the config's job names for
// `run` and `shell`: no yargs command tree is built (see main.ts), so a TAB costs one config read.
import { readConfigData } from '../config/load.js';
import { loadYargs } from '../core/vendor.js';
import { UsageError } from '../core/errors.js';
import { defineCommand, positionals, type Command } from './command.js';
import { COMMANDS, type CommandEntry } from './commands.js';

export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const CACHE_ACTIONS = ['ls', 'prune', 'verify', 'export', 'import'];
/** The one fixed word of an option that otherwise takes free text (`--shard 2/3` or `--shard auto`). */
const WORD_VALUES: Readonly<Record<string, readonly string[]>> = { shard: ['auto'] };

export const command = defineCommand({
  examples: [
    ['$0 completion >> ~/.bashrc', 'complete cubicle in every new bash'],
    ['$0 completion zsh >> ~/.zshrc', 'the same for zsh'],
  ],
  options: {},
  configure: (parser) => parser.demandCommand(0, 1, '', 'completion takes at most one shell: bash or zsh'),
  run: (args) => {
    const [shell] = positionals(args);
    if (shell !== undefined && !isCompletionShell(shell)) {
      throw new UsageError(`completion: no script for "${shell}"`, { hint: 'Ask for bash or zsh, or leave it out for your $SHELL.' });
    }
    return completionCommand({ shell });
  },
});

function isCompletionShell(name: string): name is CompletionShell {
  return (COMPLETION_SHELLS as readonly string[]).includes(name);
}

/** Prints the completion script for `shell` (default: the login shell's, as yargs decides). */
export async function completionCommand(args: { shell?: CompletionShell | undefined }): Promise<number> {
  const { yargs } = await loadYargs();
  const loginShell = process.env.SHELL;
  // yargs picks its zsh template from $SHELL, read when the parser is made.
  if (args.shell) process.env.SHELL = `/bin/${args.shell}`;
  try {
    yargs([]).scriptName('cubicle').showCompletionScript();
  } finally {
    if (loginShell === undefined) delete process.env.SHELL;
    else process.env.SHELL = loginShell;
  }
  return 0;
}

/** Answers the script: `words` are the command line's words, the program's name first, the word being completed last. */
export async function printCompletions(words: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const zsh = Boolean(env.SHELL?.includes('zsh') || env.ZSH_NAME?.includes('zsh'));
  for (const candidate of await completeWords(words, { zsh, cwd: process.cwd() })) process.stdout.write(`${candidate}\n`);
  return 0;
}

export async function completeWords(words: readonly string[], options: { zsh: boolean; cwd: string }): Promise<string[]> {
  const typed = words.slice(1);
  const current = typed.at(-1) ?? '';
  const before = typed.slice(0, -1);
  const command = COMMANDS.find((candidate) => candidate.name === before.find((word) => !word.startsWith('-')));
  if (!command) {
    if (current.startsWith('-')) return ['--help', '--version'].filter((option) => option.startsWith(current));
    return COMMANDS.filter((candidate) => candidate.name.startsWith(current)).map((candidate) =>
      options.zsh ? `${candidate.name}:${firstSentence(candidate.describe)}` : candidate.name,
    );
  }
  const known = await commandOptions(await command.load());
  const previous = before.at(-1);
  const pending = previous?.startsWith('--') ? known.get(previous.slice(2)) : undefined;
  if (pending?.takesValue) {
    const values = pending.choices.length > 0 ? pending.choices : (WORD_VALUES[previous!.slice(2)] ?? []);
    return values.filter((choice) => choice.startsWith(current));
  }
  if (current.startsWith('-')) {
    return [...known.keys()]
      .flatMap((name) => (known.get(name)!.negatable ? [`--${name}`, `--no-${name}`] : [`--${name}`]))
      .filter((option) => option.startsWith(current) && !before.includes(option));
  }
  const given = new Set(before);
  return (await positionalCandidates(command, before, options.cwd)).filter((candidate) => candidate.startsWith(current) && !given.has(candidate));
}

interface OptionInfo {
  readonly takesValue: boolean;
  readonly negatable: boolean;
  readonly choices: readonly string[];
}

/** A command's options, as its yargs parser knows them. */
async function commandOptions(command: Command): Promise<Map<string, OptionInfo>> {
  const { yargs } = await loadYargs();
  const parser = yargs([]).help().version(false).options(command.options);
  command.configure?.(parser);
  // getOptions() is yargs' (its completion uses it), missing from @types/yargs.
  const options = (parser as unknown as { getOptions(): unknown }).getOptions() as {
    key: Record<string, unknown>;
    boolean: string[];
    choices: Record<string, unknown[]>;
    default: Record<string, unknown>;
    hiddenOptions: string[];
  };
  const known = new Map<string, OptionInfo>();
  for (const name of Object.keys(options.key)) {
    if (options.hiddenOptions.includes(name) || name.length === 1) continue;
    const isBoolean = options.boolean.includes(name);
    known.set(name, { takesValue: !isBoolean, negatable: isBoolean && options.default[name] === true, choices: (options.choices[name] ?? []).map(String) });
  }
  return known;
}

async function positionalCandidates(command: CommandEntry, before: readonly string[], cwd: string): Promise<string[]> {
  switch (command.name) {
    case 'run':
      return jobNames(cwd, optionValue(before, 'config'));
    case 'shell':
      // One job: nothing more once it is named.
      return before.filter((word) => !word.startsWith('-')).length > 1 ? [] : jobNames(cwd, optionValue(before, 'config'));
    case 'cache':
      return before.filter((word) => !word.startsWith('-')).length > 1 ? [] : CACHE_ACTIONS;
    case 'completion':
      return [...COMPLETION_SHELLS];
    default:
      return [];
  }
}

/** The config's job names; none when there is no readable config (a TAB never fails). */
async function jobNames(cwd: string, configPath: string | undefined): Promise<string[]> {
  try {
    // A code config is evaluated in its sandbox here too: a TAB never runs the checkout's code on the host.
    const { raw } = await readConfigData({ cwd, configPath });
    const jobs = (raw as { jobs?: unknown } | undefined)?.jobs;
    return jobs && typeof jobs === 'object' ? Object.keys(jobs) : [];
  } catch {
    return [];
  }
}

function optionValue(words: readonly string[], name: string): string | undefined {
  for (const [index, word] of words.entries()) {
    if (word === `--${name}`) return words[index + 1];
    if (word.startsWith(`--${name}=`)) return word.slice(name.length + 3);
  }
  return undefined;
}

function firstSentence(text: string): string {
  return text.split(/(?<=\.)\s/)[0]!.replace(/:/g, '\\:');
}
