#!/usr/bin/env node
// Bundles the GitHub Action into dist/ (committed: a runner runs an action from its checkout,
// with no npm install):
//   dist/main.mjs, dist/post.mjs  src/action/ with @actions/core and @actions/cache, ESM for node24
//   dist/cubicle.cjs              the CLI, as build.mjs bundles it into lib/, runnable by itself
//   dist/native/linux-{x64,arm64}/ cubicle-sandbox and cubicle-layer, static, as in the npm platform
//                                 packages (scripts/pack-platforms.mjs): a runner needs no compiler.
//                                 Stripped, with no build paths: the same bytes from any checkout.
// `node build-action.mjs --check` builds into a temp dir and compares it with dist/ byte for
// byte (npm run check:dist, in .ci/run): a dist/ that does not match its sources fails CI.
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlatform, PLATFORMS } from './scripts/pack-platforms.mjs';

const repo = path.dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');

/** Builds dist/ into `outdir`; paths in the bundles' comments are relative to the repo, so any outdir gives the same bytes. */
async function buildDist(outdir) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const common = { absWorkingDir: repo, bundle: true, platform: 'node', logLevel: 'warning', legalComments: 'eof' };
  await build({
    ...common,
    entryPoints: { main: 'src/action/main.ts', post: 'src/action/post.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    // main and post share the toolkit (@actions/cache is most of it): one copy, in a chunk.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'node24',
    // cosmiconfig's own .ts loader names it and is never called: code configs are evaluated in a sandbox.
    external: ['typescript'],
    // Bundled CommonJS dependencies (cosmiconfig, @azure/*) call require() for Node's modules.
    banner: { js: "import { createRequire as __cubicleCreateRequire } from 'node:module';\nconst require = __cubicleCreateRequire(import.meta.url);" },
  });
  // The CLI: build.mjs's options (keep them in step), no source map, and it runs itself.
  await build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: path.join(outdir, 'cubicle.cjs'),
    format: 'cjs',
    target: 'node20.19',
    external: ['typescript'],
    define: { 'import.meta.url': '__cubicleModuleUrl' },
    banner: { js: "const __cubicleModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    footer: { js: 'if (require.main === module) module.exports.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });' },
  });
  for (const platform of PLATFORMS) buildPlatform(platform, path.join(outdir, 'native', platform));
}

function filesIn(dir) {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true })
        .filter((file) => fs.statSync(path.join(dir, file)).isFile())
        .sort()
    : [];
}

const dist = path.join(repo, 'dist');
if (!check) {
  await buildDist(dist);
} else {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-dist-'));
  try {
    await buildDist(fresh);
    const expected = filesIn(fresh);
    const actual = filesIn(dist);
    const problems = [
      ...expected.filter((file) => !actual.includes(file)).map((file) => `dist/${file} is missing`),
      ...actual.filter((file) => !expected.includes(file)).map((file) => `dist/${file} is not built from src/ any more`),
      ...expected
        .filter((file) => actual.includes(file) && !fs.readFileSync(path.join(fresh, file)).equals(fs.readFileSync(path.join(dist, file))))
        .map((file) => `dist/${file} differs from a fresh build`),
    ];
    if (problems.length) {
      console.error(
        `dist/ does not match its sources:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nThe action runs dist/ as committed. Run \`npm run build:action\` and commit dist/.`,
      );
      process.exitCode = 1;
    } else {
      console.log(`dist/ matches a fresh build of src/ (${expected.length} files)`);
    }
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}
