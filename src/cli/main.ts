// The CLI entry, and the only place that turns errors into exit codes
// (0 passed, 1 a job failed, 2 usage/config, 3 the host cannot sandbox).
// Each command parses its own options with its own yargs parser: yargs' `.command()`
// renders the whole help text on every run (measured: a tenth of `cubicle run`'s start-up),
// so the command registry is built only for `cubicle --help` and unknown commands.
import { CubicleError, describeError, UsageError } from '../core/errors.js';
import { loadYargs } from '../core/vendor.js';
import packageJson from '../../package.json' with { type: 'json' };
import { COMMANDS, type CommandEntry } from './commands.js';

/** What yargs' completion script (src/cli/completion.ts) calls cubicle with on a TAB. */
const COMPLETION_REQUEST = '--get-yargs-completions';
import type { SystemdScopeNeeded } from '../run/limits.js';
import { announceRerun, rerunInSystemdScope } from './scope.js';
import { safeLines } from '../core/message.js';
import { didYouMean } from '../config/did-you-mean.js';

export async function main(argv: readonly string[]): Promise<number> {
  announceRerun();
  // `cubicle run | head`: a reader that went away is no reason for a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    if (argv[0] === COMPLETION_REQUEST) {
      const { printCompletions } = await import('./completion.js');
      return await printCompletions(argv.slice(1));
    }
    const { yargs } = await loadYargs();
    const entry = COMMANDS.find((candidate) => candidate.name === argv[0]);
    if (entry) {
      const result = await runCommand(yargs, entry, argv.slice(1));
      return typeof result === 'number' ? result : await rerunInSystemdScope(argv);
    }
    await topLevel(yargs, argv);
    return 0;
  } catch (error) {
    // Its text may quote the checkout (a job name, a path, a step's run): every line of it inert.
    process.stderr.write(`cubicle: ${safeLines(describeError(error))}\n`);
    if (error instanceof CubicleError) return error.exitCode;
    return 70;
  }
}

type Yargs = Awaited<ReturnType<typeof loadYargs>>['yargs'];

function failWithUsageError(message: string, error: Error | undefined, known?: () => Known): never {
  throw (
    error ??
    new UsageError(known ? withSuggestions(message, known()) : message, {
      hint: 'Run `cubicle --help` for the commands, `cubicle COMMAND --help` for their options.',
    })
  );
}

/** yargs' "Unknown argument: paralel" as "unknown option --paralel (did you mean --parallel?)", one per unknown word. */
interface Known {
  readonly commands: string[];
  readonly options: string[];
  /** The words of argv that were not options: an unknown one is a command. */
  readonly words?: readonly string[];
}

function withSuggestions(message: string, known: Known): string {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return message;
  const problems = match[1]!
    .split(', ')
    .map((word) => {
      if (known.commands.length > 0 && known.words?.includes(word)) return `unknown command "${word}"${didYouMean(word, known.commands)}`;
      const flag = word.length === 1 ? `-${word}` : `--${word}`;
      return `unknown option ${flag}${didYouMean(
        word,
        known.options.filter((name) => name.length > 1),
        (name) => `--${name}`,
      )}`;
    })
    .join('; ');
  return `${problems}; nothing was run`;
}

/** The long options a parser knows, with their aliases. */
function optionNames(parser: unknown): string[] {
  // getOptions() is yargs' own, missing from @types/yargs.
  const options = (parser as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  return [...Object.keys(options.key), ...Object.values(options.alias).flat()];
}

function terminalWidth(): number | null {
  return process.stdout.isTTY ? Math.min(110, process.stdout.columns || 100) : null;
}

/** Options whose value may be `-` (stdout); yargs would take a lone `-` for a positional (stdin). */
const DASH_VALUED = new Set(['--json', '--junit']);

/** `--json -` becomes `--json=-`, up to a `--`. */
function joinDashValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') return [...joined, ...argv.slice(index)];
    if (DASH_VALUED.has(arg) && argv[index + 1] === '-') {
      joined.push(`${arg}=-`);
      index++;
    } else joined.push(arg);
  }
  return joined;
}

async function runCommand(yargs: Yargs, entry: CommandEntry, argv: readonly string[]): Promise<number | SystemdScopeNeeded> {
  const command = await entry.load();
  const parser = yargs(joinDashValues(argv))
    .scriptName('cubicle')
    .usage(`$0 ${entry.usage}\n\n${entry.describe}`)
    .parserConfiguration({ 'populate--': true })
    .strictOptions()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(terminalWidth())
    .fail((message, error) => failWithUsageError(message, error, () => ({ commands: [], options: optionNames(parser) })));
  parser.options(command.options);
  command.configure?.(parser);
  for (const [example, meaning] of command.examples) parser.example(example, meaning);
  const args = await parser.parseAsync();
  if (args.help) return 0;
  return command.run(args);
}

const TOP_LEVEL_OPTIONS = ['help', 'version'];

/** `cubicle`, `cubicle --help`, `cubicle --version`, or an unknown command. */
async function topLevel(yargs: Yargs, argv: readonly string[]): Promise<void> {
  // yargs asks for a command before it looks at the options: `cubicle --verison` would read "Name a command".
  const unknownFlag = argv.find((arg) => arg.startsWith('--') && arg !== '--' && !TOP_LEVEL_OPTIONS.includes(arg.slice(2).split('=')[0]!));
  if (unknownFlag !== undefined && !argv.some((arg) => !arg.startsWith('-'))) {
    failWithUsageError(`Unknown argument: ${unknownFlag.slice(2).split('=')[0]}`, undefined, () => ({ commands: [], options: TOP_LEVEL_OPTIONS }));
  }
  const parser = yargs([...argv])
    .scriptName('cubicle')
    .usage('$0 <command> [options]\n\nRun each test job in its own rootless container, with hard limits and a JUnit report.')
    .strict()
    .demandCommand(1, 'Name a command: run, exec or doctor.')
    .help()
    .alias('help', 'h')
    .version(packageJson.version)
    .wrap(terminalWidth())
    .fail((message, error) =>
      failWithUsageError(message, error, () => ({
        commands: COMMANDS.map((command) => command.name),
        options: optionNames(parser),
        words: argv.filter((arg) => !arg.startsWith('-')),
      })),
    );
  for (const command of COMMANDS) parser.command(command.usage, command.describe);
  parser.example('$0 init && $0 run', 'a starter config from this checkout, then a first run');
  parser.example('$0 shell unit', "a shell in job unit's sandbox, to debug it");
  await parser.parseAsync();
}
