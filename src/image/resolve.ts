// An `image:` reference -> its Base: host, debian:<suite>, or an OCI image (registry, archive, layout).
import type { StorePaths } from '../store/paths.js';
import { hostBaseOf, type Base } from './base.js';
import { DEBIAN_IMAGE, resolveDebianBase } from './debian.js';
import { resolveOciBase } from './oci-base.js';

export interface ResolveBaseOptions {
  readonly store: StorePaths;
  readonly signal?: AbortSignal | undefined;
  readonly insecureRegistries?: readonly string[] | undefined;
  /** Progress in words ("pulling 3 layers", "building with mmdebstrap"). */
  readonly onStatus?: ((line: string) => void) | undefined;
}

export async function resolveBase(ref: string, options: ResolveBaseOptions): Promise<Base> {
  if (ref === 'host') return hostBaseOf();
  if (DEBIAN_IMAGE.test(ref)) return resolveDebianBase(ref, options.store, options.signal, options.onStatus);
  return resolveOciBase(ref, { store: options.store, insecureRegistries: options.insecureRegistries, signal: options.signal, onStatus: options.onStatus });
}
