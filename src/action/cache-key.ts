// The workflow cache's key: `${prefix}-${os}-${arch}-[shardIofN-]${hash}`, the hash over the
// config file (and, for a code config, what its evaluation in a sandbox produced: the config
// is never imported into the Action's process, which holds GITHUB_TOKEN) and every file the
// setup steps name as `inputs` (lockfiles, mostly), hashed as cubicle stages them.
// Restore falls back to the newest entry with the key's prefix: layers whose inputs did not
// change are reused from it, and the others are rebuilt.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfigData, resolveConfigData } from '../config/load.js';
import { stageInputs } from '../run/stage-inputs.js';

export interface CacheKeys {
  readonly key: string;
  /** Prefixes restore falls back to, most specific first. */
  readonly restoreKeys: readonly string[];
  /** Files the hash covers, relative to the project, for the log. */
  readonly hashed: readonly string[];
}

export interface CacheKeyOptions {
  readonly prefix: string;
  readonly cwd: string;
  readonly config: string | undefined;
  readonly runnerOs: string;
  readonly arch: string;
  /** INDEX/COUNT: each shard runs other jobs, so builds other layers, and has a cache of its own. */
  readonly shard?: string | undefined;
}

/** Throws when the config cannot be loaded; the run would fail on it too. */
export async function cacheKeys(options: CacheKeyOptions): Promise<CacheKeys> {
  const data = await readConfigData({ cwd: options.cwd, configPath: options.config });
  const config = resolveConfigData(data);
  const hash = createHash('sha256');
  const configFile = path.relative(config.projectDir, config.source);
  hash.update(`config ${configFile}\n`).update(fs.readFileSync(config.source));
  // A code config may read other files of the checkout: what it evaluated to is part of the key.
  if (data.evaluated) hash.update('\nevaluated ').update(JSON.stringify(data.raw));
  const hashed = [configFile];
  const patterns = [...new Set(config.jobs.flatMap((job) => job.setup.flatMap((step) => step.inputs)))].sort();
  if (patterns.length) {
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-action-key-'));
    try {
      for (const pattern of patterns) {
        // An input that matches nothing fails its step in the run, with the reason; here it adds nothing.
        const files = await stageInputs(config.projectDir, [pattern], path.join(staging, String(hashed.length)), 'setup input').catch(() => []);
        for (const file of files) {
          hash.update(`\ninput ${file.path} ${file.executable ? 'x' : '-'} ${file.sha256}`);
          hashed.push(file.path);
        }
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  const shard = options.shard ? `shard${options.shard.replace('/', 'of')}-` : '';
  const base = `${options.prefix}-${options.runnerOs}-${options.arch}-${shard}`;
  return { key: `${base}${hash.digest('hex').slice(0, 32)}`, restoreKeys: [base], hashed: [...new Set(hashed)] };
}
