// Third-party calls in one place: a swap of execa, yargs, cosmiconfig, picomatch or js-yaml
// touches this file only. Heavy modules load lazily, since `cubicle run` of one
// trivial job must start fast.
import path from 'node:path';

export async function loadYargs() {
  const [{ default: yargs }, { hideBin }] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs, hideBin };
}

export async function parseYaml(text: string): Promise<unknown> {
  const { load } = await import('js-yaml');
  return load(text);
}

/**
 * What discovery found: a data config, already parsed in-process (YAML, JSON, package.json),
 * or a code config, which is never imported here: src/config/code/ evaluates it in a sandbox.
 */
export type FoundConfig =
  | { readonly kind: 'data'; readonly filepath: string; readonly config: unknown; readonly isEmpty: boolean }
  | { readonly kind: 'code'; readonly filepath: string };

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

/** Extensions of configs that are programs: evaluated in a sandbox, never loaded by the runner. */
export const CODE_CONFIG_EXTENSIONS = ['.ts', '.mts', '.cts', '.mjs', '.js', '.cjs'] as const;

/** Set on the error when a data config asks cosmiconfig to merge in other files (`$import`). */
export const CONFIG_IMPORT_REFUSED = 'CUBICLE_CONFIG_IMPORT_REFUSED';

/** A code config's place in cosmiconfig's result: its loader returns this instead of importing it. */
class CodeConfigFile {
  constructor(readonly filepath: string) {}
}

/** The part of cosmiconfig's internal Explorer used here (its .d.ts declares nothing). */
interface CosmiconfigExplorer {
  search(from: string): Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null>;
  load(filepath: string): Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null>;
}

/**
 * cosmiconfig's project search from `cwd` (up to the first dir with a package.json), or
 * `explicitPath`. Its Explorer is built here with every option given, not through
 * `cosmiconfig()`: that entry first reads a "meta config" from the current dir
 * (.config/config.{js,ts,mjs,cjs}, package.json's `cosmiconfig`) with its default loaders,
 * which would import the checkout's code into the runner before any loader of ours is asked.
 */
export async function findConfig(cwd: string, explicitPath?: string): Promise<FoundConfig | null> {
  const [{ Explorer }, { defaultLoaders }] = await Promise.all([
    import('cosmiconfig/dist/Explorer.js').then((module) => commonJs(module as unknown as { Explorer: new (options: object) => CosmiconfigExplorer })),
    import('cosmiconfig').then((module) => commonJs(module)),
  ]);
  const markCode = (filepath: string) => new CodeConfigFile(filepath);
  const data = (load: (filepath: string, content: string) => unknown) => (filepath: string, content: string) =>
    refuseImports(filepath, load(filepath, content));
  const loaders = {
    ...Object.fromEntries(CODE_CONFIG_EXTENSIONS.map((extension) => [extension, markCode])),
    '.json': data(defaultLoaders['.json']),
    '.yaml': data(defaultLoaders['.yaml']),
    '.yml': data(defaultLoaders['.yaml']),
    noExt: data(defaultLoaders.noExt),
  };
  const explorer = new Explorer({
    moduleName: 'cubicle',
    searchPlaces: CONFIG_FILES,
    searchStrategy: 'project',
    ignoreEmptySearchPlaces: true,
    cache: false,
    transform: (result: unknown) => result,
    loaders,
    metaConfigFilePath: null,
    mergeImportArrays: true,
    mergeSearchPlaces: false,
  });
  const found = explicitPath ? await explorer.load(explicitPath) : await explorer.search(cwd);
  if (!found) return null;
  if (found.config instanceof CodeConfigFile) return { kind: 'code', filepath: found.filepath };
  return { kind: 'data', filepath: found.filepath, config: found.config, isEmpty: found.isEmpty === true };
}

/**
 * cosmiconfig merges the files a config names in `$import` through the same loaders: a YAML
 * config could pull in a code file, or any host file it can name (`../../..`). Refused.
 */
function refuseImports(filepath: string, loaded: unknown): unknown {
  const own = path.basename(filepath) === 'package.json' ? (loaded as { cubicle?: unknown } | null)?.cubicle : loaded;
  if (own && typeof own === 'object' && Object.hasOwn(own, '$import')) {
    throw Object.assign(new Error(`${filepath}: \`$import\` is not supported: a config is one file`), { code: CONFIG_IMPORT_REFUSED });
  }
  return loaded;
}

export async function loadPicomatch() {
  const { default: picomatch } = await import('picomatch');
  return picomatch;
}

/** A CommonJS module's exports, whether Node (named exports) or a bundle (only `default`) loaded it. */
function commonJs<T extends object>(module: T): T {
  return 'default' in module && module.default && typeof module.default === 'object' && !(Object.keys(module).length > 2) ? (module.default as T) : module;
}

/** dockerfile-ast: only a job with `build:` loads it. */
export async function loadDockerfileParser() {
  const { DockerfileParser } = await import('dockerfile-ast');
  return { DockerfileParser };
}
