import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { CONFIG_IMPORT_REFUSED, findConfig } from '../core/vendor.js';
import { evaluateCodeConfig } from './code/index.js';
import { resolveConfig, type LimitFlags, type ResolvedConfig } from './resolve.js';

export interface LoadOptions {
  cwd: string;
  configPath?: string | undefined;
  flags?: LimitFlags;
  selected?: readonly string[];
}

/** A config file's data, before validation: parsed (YAML, JSON) or evaluated in a sandbox (code). */
export interface ConfigData {
  readonly source: string;
  readonly raw: unknown;
  /** Whether `raw` is what a code config's evaluation printed, not the file's own text. */
  readonly evaluated: boolean;
}

/** Finds the config file (cosmiconfig), then resolves it; every problem becomes one ConfigError. */
export async function loadConfig(options: LoadOptions): Promise<ResolvedConfig> {
  return resolveConfigData(await readConfigData(options), options);
}

/**
 * The one way a config file is read (run, shell, completion, the Action's cache key): data
 * files in-process, code files only through src/config/code/, in a sandbox.
 */
export async function readConfigData(options: Pick<LoadOptions, 'cwd' | 'configPath'>): Promise<ConfigData> {
  const explicit = options.configPath ? path.resolve(options.cwd, options.configPath) : undefined;
  let found;
  try {
    found = await findConfig(options.cwd, explicit);
  } catch (error) {
    const where = explicit ?? options.cwd;
    const reason = error instanceof Error ? error.message : String(error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === CONFIG_IMPORT_REFUSED)
      throw new ConfigError([reason], {
        source: explicit,
        hint: 'Put the whole config in one file; a code config may compute it from other files.',
        cause: error,
      });
    const missing = code === 'ENOENT';
    throw new ConfigError([missing ? `${where}: no such file` : `cannot read the config: ${describeSyntaxError(reason)}`], {
      source: explicit,
      hint: missing ? 'Check the path given to --config.' : 'Fix the syntax error at the position shown.',
      cause: error,
    });
  }
  if (!found || (found.kind === 'data' && found.isEmpty)) {
    throw new ConfigError([found ? `${found.filepath} is empty` : `no cubicle config found in ${options.cwd} or its parents up to the project root`], {
      hint: 'Create cubicle.config.yaml with a `jobs:` section (see README.md), or pass --config FILE.',
    });
  }
  const source = path.resolve(found.filepath);
  if (found.kind === 'code') return { source, raw: await evaluateCodeConfig(source), evaluated: true };
  return { source, raw: found.config, evaluated: false };
}

export function resolveConfigData(data: ConfigData, options: Pick<LoadOptions, 'flags' | 'selected'> = {}): ResolvedConfig {
  try {
    return resolveConfig({ raw: data.raw, source: data.source, flags: options.flags ?? {}, selected: options.selected ?? [] });
  } catch (error) {
    // A config nested thousands deep overflows the stack somewhere in validation: still a config problem.
    if (error instanceof RangeError) throw new ConfigError([`${data.source}: nested too deeply to read (${error.message})`], { source: data.source });
    throw error;
  }
}

/**
 * cosmiconfig's message is "YAML Error in FILE:" then the parser's own lines: keep the reason
 * and the position (js-yaml: "duplicated mapping key (3:3)"), drop the source excerpt.
 */
function describeSyntaxError(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const head = lines[0] ?? message;
  // Source excerpts: "> 1 | {...}", "| ^", "3 | key:", "-----^".
  const isExcerpt = (line: string) => /^(>\s*)?\d*\s*\|/.test(line) || /^-*\^$/.test(line);
  const reason = lines
    .slice(1)
    .find((line) => !isExcerpt(line))
    ?.replace(/ while parsing '.*$/, '');
  return (reason ? `${head} ${reason}` : head).slice(0, 300);
}
