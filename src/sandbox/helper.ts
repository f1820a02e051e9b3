// The sandbox helper's path, as src/sandbox/binaries.ts finds it (platform package, checkout, source build).
// Found once per process (per $CUBICLE_SANDBOX): the search resolves a package and stats files, ~1 ms a job.
import { locateNative } from './binaries.js';

let found: { readonly env: string | undefined; readonly path: string } | undefined;

/** The native helper; throws SandboxUnavailableError (exit 3) with the fix when there is none. */
export function helperPath(): string {
  const env = process.env.CUBICLE_SANDBOX;
  if (found?.env !== env || found === undefined) found = { env, path: locateNative('sandbox').path };
  return found.path;
}
