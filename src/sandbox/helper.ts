// The sandbox helper's path, as src/sandbox/binaries.ts finds it (platform package, checkout, source build).
import { locateNative } from './binaries.js';

/** The native helper; throws SandboxUnavailableError (exit 3) with the fix when there is none. */
export function helperPath(): string {
  return locateNative('sandbox').path;
}
