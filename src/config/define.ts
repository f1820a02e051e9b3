// `import { defineConfig } from 'cubicle'` in a cubicle.config.ts: the package's only import
// for configs. At run time it returns its argument (the runner validates the config as it
// validates YAML); its types (lib/config.d.ts) are generated from the zod schema by build.mjs.
import type { z } from 'zod';
import type { configSchema } from './schema.js';

export type CubicleConfig = z.input<typeof configSchema>;

export function defineConfig<T extends CubicleConfig | (() => CubicleConfig | Promise<CubicleConfig>)>(config: T): T {
  return config;
}
