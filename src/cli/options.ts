// Options that several commands share, as option tables (command.ts) spread into each command's own.
import type { LimitFlags } from '../config/resolve.js';
import type { PullPolicy } from '../image/resolve-base.js';

export const limitOptions = (scope: string) =>
  ({
    memory: { type: 'string', describe: `memory limit${scope}, e.g. 512m` },
    cpus: { type: 'string', describe: `CPU limit${scope}, e.g. 1.5` },
    pids: { type: 'string', describe: `process limit${scope}` },
    timeout: { type: 'string', describe: `wall-clock limit${scope}, e.g. 10m` },
    limits: { type: 'boolean', default: true, describe: 'enforce memory, cpus and pids limits; --no-limits runs without them when they cannot be' },
  }) as const;

export function limitFlags(args: { memory: string | undefined; cpus: string | undefined; pids: string | undefined; timeout: string | undefined }): LimitFlags {
  return { memory: args.memory, cpus: args.cpus, pids: args.pids, timeout: args.timeout };
}

/** --pull, as docker run's: for registry images (archives, layouts and debian: are made locally). */
export const pullOption = {
  pull: {
    choices: ['missing', 'always', 'never'] as const satisfies readonly PullPolicy[],
    default: 'missing',
    describe:
      'missing: ask the registry only for an image the store lacks; always: ask it again for every tag (stored blobs are not fetched again); ' +
      'never: fail a job whose image is not stored',
  },
} as const;

/** --cache-dir moves the whole store (layers, caches, run dirs): they must share a filesystem. The CLI edge (edge.ts) resolves it. */
export const cacheDirOption = {
  'cache-dir': { type: 'string', describe: 'the layer store (default: $XDG_CACHE_HOME/cubicle or ~/.cache/cubicle)' },
} as const;

/** --cache-scope: whose `caches:` dirs a job gets (src/plan/cache-scope.ts); checked by the command. */
export const cacheScopeOption = {
  'cache-scope': {
    type: 'string',
    describe:
      'whose `caches:` dirs jobs read and write: a run of an untrusted branch gets its own (default: "local"; under GitHub Actions pr-NUMBER or ref-BRANCH)',
  },
} as const;

/** --quiet / --verbose win over $CUBICLE_OUTPUT (which a user may set, like CARGO_TERM_QUIET): edge.ts. They conflict (outputConflicts). */
export const outputOptions = {
  quiet: { alias: 'q', type: 'boolean', describe: 'only failures and the summary (or CUBICLE_OUTPUT=quiet)' },
  verbose: {
    alias: 'v',
    type: 'boolean',
    describe: "also each job's image and limits, and on a terminal its setup and output lines (or CUBICLE_OUTPUT=verbose)",
  },
} as const;

export const configOption = {
  config: { type: 'string', describe: 'config file (default: found by cosmiconfig from the current dir)' },
} as const;
