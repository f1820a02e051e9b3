// `import { defineConfig } from 'cubicle'` in a cubicle.config.ts: the package's only import
// for configs. At run time it returns its argument (the runner validates the config as it
// validates YAML); its types (lib/config.d.ts) are generated from the zod schema by build.mjs.
import type { z } from 'zod';
import type { configSchema } from './schema.js';

export type CubicleConfig = z.input<typeof configSchema>;

export type CubicleConfigExport = CubicleConfig | (() => CubicleConfig | Promise<CubicleConfig>);

// `T & CubicleConfigExport`: T keeps the exact kind (object or function) while the config's own
// type still makes TypeScript flag a misspelt key (a bare generic T would let any key through).
export function defineConfig<T extends CubicleConfigExport>(config: T & CubicleConfigExport): T {
  return config;
}
