// A setup step's environment is fixed, as BuildKit's for a RUN line, so that its layer key
// (plan/step-key.ts) covers all of it: nothing of the runner (TERM, LANG, CI, most of its PATH) or
// of the job (its name, its `env`) reaches a step, and the same step in two jobs is one layer.
// The one exception is a toolchain under /opt (GitHub's setup-node/-python/-go), which the job
// runs with: a step must build with the same one, and then its dir is in the key. ~/.local/bin
// leads both the steps' PATH and the job's: what a step puts there (corepack's pnpm and yarn
// shims, pip --user scripts) lies in its layer, and the job's command finds it as the step did.
import path from 'node:path';
import type { SetupStep } from '../config/resolve.js';
import { DEFAULT_PATH } from './sandbox-spec.js';

export interface StepBase {
  /** The image config's Env (empty for `host`): its PATH wins over the default. */
  readonly imageEnv: Readonly<Record<string, string>>;
  /** The job's HOME: what a step writes under ~ must be where the job looks for it. */
  readonly home: string;
  /** `host` only: toolchainDirs() of the runner's PATH, put before the default PATH. */
  readonly toolchainDirs?: readonly string[];
}

/** The dir under HOME that leads the PATH of setup steps and of jobs that have them. */
export const HOME_BIN = '.local/bin';

/** `searchPath` with HOME's bin dir first (once); a relative HOME has none. */
export function withHomeBin(searchPath: string, home: string): string {
  if (!path.posix.isAbsolute(home)) return searchPath;
  const dir = path.posix.join(home, HOME_BIN);
  return searchPath.split(':')[0] === dir ? searchPath : `${dir}:${searchPath}`;
}

/** Everything a step's process sees in its environment: the image's Env, PATH (~/.local/bin first), HOME, CUBICLE_SETUP=1, then the step's own `env`. */
export function stepEnvironment(base: StepBase, step: Pick<SetupStep, 'env'>): Record<string, string> {
  const env: Record<string, string> = { ...base.imageEnv };
  env.PATH = withHomeBin(env.PATH ?? [...(base.toolchainDirs ?? []), DEFAULT_PATH].join(':'), base.home);
  env.HOME = base.home;
  Object.assign(env, step.env);
  env.CUBICLE_SETUP = '1';
  return env;
}

/**
 * The dirs of the runner's PATH under /opt (which `host` jobs see) that exist, in order, once
 * each. Others are left out: the checkout's node_modules/.bin, ~/.local/bin and the like are not
 * there in a step, and /usr/local/bin, /usr/bin, ... are in the default PATH already.
 */
export function toolchainDirs(runnerPath: string | undefined, isDir: (dir: string) => boolean): string[] {
  const dirs: string[] = [];
  for (const entry of (runnerPath ?? '').split(':')) {
    const dir = entry.replace(/\/+$/, '');
    if (!dir.startsWith('/opt/') || path.posix.normalize(dir) !== dir || dirs.includes(dir)) continue;
    if (isDir(dir)) dirs.push(dir);
  }
  return dirs;
}
