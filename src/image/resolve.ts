// An `image:` reference -> its Base: host, debian:<suite>, or (later) an OCI image.
import type { StorePaths } from '../store/paths.js';
import { hostBaseOf, type Base } from './base.js';
import { DEBIAN_IMAGE, resolveDebianBase } from './debian.js';

export interface ResolveBaseOptions {
  readonly store: StorePaths;
  readonly signal?: AbortSignal | undefined;
  /** Progress in words ("pulling 3 layers", "building with mmdebstrap"). */
  readonly onStatus?: ((line: string) => void) | undefined;
}

export async function resolveBase(ref: string, options: ResolveBaseOptions): Promise<Base> {
  if (ref === 'host') return hostBaseOf();
  if (DEBIAN_IMAGE.test(ref)) return resolveDebianBase(ref, options.store, options.signal, options.onStatus);
  throw new Error(`image ${ref}: OCI images are not implemented yet`);
}
