// The commands: their options (for yargs) and what runs them. Handlers load lazily.
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.js';
import type { PullPolicy } from '../image/resolve.js';

export type ParsedArgs = Record<string, unknown> & { _: (string | number)[]; '--'?: (string | number)[] };

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly describe: string;
  readonly examples: readonly (readonly [string, string])[];
  options(parser: Argv): void;
  run(args: ParsedArgs): Promise<number>;
}

const limitOptions = (parser: Argv, scope: string) =>
  parser
    .option('memory', { type: 'string', describe: `memory limit${scope}, e.g. 512m` })
    .option('cpus', { type: 'string', describe: `CPU limit${scope}, e.g. 1.5` })
    .option('pids', { type: 'string', describe: `process limit${scope}` })
    .option('timeout', { type: 'string', describe: `wall-clock limit${scope}, e.g. 10m` })
    .option('limits', { type: 'boolean', default: true, describe: 'enforce memory, cpus and pids limits; --no-limits runs without them when they cannot be' });

function limitFlags(args: ParsedArgs) {
  const text = (value: unknown) => (value === undefined ? undefined : String(value));
  return { memory: text(args.memory), cpus: text(args.cpus), pids: text(args.pids), timeout: text(args.timeout) };
}

/** --pull, as docker run's: for registry images (archives, layouts and debian: are made locally). */
const pullOption = (parser: Argv) =>
  parser.option('pull', {
    choices: ['missing', 'always', 'never'] satisfies PullPolicy[],
    default: 'missing',
    describe: 'missing: ask the registry only for an image the store lacks; always: ask it again for every tag (stored blobs are not fetched again); never: fail a job whose image is not stored',
  });

/** --cache-dir moves the whole store (layers, caches, run dirs): they must share a filesystem. */
const cacheDirOption = (parser: Argv) =>
  parser.option('cache-dir', {
    type: 'string',
    describe: 'the layer store (default: $XDG_CACHE_HOME/cubicle or ~/.cache/cubicle)',
    coerce: (dir: string) => {
      process.env.CUBICLE_CACHE_DIR = dir;
      return dir;
    },
  });

/** --cache-scope: whose `caches:` dirs a job gets (src/run/cache-scope.ts); checked by the command. */
const cacheScopeOption = (parser: Argv) =>
  parser.option('cache-scope', {
    type: 'string',
    describe:
      'whose `caches:` dirs jobs read and write: a run of an untrusted branch gets its own (default: "local"; under GitHub Actions pr-NUMBER or ref-BRANCH)',
  });

/**
 * --quiet / --verbose reach the terminal reporter as CUBICLE_OUTPUT (which a user may also set,
 * like CARGO_TERM_QUIET), the way --cache-dir reaches the store.
 */
const outputOptions = (parser: Argv) =>
  parser
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      describe: 'only failures and the summary (or CUBICLE_OUTPUT=quiet)',
      coerce: (quiet: boolean) => {
        if (quiet) process.env.CUBICLE_OUTPUT = 'quiet';
        return quiet;
      },
    })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      describe: "also each job's image and limits, and on a terminal its setup and output lines (or CUBICLE_OUTPUT=verbose)",
      coerce: (verbose: boolean) => {
        if (verbose) process.env.CUBICLE_OUTPUT = 'verbose';
        return verbose;
      },
    })
    .conflicts('quiet', 'verbose');

function positionals(args: ParsedArgs): string[] {
  return args._.map(String);
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'run',
    usage: 'run [jobs..]',
    describe: "Run the config's jobs (all, or the ones named and what they need), each in its own sandbox.",
    examples: [
      ['$0 run', 'run every job in cubicle.config.yaml'],
      ['$0 run unit lint --junit reports/junit.xml', 'run two jobs, JUnit to a chosen path'],
      ['$0 run --quiet', 'print only what failed, and the summary'],
      ['$0 run --shard 2/3 --timings merged-junit.xml', 'the second of three CI machines, balanced by the last run'],
    ],
    options: (parser) => {
      parser
        .option('config', { type: 'string', describe: 'config file (default: found by cosmiconfig from the current dir)' })
        .option('parallel', { type: 'number', describe: 'jobs at once (default: the number of cores)' })
        .option('junit', { type: 'string', default: 'cubicle-junit.xml', describe: 'JUnit report to write (`-`: stdout; /dev/null, a FIFO: written directly)' })
        .option('json', { type: 'string', describe: 'also write per-job results as JSON (`-`: stdout, and the console view goes to stderr)' })
        .option('artifacts-dir', { type: 'string', describe: 'where junit/artifacts files are copied (default: cubicle-artifacts/ next to the config)' })
        .option('cache', { type: 'boolean', default: true, describe: 'reuse cached setup layers; --no-cache runs every setup step again' })
        .option('shard', { type: 'string', describe: 'run part i of n of the jobs, e.g. 2/3 (balanced by recorded durations; jobs joined by needs stay together)' })
        .option('shard-by', { choices: ['job', 'test'], default: 'job', describe: 'job: deal jobs to shards; test: every shard runs every job on its part of the test files (a job with testFiles: gets them as arguments, as the python preset does for pytest; others get CUBICLE_TEST_SHARD, which the node preset passes to vitest and jest)' })
        .option('timings', { type: 'string', describe: 'durations to balance shards by (give every shard the same file): a JUnit report, e.g. the merged one of the last run, or a --json file' })
        .option('memory-budget', { type: 'string', describe: "start a job only while the running jobs' memory limits fit, e.g. 8g (default: available memory)" })
        .option('cpu-budget', { type: 'number', describe: "start a job only while the running jobs' CPUs fit (default: the number of cores)" })
        .option('fail-fast', { type: 'boolean', describe: 'the first job that does not pass cancels the others' })
        .option('color', { type: 'boolean', describe: "colour cubicle's own lines, or not (--no-color); wins over FORCE_COLOR and NO_COLOR (default: on a terminal)" });
      outputOptions(parser);
      cacheDirOption(parser);
      cacheScopeOption(parser);
      pullOption(parser);
      limitOptions(parser, ' for jobs without their own (replaces `defaults:`)');
    },
    run: async (args) => {
      const { runCommand } = await import('./run.js');
      return runCommand({
        jobs: positionals(args),
        config: args.config as string | undefined,
        parallel: args.parallel as number | undefined,
        junit: args.junit as string,
        json: args.json as string | undefined,
        artifactsDir: args['artifacts-dir'] as string | undefined,
        noLimits: args.limits === false,
        noCache: args.cache === false,
        shard: args.shard as string | undefined,
        shardBy: args['shard-by'] as 'job' | 'test',
        timings: args.timings as string | undefined,
        memoryBudget: args['memory-budget'] as string | undefined,
        cpuBudget: args['cpu-budget'] as number | undefined,
        failFast: args['fail-fast'] === true,
        color: args.color as boolean | undefined,
        pull: args.pull as PullPolicy,
        cacheScope: args['cache-scope'] as string | undefined,
        flags: limitFlags(args),
      });
    },
  },
  {
    name: 'exec',
    usage: 'exec [options] -- COMMAND [ARGS..]',
    describe: 'Run one command in a sandbox of the current directory, no config needed; its exit code is yours.',
    examples: [
      ['$0 exec -- npm test', 'npm test in a throwaway sandbox of this directory'],
      ['$0 exec --timeout 10s -- ./flaky.sh', 'bounded by a wall-clock limit'],
    ],
    options: (parser) => {
      parser
        .option('image', { type: 'string', default: 'host', describe: 'base image' })
        .option('network', { choices: ['none', 'host'], default: 'none', describe: 'none: loopback only' });
      cacheDirOption(parser);
      pullOption(parser);
      limitOptions(parser, '');
    },
    run: async (args) => {
      const command = [...positionals(args), ...(args['--'] ?? []).map(String)];
      if (command.length === 0) throw new UsageError('no command given', { hint: 'Put the command after --: `cubicle exec -- npm test`.' });
      const { execCommand } = await import('./exec.js');
      return execCommand({
        command,
        image: args.image as string,
        network: args.network as 'none' | 'host',
        noLimits: args.limits === false,
        pull: args.pull as PullPolicy,
        flags: limitFlags(args),
      });
    },
  },
  {
    name: 'shell',
    usage: 'shell JOB [--command CMD]',
    describe:
      "A shell in JOB's sandbox, to debug it: its image and setup layers, env, limits, mounts and network, the checkout below a throwaway layer. bash if the job's filesystem has it, else sh; exits with the shell's code.",
    examples: [
      ['$0 shell unit', "an interactive shell where job unit's command would run"],
      ["$0 shell unit --command 'ls node_modules | wc -l'", 'one command, as a `run:` would run it (with the job\'s timeout)'],
    ],
    options: (parser) => {
      parser
        .option('command', { alias: 'c', type: 'string', describe: 'run this with /bin/sh -c instead of an interactive shell' })
        .option('config', { type: 'string', describe: 'config file (default: found by cosmiconfig from the current dir)' })
        .demandCommand(1, 1, 'Name the job: `cubicle shell JOB`.', 'shell takes one job');
      cacheDirOption(parser);
      cacheScopeOption(parser);
      pullOption(parser);
      limitOptions(parser, ' for a job without its own');
    },
    run: async (args) => {
      const [job] = positionals(args);
      const { shellCommand } = await import('./shell.js');
      return shellCommand({
        job: job!,
        command: args.command as string | undefined,
        config: args.config as string | undefined,
        noLimits: args.limits === false,
        pull: args.pull as PullPolicy,
        cacheScope: args['cache-scope'] as string | undefined,
        flags: limitFlags(args),
      });
    },
  },
  {
    name: 'init',
    usage: 'init [--force]',
    describe:
      'Write a starter cubicle.config.yaml from what the current dir holds: package.json and its lockfile (npm, pnpm, yarn), requirements.txt or pyproject.toml (pytest), go.mod, a Makefile. Never replaces a config without --force.',
    examples: [
      ['$0 init && $0 run', 'a config, then a first run'],
      ['$0 init --force', 'start over: replace the existing cubicle.config.yaml'],
    ],
    options: (parser) => {
      parser.option('force', { type: 'boolean', describe: 'replace an existing config' }).demandCommand(0, 0, '', 'init takes no arguments');
    },
    run: async (args) => {
      const { initCommand } = await import('./init.js');
      return initCommand({ force: args.force === true });
    },
  },
  {
    name: 'completion',
    usage: 'completion [bash|zsh]',
    describe: "Print the shell completion script (commands, options, and the config's job names for run and shell). Default: for your $SHELL.",
    examples: [
      ['$0 completion >> ~/.bashrc', 'complete cubicle in every new bash'],
      ['$0 completion zsh >> ~/.zshrc', 'the same for zsh'],
    ],
    options: (parser) => {
      parser.demandCommand(0, 1, '', 'completion takes at most one shell: bash or zsh');
    },
    run: async (args) => {
      const [shell] = positionals(args);
      const { completionCommand, COMPLETION_SHELLS } = await import('./completion.js');
      if (shell !== undefined && !(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError(`completion: no script for "${shell}"`, { hint: 'Ask for bash or zsh, or leave it out for your $SHELL.' });
      }
      return completionCommand({ shell: shell as 'bash' | 'zsh' | undefined });
    },
  },
  {
    name: 'setup',
    usage: 'setup --user USER [--undo]',
    describe: 'As root, once: delegate cgroups to USER for memory, cpus and pids limits and, where Ubuntu restricts user namespaces, allow them for the helper alone. --undo removes exactly what setup made.',
    examples: [
      ['sudo npx $0 setup --user "$USER"', 'let your user run limited jobs'],
      ['sudo npx $0 setup --user "$USER" --undo', 'take it back'],
    ],
    options: (parser) => {
      parser
        .option('user', { type: 'string', demandOption: true, describe: 'the user who will run cubicle' })
        .option('undo', { type: 'boolean', describe: 'remove what setup made for USER' })
        .demandCommand(0, 0, '', 'setup takes no arguments');
    },
    run: async (args) => {
      const { setupCommand } = await import('./setup.js');
      return setupCommand({ user: String(args.user), undo: args.undo === true });
    },
  },
  {
    name: 'cache',
    usage: 'cache <ls|prune|verify|export|import> [FILE]',
    describe: 'The layer store: list layers, prune them (least recently used first), verify their digests, export or import them as tar + zstd for CI caches.',
    examples: [
      ['$0 cache ls', 'what is cached, newest use first'],
      ['$0 cache prune --keep-size 5g --older-than 7d', 'drop layers unused for a week, then the oldest until 5 GiB remain'],
      ['$0 cache export /tmp/layers.tar.zst', 'for actions/cache; `cache import` on the next run'],
    ],
    options: (parser) => {
      parser
        .option('json', { type: 'boolean', describe: 'ls: print the layers as JSON' })
        .option('keep-size', { type: 'string', describe: 'prune: remove least recently used layers until the store fits, e.g. 5g' })
        .option('older-than', { type: 'string', describe: 'prune: remove layers unused for this long, e.g. 7d' })
        .option('all', { type: 'boolean', describe: 'prune: remove every layer' });
      cacheDirOption(parser);
    },
    run: async (args) => {
      const [action, file, ...extra] = positionals(args);
      if (!action) throw new UsageError('name a cache action: ls, prune, verify, export FILE or import FILE');
      if (extra.length > 0) throw new UsageError(`cache ${action}: unexpected arguments ${extra.join(' ')}`);
      const { cacheCommand } = await import('./cache.js');
      return cacheCommand({
        action,
        file,
        json: args.json === true,
        keepSize: args['keep-size'] as string | undefined,
        olderThan: args['older-than'] as string | undefined,
        all: args.all === true,
      });
    },
  },
  {
    name: 'doctor',
    usage: 'doctor [--json] [--dir DIR | --config FILE]',
    describe:
      'What this host supports for sandboxes, every tool cubicle may run, and the exact fix for what it lacks; in a checkout, files whose owners ' +
      'a sandbox cannot map. Exit 3 when jobs cannot run here.',
    examples: [
      ['$0 doctor', 'check this machine (and the checkout of the config found from here)'],
      ['$0 doctor --dir ~/src/app', "also check that checkout's file owners"],
    ],
    options: (parser) => {
      parser
        .option('json', { type: 'boolean', describe: 'print the checks as JSON' })
        .option('dir', { type: 'string', describe: "a checkout whose files' owners to check (default: the dir of the config found from here)" })
        .option('config', { type: 'string', describe: 'a config file: its dir is the checkout to check' })
        .conflicts('dir', 'config')
        .demandCommand(0, 0, '', 'doctor takes no arguments');
    },
    run: async (args) => {
      const { doctorCommand } = await import('./doctor.js');
      const text = (value: unknown) => (value === undefined ? undefined : String(value));
      return doctorCommand({ json: args.json === true, dir: text(args.dir), config: text(args.config) });
    },
  },
  {
    name: 'merge',
    usage: 'merge REPORT.xml.. -o OUT.xml',
    describe: 'Merge JUnit reports (of shards or machines) into one: every suite kept, totals recomputed. Nothing is written if an input is missing or not JUnit.',
    examples: [['$0 merge shard-1/cubicle-junit.xml shard-2/cubicle-junit.xml -o cubicle-junit.xml', 'one report for every shard']],
    options: (parser) => {
      parser.option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the merged report to write' }).demandCommand(1, 'Name the reports to merge.');
    },
    run: async (args) => {
      const { mergeCommand } = await import('./merge.js');
      return mergeCommand({ reports: positionals(args), output: String(args.output) });
    },
  },
];
