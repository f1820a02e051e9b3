import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { LimitFlags } from '../config/resolve.js';
import { UsageError } from '../core/errors.js';
import type { PullPolicy } from '../image/resolve.js';
import { isStdout, resolveReportPath } from '../report/destination.js';
import { JsonReporter } from '../report/json.js';
import { JunitReporter } from '../report/junit.js';
import type { Reporter } from '../report/reporter.js';
import { TerminalReporter } from '../report/terminal.js';
import { PASSING } from '../run/result.js';
import { checkCacheScope, defaultCacheScope } from '../run/cache-scope.js';
import { runJobs } from '../run/run.js';
import { readTimingsFile } from '../run/timings.js';
import { parseSize } from '../config/units.js';
import { cancelOnSignals } from './signals.js';

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
  memoryBudget?: string | undefined;
  cpuBudget?: number | undefined;
  failFast?: boolean;
  pull?: PullPolicy | undefined;
  /** --cache-scope; default: run/cache-scope.ts's. */
  cacheScope?: string | undefined;
  /** --color / --no-color; default: FORCE_COLOR, NO_COLOR, a TTY (report/color.ts). */
  color?: boolean | undefined;
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

export async function runCommand(args: RunCommandArgs): Promise<number> {
  if (args.parallel !== undefined && (!Number.isInteger(args.parallel) || args.parallel < 1)) {
    throw new UsageError(`--parallel: expected a whole number of jobs of at least 1, got ${args.parallel}`);
  }
  const cacheScope = checkCacheScope(args.cacheScope ?? defaultCacheScope(process.env));
  const cwd = process.cwd();
  const config = await loadConfig({ cwd, configPath: args.config, flags: args.flags, selected: args.jobs });
  const junitFile = resolveReportPath(cwd, args.junit);
  const jsonFile = args.json ? resolveReportPath(cwd, args.json) : undefined;
  // A report on stdout (`--json -`) is all stdout holds: the live view and summary go to stderr.
  const consoleStream = isStdout(junitFile) || (jsonFile !== undefined && isStdout(jsonFile)) ? process.stderr : process.stdout;
  const reporters: Reporter[] = [new TerminalReporter(consoleStream, { color: args.color }), new JunitReporter(junitFile, { checkout: config.projectDir })];
  if (jsonFile) reporters.push(new JsonReporter(jsonFile, config.projectDir));
  const cancel = cancelOnSignals();
  const timings = args.timings ? readTimingsFile(path.resolve(cwd, args.timings), config.projectDir) : undefined;
  try {
    const summary = await runJobs(config, {
      selected: args.jobs,
      parallel: args.parallel,
      noLimits: args.noLimits,
      artifactsDir: args.artifactsDir ? path.resolve(cwd, args.artifactsDir) : undefined,
      hostEnv: process.env,
      reporters,
      signal: cancel.signal,
      noCache: args.noCache ?? false,
      shard: args.shard,
      shardBy: args.shardBy,
      timings: timings?.jobs,
      testTimings: timings?.tests,
      memoryBudgetBytes: budgetBytes(args.memoryBudget),
      cpuBudget: cpuBudget(args.cpuBudget),
      failFast: args.failFast ?? false,
      pull: args.pull,
      cacheScope,
    });
    if (cancel.received) return cancel.exitCode;
    // A skipped job either needed one that failed (which fails the run) or had no test files in this shard.
    return summary.results.every((result) => PASSING.has(result.status) || result.status === 'skipped') ? 0 : 1;
  } finally {
    cancel.dispose();
  }
}
