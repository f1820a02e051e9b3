import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { LimitFlags } from '../config/resolve.js';
import { UsageError } from '../core/errors.js';
import { safeMessage } from '../core/message.js';
import type { PullPolicy } from '../image/resolve-base.js';
import { isStdout, resolveReportPath } from '../report/destination.js';
import { JsonReporter } from '../report/json.js';
import { JunitReporter } from '../report/junit.js';
import type { Reporter } from '../run/events.js';
import { TerminalReporter } from '../report/terminal.js';
import { PASSING } from '../run/result.js';
import { checkCacheScope, defaultCacheScope } from '../plan/cache-scope.js';
import { runJobs } from '../run/execute.js';
import { needsSystemdScope, type SystemdScopeNeeded } from '../run/limits.js';
import { planRun } from '../plan/run-plan.js';
import { readTimingsFile } from '../plan/timings-file.js';
import { parseSize } from '../core/units.js';
import { storeRoot, verbosity } from './edge.js';
import { cachedTimings, layerSourceOf, openRunCaches, pushAfterRun } from './registry-cache.js';
import { refuseStoreInCheckout, storePaths } from '../store/paths.js';
import { cancelOnSignals } from './signals.js';
import { defineCommand, positionals } from './command.js';
import { cacheDirOption, cacheScopeOption, configOption, limitFlags, limitOptions, outputOptions, pullOption } from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 run', 'run every job in cubicle.config.yaml'],
    ['$0 run unit lint --junit reports/junit.xml', 'run two jobs, JUnit to a chosen path'],
    ['$0 run --quiet', 'print only what failed, and the summary'],
    ['$0 run --shard 2/3 --timings merged-junit.xml', 'the second of three CI machines, balanced by the last run'],
    ['$0 run --shard auto', "this machine's part, as GitLab (parallel:), Buildkite or CircleCI (parallelism:) number it"],
  ],
  options: {
    ...configOption,
    parallel: { type: 'number', describe: 'jobs at once (default: the number of cores)' },
    junit: { type: 'string', default: 'cubicle-junit.xml', describe: 'JUnit report to write (`-`: stdout; /dev/null, a FIFO: written directly)' },
    json: { type: 'string', describe: 'also write per-job results as JSON (`-`: stdout, and the console view goes to stderr)' },
    'artifacts-dir': { type: 'string', describe: 'where junit/artifacts files are copied (default: cubicle-artifacts/ next to the config)' },
    cache: { type: 'boolean', default: true, describe: 'reuse cached setup layers; --no-cache runs every setup step again' },
    shard: {
      type: 'string',
      describe:
        'run part i of n of the jobs, e.g. 2/3 (balanced by recorded durations; jobs joined by needs stay together); auto: i/n from ' +
        "the CI's variables: GitLab CI_NODE_INDEX/CI_NODE_TOTAL, Buildkite BUILDKITE_PARALLEL_JOB(_COUNT), CircleCI CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL",
    },
    'shard-by': {
      choices: ['job', 'test'],
      default: 'job',
      describe:
        'job: deal jobs to shards; test: every shard runs every job on its part of the test files (a job with testFiles: gets them as arguments, ' +
        'as the python preset does for pytest; others get CUBICLE_TEST_SHARD, which the node preset passes to vitest and jest)',
    },
    'cache-from': {
      type: 'string',
      describe: 'look up setup layers missing here in this registry cache (e.g. ghcr.io/owner/repo/cubicle-cache) before building them',
    },
    'cache-to': {
      type: 'string',
      describe: "after the run, push this run's setup layers and its JUnit timings to this registry cache (only from trusted runs)",
    },
    timings: {
      type: 'string',
      describe: 'durations to balance shards by (give every shard the same file): a JUnit report, e.g. the merged one of the last run, or a --json file',
    },
    'memory-budget': { type: 'string', describe: "start a job only while the running jobs' memory limits fit, e.g. 8g (default: available memory)" },
    'cpu-budget': { type: 'number', describe: "start a job only while the running jobs' CPUs fit (default: the number of cores)" },
    'fail-fast': { type: 'boolean', describe: 'the first job that does not pass cancels the others' },
    color: { type: 'boolean', describe: "colour cubicle's own lines, or not (--no-color); wins over FORCE_COLOR and NO_COLOR (default: on a terminal)" },
    ...outputOptions,
    ...cacheDirOption,
    ...cacheScopeOption,
    ...pullOption,
    ...limitOptions(' for jobs without their own (replaces `defaults:`)'),
  },
  configure: (parser) => parser.conflicts('quiet', 'verbose'),
  run: (args) =>
    runCommand({
      jobs: positionals(args),
      config: args.config,
      parallel: args.parallel,
      junit: args.junit,
      json: args.json,
      artifactsDir: args['artifacts-dir'],
      noLimits: !args.limits,
      noCache: !args.cache,
      shard: args.shard,
      shardBy: args['shard-by'],
      timings: args.timings,
      cacheFrom: args['cache-from'],
      cacheTo: args['cache-to'],
      memoryBudget: args['memory-budget'],
      cpuBudget: args['cpu-budget'],
      failFast: args['fail-fast'] === true,
      color: args.color,
      pull: args.pull,
      cacheScope: args['cache-scope'],
      cacheDir: args['cache-dir'],
      quiet: args.quiet,
      verbose: args.verbose,
      flags: limitFlags(args),
    }),
});

export interface RunCommandArgs {
  jobs: readonly string[];
  config?: string | undefined;
  parallel?: number | undefined;
  junit: string;
  json?: string | undefined;
  artifactsDir?: string | undefined;
  noLimits: boolean;
  noCache?: boolean;
  shard?: string | undefined;
  shardBy?: 'job' | 'test' | undefined;
  timings?: string | undefined;
  /** --cache-from / --cache-to: a registry cache (cli/registry-cache.ts). */
  cacheFrom?: string | undefined;
  cacheTo?: string | undefined;
  memoryBudget?: string | undefined;
  cpuBudget?: number | undefined;
  failFast?: boolean;
  pull?: PullPolicy | undefined;
  /** --cache-scope; default: plan/cache-scope.ts's. */
  cacheScope?: string | undefined;
  /** --color / --no-color; default: FORCE_COLOR, NO_COLOR, a TTY (report/color.ts). */
  color?: boolean | undefined;
  /** --cache-dir; default: $CUBICLE_CACHE_DIR, else the XDG cache (edge.ts). */
  cacheDir?: string | undefined;
  /** --quiet / --verbose; default: $CUBICLE_OUTPUT (edge.ts). */
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
  flags: LimitFlags;
}

function budgetBytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const bytes = parseSize(text);
  if (bytes === undefined) throw new UsageError(`--memory-budget: expected a size like 8g, got ${JSON.stringify(text)}; nothing was run`);
  return bytes;
}

function cpuBudget(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--cpu-budget: expected a number of CPUs like 4 or 1.5, got ${value}; nothing was run`);
  return value;
}

export async function runCommand(args: RunCommandArgs): Promise<number | SystemdScopeNeeded> {
  if (args.parallel !== undefined && (!Number.isInteger(args.parallel) || args.parallel < 1)) {
    throw new UsageError(`--parallel: expected a whole number of jobs of at least 1, got ${args.parallel}`);
  }
  const cacheScope = checkCacheScope(args.cacheScope ?? defaultCacheScope(process.env));
  const cwd = process.cwd();
  const config = await loadConfig({ cwd, configPath: args.config, flags: args.flags, selected: args.jobs });
  // What the config asks for and cubicle ignores (a Compose service's ports:) is said, never dropped silently.
  for (const notice of config.notices ?? []) process.stderr.write(`cubicle: notice: ${safeMessage(notice)}\n`);
  const junitFile = resolveReportPath(cwd, args.junit);
  const jsonFile = args.json ? resolveReportPath(cwd, args.json) : undefined;
  // A report on stdout (`--json -`) is all stdout holds: the live view and summary go to stderr.
  const consoleStream = isStdout(junitFile) || (jsonFile !== undefined && isStdout(jsonFile)) ? process.stderr : process.stdout;
  const reporters: Reporter[] = [
    new TerminalReporter(consoleStream, { color: args.color, verbosity: verbosity(args) }),
    new JunitReporter(junitFile, { checkout: config.projectDir }),
  ];
  if (jsonFile) reporters.push(new JsonReporter(jsonFile, config.projectDir));
  const cancel = cancelOnSignals();
  let timings = args.timings ? readTimingsFile(path.resolve(cwd, args.timings), config.projectDir) : undefined;
  try {
    const caches = openRunCaches(args.cacheFrom, args.cacheTo, config, cancel.signal);
    const store = storePaths(storeRoot(args.cacheDir));
    if (caches.from && !timings) {
      refuseStoreInCheckout(store, config.projectDir); // as planning would, before the timings land in the store
      timings = await cachedTimings(caches.from, store);
    }
    const plan = await planRun(config, {
      selected: args.jobs,
      cacheDir: storeRoot(args.cacheDir),
      hostEnv: process.env,
      parallel: args.parallel,
      noLimits: args.noLimits,
      noCache: args.noCache,
      failFast: args.failFast,
      pull: args.pull,
      cacheScope,
      artifactsDir: args.artifactsDir ? path.resolve(cwd, args.artifactsDir) : undefined,
      shard: args.shard,
      shardBy: args.shardBy,
      timings,
      memoryBudgetBytes: budgetBytes(args.memoryBudget),
      cpuBudget: cpuBudget(args.cpuBudget),
    });
    const usedLayers = new Set<string>();
    const layerSource = caches.from && layerSourceOf(caches.from, plan.store);
    const summary = await runJobs(plan, { reporters, signal: cancel.signal, layerSource, usedLayers });
    if (needsSystemdScope(summary)) return summary;
    if (caches.to && !cancel.received) await pushAfterRun(caches.to, plan.store, usedLayers, isStdout(junitFile) ? undefined : junitFile);
    if (cancel.received) return cancel.exitCode;
    // A skipped job either needed one that failed (which fails the run) or had no test files in this shard.
    return summary.results.every((result) => PASSING.has(result.status) || result.status === 'skipped') ? 0 : 1;
  } finally {
    cancel.dispose();
  }
}
