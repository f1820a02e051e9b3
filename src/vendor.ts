// Third-party calls in one place: a swap of execa, yargs, cosmiconfig, picomatch or js-yaml
// touches this file only. Heavy modules load lazily, since `cubicle run` of one
// trivial job must start fast.

export async function loadYargs() {
  const [{ default: yargs }, { hideBin }] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs, hideBin };
}

export async function parseYaml(text: string): Promise<unknown> {
  const { load } = await import('js-yaml');
  return load(text);
}

export interface FoundConfig {
  config: unknown;
  filepath: string;
  isEmpty?: boolean;
}

/** Where a config is looked for, in order, in each directory (../shared/DESIGN.md). */
export const CONFIG_FILES = [
  'package.json',
  '.cubiclerc',
  '.cubiclerc.json',
  '.cubiclerc.yaml',
  '.cubiclerc.yml',
  'cubicle.config.ts',
  'cubicle.config.mjs',
  'cubicle.config.js',
  'cubicle.config.json',
  'cubicle.config.yaml',
  'cubicle.config.yml',
];

/** cosmiconfig, searching from `cwd` up to the project root, or reading `explicitPath`. */
export async function findConfig(cwd: string, explicitPath?: string): Promise<FoundConfig | null> {
  const { cosmiconfig, defaultLoaders } = commonJs(await import('cosmiconfig'));
  const loadTs = (filepath: string, content: string) => loadTypeScriptConfig(filepath, content, defaultLoaders['.ts']);
  const explorer = cosmiconfig('cubicle', { searchStrategy: 'project', searchPlaces: CONFIG_FILES, loaders: { '.ts': loadTs } });
  return explicitPath ? explorer.load(explicitPath) : explorer.search(cwd);
}

/** Set on the error when a .ts config cannot be loaded on this Node without the typescript package. */
export const TYPESCRIPT_UNAVAILABLE = 'CUBICLE_TYPESCRIPT_UNAVAILABLE';

/**
 * cubicle.config.ts: Node's own type stripping where it has it (22.18 and later, and 24, what
 * GitHub's runners run the action with), so neither the typescript package nor a transpiled
 * copy beside the config is needed; else, and for syntax stripping cannot remove (enums), the
 * typescript package, as cosmiconfig loads it.
 */
async function loadTypeScriptConfig(filepath: string, content: string, compile: (filepath: string, content: string) => Promise<unknown>): Promise<unknown> {
  if ((process.features as { typescript?: unknown }).typescript) {
    try {
      const { pathToFileURL } = await import('node:url');
      return ((await import(pathToFileURL(filepath).href)) as { default?: unknown }).default;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') throw error;
    }
  }
  try {
    return await compile(filepath, content);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /'typescript'/.test((error as Error).message);
    if (!missing) throw error;
    const problem = Object.assign(new Error(`${filepath} is TypeScript: Node ${process.versions.node} cannot strip its types (22.18 and later can), and the typescript package is not installed`), { code: TYPESCRIPT_UNAVAILABLE });
    throw problem;
  }
}

export async function loadPicomatch() {
  const { default: picomatch } = await import('picomatch');
  return picomatch;
}

/** A CommonJS module's exports, whether Node (named exports) or a bundle (only `default`) loaded it. */
function commonJs<T extends object>(module: T): T {
  return 'default' in module && module.default && typeof module.default === 'object' && !(Object.keys(module).length > 2) ? (module.default as T) : module;
}
