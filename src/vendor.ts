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
  const { cosmiconfig } = commonJs(await import('cosmiconfig'));
  const explorer = cosmiconfig('cubicle', { searchStrategy: 'project', searchPlaces: CONFIG_FILES });
  return explicitPath ? explorer.load(explicitPath) : explorer.search(cwd);
}

export async function loadPicomatch() {
  const { default: picomatch } = await import('picomatch');
  return picomatch;
}

/** A CommonJS module's exports, whether Node (named exports) or a bundle (only `default`) loaded it. */
function commonJs<T extends object>(module: T): T {
  return 'default' in module && module.default && typeof module.default === 'object' && !(Object.keys(module).length > 2) ? (module.default as T) : module;
}
