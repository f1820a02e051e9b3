#!/usr/bin/env node
// Bundles src/ into lib/cubicle.cjs with esbuild. One CommonJS file instead of hundreds of
// modules (module resolution was half of `cubicle run`'s start-up), in a form that
// bin/cubicle.js can run with a V8 code cache (Node 20 has no module compile cache).
// Lazy `import()`s stay lazy: esbuild keeps each bundled module's initialisation deferred.
// TypeScript stays external: cosmiconfig's own .ts loader names it, and is never called (a code config
// is evaluated in a sandbox, src/config/code/, which finds the typescript package by path).
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

// undici (registry pulls through proxies, src/image/oci/http.ts) is its own file, lib/undici.cjs, required on the
// first pull: bundled in, it was 40% of lib/cubicle.cjs, read and compiled on every start, `--version` included.
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    // A require() of the file beside the bundle, not an import(): bin/cubicle.js runs the bundle as a vm.Script.
    build.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-apart' }));
    build.onLoad({ filter: /.*/, namespace: 'undici-apart' }, () => ({ contents: "module.exports = require('./undici.cjs');", loader: 'js' }));
    build.onResolve({ filter: /^\.\/undici\.cjs$/ }, () => ({ path: './undici.cjs', external: true }));
  },
};

// string-width (yargs, cliui and wrap-ansi each import a copy) builds an Intl.Segmenter and \p{RGI_Emoji} regexes when
// it loads: ~40 ms of ICU data on every start, for widths only `--help` measures. Each import gets a stand-in that
// loads the real module on the first call (esbuild keeps a require()d ESM module's initialisation deferred).
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;\nexport default function stringWidth(text, options) {\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(text, options);\n}\n`,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

rmSync(new URL('./lib', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { undici: 'node_modules/undici/index.js' },
  outdir: 'lib',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'lib/cubicle.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  external: ['typescript'],
  plugins: [undiciApart, lazyStringWidth],
  sourcemap: 'linked',
  // Whitespace and comments out (identifiers kept, so names in errors and stacks stay readable; lib/cubicle.cjs.map
  // maps a position back): 1.34 MB -> 0.98 MB to read and hash on every start, and the file becomes pure ASCII,
  // which V8 holds as a one-byte string (a few non-ASCII comments made all 1.3 MB two-byte and the read twice as slow).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // ESM dependencies (yargs) read import.meta.url, which a CommonJS bundle lacks.
  define: { 'import.meta.url': '__cubicleModuleUrl' },
  banner: { js: "const __cubicleModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// `import { defineConfig } from 'cubicle'` (package.json `exports`): a small ESM module of its own,
// its types and the config's JSON Schema generated from the zod schema (src/config/json-schema.ts).
await build({
  entryPoints: ['src/config/define.ts'],
  outfile: 'lib/config.mjs',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'node20.19',
  logLevel: 'warning',
});
const generator = await build({ entryPoints: ['src/config/json-schema.ts'], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' });
const { configJsonSchemaText, configTypeDeclarations, SCHEMA_FILE } = await import(
  `data:text/javascript;base64,${Buffer.from(generator.outputFiles[0].text).toString('base64')}`
);
writeFileSync(new URL('./lib/config.d.ts', import.meta.url), configTypeDeclarations());
mkdirSync(new URL('./schema', import.meta.url), { recursive: true });
writeFileSync(new URL(`./${SCHEMA_FILE}`, import.meta.url), configJsonSchemaText());
