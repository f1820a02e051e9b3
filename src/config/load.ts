import path from 'node:path';
import { ConfigError } from '../errors.js';
import { findConfig, TYPESCRIPT_UNAVAILABLE } from '../vendor.js';
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === TYPESCRIPT_UNAVAILABLE) {
      throw new ConfigError([reason], { source: explicit, hint: 'Run cubicle with Node 22.18 or later, or `npm install --save-dev typescript`, or write the config as cubicle.config.mjs or .yaml.', cause: error });
    }
    const missing = code === 'ENOENT';
    throw new ConfigError([missing ? `${where}: no such file` : `cannot read the config: ${describeSyntaxError(reason)}`], {
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
  try {
    return resolveConfig({ raw: found.config, source: path.resolve(found.filepath), flags: options.flags ?? {}, selected: options.selected ?? [] });
  } catch (error) {
    // A config nested thousands deep overflows the stack somewhere in validation: still a config problem.
    if (error instanceof RangeError) throw new ConfigError([`${found.filepath}: nested too deeply to read (${error.message})`], { source: found.filepath });
    throw error;
  }
}

/**
 * cosmiconfig's message is "YAML Error in FILE:" then the parser's own lines: keep the reason
 * and the position (js-yaml: "duplicated mapping key (3:3)"), drop the source excerpt.
 */
function describeSyntaxError(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  const head = lines[0] ?? message;
  // Source excerpts: "> 1 | {...}", "| ^", "3 | key:", "-----^".
  const isExcerpt = (line: string) => /^(>\s*)?\d*\s*\|/.test(line) || /^-*\^$/.test(line);
  const reason = lines.slice(1).find((line) => !isExcerpt(line))?.replace(/ while parsing '.*$/, '');
  return (reason ? `${head} ${reason}` : head).slice(0, 300);
}
