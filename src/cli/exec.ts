// `cubicle exec -- CMD`: one command in a sandbox of the current directory, no config needed;
// its stdio passed through and its exit code returned, as `docker run --rm` and `bwrap` do.
import { resolveConfig, type LimitFlags } from '../config/resolve.js';
import type { PullPolicy } from '../image/resolve-base.js';
import { storeRoot } from './edge.js';
import { planOneJob } from '../plan/run-plan.js';
import { runInJobSandbox } from './one-job.js';
import type { SystemdScopeNeeded } from '../run/limits.js';
import { UsageError } from '../core/errors.js';
import { defineCommand, positionals } from './command.js';
import { cacheDirOption, limitFlags, limitOptions, pullOption } from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 exec -- npm test', 'npm test in a throwaway sandbox of this directory'],
    ['$0 exec --timeout 10s -- ./flaky.sh', 'bounded by a wall-clock limit'],
  ],
  options: {
    image: { type: 'string', default: 'host', describe: 'base image' },
    network: { choices: ['none', 'host'], default: 'none', describe: 'none: loopback only' },
    ...cacheDirOption,
    ...pullOption,
    ...limitOptions(''),
  },
  run: (args) => {
    const command = [...positionals(args), ...(args['--'] ?? []).map(String)];
    if (command.length === 0) throw new UsageError('no command given', { hint: 'Put the command after --: `cubicle exec -- npm test`.' });
    const { image, network, pull } = args;
    return execCommand({ command, image, network, noLimits: !args.limits, pull, cacheDir: args['cache-dir'], flags: limitFlags(args) });
  },
});

export interface ExecCommandArgs {
  command: string[];
  image: string;
  network: 'none' | 'host';
  noLimits: boolean;
  pull: PullPolicy;
  /** --cache-dir; default: $CUBICLE_CACHE_DIR, else the XDG cache (edge.ts). */
  cacheDir?: string | undefined;
  flags: LimitFlags;
}

export async function execCommand(args: ExecCommandArgs): Promise<number | SystemdScopeNeeded> {
  const config = resolveConfig({
    raw: { jobs: { exec: { run: args.command, image: args.image, network: args.network } } },
    source: '(cubicle exec)',
    projectDir: process.cwd(),
    flags: args.flags,
  });
  const plan = await planOneJob(config, 'exec', { cacheDir: storeRoot(args.cacheDir), hostEnv: process.env, noLimits: args.noLimits, pull: args.pull });
  return runInJobSandbox(plan, {
    command: plan.only.job.command,
    interactive: false,
    what: 'the command',
    notStarted: { words: 'nothing was run', exitCode: 125 },
  });
}
