// The CLI edge: the one place the environment the user gave becomes values. A flag wins over its
// variable (--cache-dir over $CUBICLE_CACHE_DIR, --quiet/--verbose over $CUBICLE_OUTPUT); what
// results is passed down as arguments, never written back into process.env for code far below to read.
import path from 'node:path';
import { verbosityFrom, VERBOSITY_VARIABLE, type Verbosity } from '../report/terminal.js';
import { cacheRoot } from '../core/cache-root.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The store's root: --cache-dir, else $CUBICLE_CACHE_DIR, else $XDG_CACHE_HOME/cubicle or ~/.cache/cubicle. */
export function storeRoot(flag: string | undefined, env: Env = process.env): string {
  return flag ? path.resolve(flag) : cacheRoot(env);
}

/** --quiet or --verbose, else $CUBICLE_OUTPUT, else normal. */
export function verbosity(flags: { quiet?: boolean | undefined; verbose?: boolean | undefined }, env: Env = process.env): Verbosity {
  if (flags.quiet) return 'quiet';
  if (flags.verbose) return 'verbose';
  return verbosityFrom(env[VERBOSITY_VARIABLE]);
}
