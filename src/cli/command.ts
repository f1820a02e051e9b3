// What a command is: its options as one table (yargs infers the parsed types from it, so a
// handler reads `args.junit` as a string without a cast) and the handler that takes them.
// Each command lives in its own file (run.ts, exec.ts, ...) holding both; commands.ts lists them.
import type { Argv, InferredOptionTypes, Options } from 'yargs';
import type { SystemdScopeNeeded } from '../run/limits.js';

export type OptionTable = Readonly<Record<string, Options>>;

/** What yargs parses from an option table: each option's value, the positionals, and what followed `--`. */
export type Parsed<O extends OptionTable> = InferredOptionTypes<O> & { _: (string | number)[]; '--'?: (string | number)[] };

export interface CommandDefinition<O extends OptionTable> {
  readonly examples: readonly (readonly [string, string])[];
  readonly options: O;
  /** What an option table cannot say: conflicts, how many positionals. */
  readonly configure?: (parser: Argv) => void;
  /** The exit code; or, for a run that needs a delegated systemd scope, that answer (main.ts runs itself again there). */
  readonly run: (args: Parsed<O>) => Promise<number | SystemdScopeNeeded>;
}

/** A command as main.ts and completion.ts use it, whatever its options. */
export interface Command {
  readonly examples: readonly (readonly [string, string])[];
  readonly options: OptionTable;
  readonly configure?: ((parser: Argv) => void) | undefined;
  run(args: { _: (string | number)[]; '--'?: (string | number)[] }): Promise<number | SystemdScopeNeeded>;
}

/** Types the handler's argv from its option table. */
export function defineCommand<const O extends OptionTable>(definition: CommandDefinition<O>): Command {
  return {
    examples: definition.examples,
    options: definition.options,
    configure: definition.configure,
    // The one cast: the parser main.ts hands these args from was built from this same option table.
    run: (args) => definition.run(args as Parsed<O>),
  };
}

/** The words that are not options. */
export function positionals(args: { _: (string | number)[] }): string[] {
  return args._.map(String);
}
