// `cubicle exec -- CMD`: one command in a sandbox of the current directory, no config needed;
// its stdio passed through and its exit code returned, as `docker run --rm` and `bwrap` do.
import { resolveConfig, type LimitFlags } from '../config/resolve.js';
import type { PullPolicy } from '../image/resolve.js';
import { storeRoot } from './edge.js';
import { runInJobSandbox } from './one-job.js';

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

export async function execCommand(args: ExecCommandArgs): Promise<number> {
  const config = resolveConfig({
    raw: { jobs: { exec: { run: args.command, image: args.image, network: args.network } } },
    source: '(cubicle exec)',
    projectDir: process.cwd(),
    flags: args.flags,
  });
  return runInJobSandbox(config, config.jobs[0]!, {
    command: config.jobs[0]!.command,
    interactive: false,
    noLimits: args.noLimits,
    pull: args.pull,
    cacheDir: storeRoot(args.cacheDir),
    what: 'the command',
    notStarted: { words: 'nothing was run', exitCode: 125 },
  });
}
