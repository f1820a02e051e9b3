// An `image:` reference -> its Base: host, debian:<suite>, or an OCI image (registry, archive, layout).
// The debian and OCI code (tar, decompression, the registry client: ~9 ms of module start-up) loads
// only for a job on such an image: a job on the host image, the common trivial run, never needs it.
import type { StorePaths } from '../store/paths.js';
import { hostBaseOf, type Base } from './base.js';

/**
 * `--pull`, as `docker run --pull`: `missing` (default) asks the registry only for an image the
 * store lacks; `always` asks it for every tag again (the blobs it already has are not fetched
 * again); `never` fails a job whose image the store lacks. Archives, layouts and debian: are
 * made here, not pulled: the policy does not apply to them.
 */
export type PullPolicy = 'missing' | 'always' | 'never';

export interface ResolveBaseOptions {
  readonly store: StorePaths;
  readonly signal?: AbortSignal | undefined;
  readonly insecureRegistries?: readonly string[] | undefined;
  readonly pull?: PullPolicy | undefined;
  /** Progress in words ("pulling 3 layers", "building with mmdebstrap"). */
  readonly onStatus?: ((line: string) => void) | undefined;
}

export async function resolveBase(ref: string, options: ResolveBaseOptions): Promise<Base> {
  if (ref === 'host') return hostBaseOf();
  const { DEBIAN_IMAGE, resolveDebianBase } = await import('./debian.js');
  if (DEBIAN_IMAGE.test(ref)) return resolveDebianBase(ref, options.store, options.signal, options.onStatus);
  const { resolveOciBase } = await import('./oci-base.js');
  return resolveOciBase(ref, {
    store: options.store,
    insecureRegistries: options.insecureRegistries,
    pull: options.pull,
    signal: options.signal,
    onStatus: options.onStatus,
  });
}
