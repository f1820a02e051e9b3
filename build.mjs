#!/usr/bin/env node
// Bundles src/ into lib/ with esbuild: one ESM entry plus chunks, so the CLI loads a few
// files instead of hundreds (module resolution was half of `cubicle run`'s start-up).
// Lazy `import()`s stay lazy chunks. TypeScript stays external: cosmiconfig loads it only
// for a cubicle.config.ts.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('./lib', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'lib',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['typescript'],
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies inside an ESM bundle still call require() for Node's builtins.
  banner: { js: "import { createRequire as __cubicleRequire } from 'node:module'; const require = __cubicleRequire(import.meta.url);" },
});
