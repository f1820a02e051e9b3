// `cubicle shell JOB`: a shell in exactly the job's sandbox (its image and setup layers, env,
// limits, cgroups, mounts and network), to debug a failure by hand. Nothing it writes is kept.
import { loadConfig } from '../config/load.js';
import { safeMessage } from '../core/message.js';
import type { LimitFlags, ResolvedJob } from '../config/resolve.js';
import { formatBytes } from '../core/units.js';
import type { PullPolicy } from '../image/resolve-base.js';
import { storeRoot } from './edge.js';
import { planOneJob } from '../plan/run-plan.js';
import { runInJobSandbox } from './one-job.js';
import type { SystemdScopeNeeded } from '../run/limits.js';
import { defineCommand, positionals } from './command.js';
import { cacheDirOption, cacheScopeOption, configOption, limitFlags, limitOptions, pullOption } from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 shell unit', "an interactive shell where job unit's command would run"],
    ["$0 shell unit --command 'ls node_modules | wc -l'", "one command, as a `run:` would run it (with the job's timeout)"],
  ],
  options: {
    command: { alias: 'c', type: 'string', describe: 'run this with /bin/sh -c instead of an interactive shell' },
    ...configOption,
    ...cacheDirOption,
    ...cacheScopeOption,
    ...pullOption,
    ...limitOptions(' for a job without its own'),
  },
  configure: (parser) => parser.demandCommand(1, 1, 'Name the job: `cubicle shell JOB`.', 'shell takes one job'),
  run: (args) =>
    shellCommand({
      job: positionals(args)[0]!,
      command: args.command,
      config: args.config,
      noLimits: !args.limits,
      pull: args.pull,
      cacheScope: args['cache-scope'],
      cacheDir: args['cache-dir'],
      flags: limitFlags(args),
    }),
});

export interface ShellCommandArgs {
  job: string;
  /** Run this with /bin/sh -c, as a job's `run:` is, instead of an interactive shell. */
  command?: string | undefined;
  config?: string | undefined;
  noLimits: boolean;
  pull: PullPolicy;
  cacheScope?: string | undefined;
  /** --cache-dir; default: $CUBICLE_CACHE_DIR, else the XDG cache (edge.ts). */
  cacheDir?: string | undefined;
  flags: LimitFlags;
}

/** bash where the job's filesystem has it, else sh: decided inside the sandbox, where the image is. */
const INTERACTIVE_SHELL = ['/bin/sh', '-c', 'if [ -x /bin/bash ]; then exec /bin/bash; fi; exec /bin/sh'];

export async function shellCommand(args: ShellCommandArgs): Promise<number | SystemdScopeNeeded> {
  const config = await loadConfig({ cwd: process.cwd(), configPath: args.config, flags: args.flags, selected: [args.job] });
  for (const notice of config.notices ?? []) process.stderr.write(`cubicle: notice: ${safeMessage(notice)}\n`);
  const plan = await planOneJob(config, args.job, {
    cacheDir: storeRoot(args.cacheDir),
    hostEnv: process.env,
    noLimits: args.noLimits,
    pull: args.pull,
    cacheScope: args.cacheScope,
  });
  const interactive = args.command === undefined;
  return runInJobSandbox(plan, {
    command: interactive ? INTERACTIVE_SHELL : ['/bin/sh', '-c', args.command!],
    interactive,
    what: 'the shell',
    notStarted: { words: 'no shell was started', exitCode: 1 },
    banner: interactive
      ? (shellJob, enforced) =>
          `cubicle: a shell in job ${shellJob.name}'s sandbox (${describeLimits(shellJob, enforced)}); what you change there is thrown away on exit\n`
      : undefined,
  });
}

function describeLimits(job: ResolvedJob, enforced: boolean): string {
  const { memoryBytes, cpus, pids } = job.limits;
  const limits = [
    memoryBytes === undefined ? '' : `memory ${formatBytes(memoryBytes)}`,
    cpus === undefined ? '' : `cpus ${cpus}`,
    pids === undefined ? '' : `pids ${pids}`,
  ].filter(Boolean);
  const shown = limits.length === 0 ? 'no memory, cpus or pids limits' : `${limits.join(', ')}${enforced ? '' : ' (not enforced: --no-limits)'}`;
  const services = job.services.length > 0 ? `, services ${job.services.map((service) => service.name).join(', ')} up (stopped when you exit)` : '';
  return `network ${job.network}${services}, ${shown}, no timeout`;
}
