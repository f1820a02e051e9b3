import path from 'node:path';
import { ConfigError } from '../errors.js';
import { findConfig } from '../vendor.js';
import { resolveConfig, type LimitFlags, type ResolvedConfig } from './resolve.js';

export interface LoadOptions {
  cwd: string;
  configPath?: string | undefined;
  flags?: LimitFlags;
  selected?: readonly string[];
}

/** Finds the config file (cosmiconfig), then resolves it; every problem becomes one ConfigError. */
export async function loadConfig(options: LoadOptions): Promise<ResolvedConfig> {
  const explicit = options.configPath ? path.resolve(options.cwd, options.configPath) : undefined;
  let found;
  try {
    found = await findConfig(options.cwd, explicit);
  } catch (error) {
    const where = explicit ?? options.cwd;
    const reason = error instanceof Error ? error.message : String(error);
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError([missing ? `${where}: no such file` : `cannot read the config: ${reason.split('\n')[0]}`], {
      source: explicit,
      hint: missing ? 'Check the path given to --config.' : 'Fix the syntax error at the position shown.',
      cause: error,
    });
  }
  if (!found || found.isEmpty) {
    throw new ConfigError([found ? `${found.filepath} is empty` : `no cubicle config found in ${options.cwd} or its parents up to the project root`], {
      hint: 'Create cubicle.config.yaml with a `jobs:` section (see README.md), or pass --config FILE.',
    });
  }
  return resolveConfig({ raw: found.config, source: path.resolve(found.filepath), flags: options.flags ?? {}, selected: options.selected ?? [] });
}
