// The OCI image client: references, pulls from registries and archives into a blobs dir, and
// layers as verified tar streams. The layer store and extraction live elsewhere.
export { parseImageRef, formatImageRef, DOCKER_HUB_REGISTRY, type ImageRef, type RegistryImageRef, type LocalImageRef } from './ref.js';
export { pullImage } from './pull.js';
export type { PullOptions, PullProgress, PulledImage, PulledLayer } from './types.js';
export type { ImageConfig, Platform } from './manifest.js';
export { openLayerTar } from './layer-tar.js';
export { hostPlatform, formatPlatform } from './platform.js';
export { registryBaseUrls, allowsPlainHttp, assertPlainHttpAllowed, isLoopbackRegistry } from './endpoint.js';
export { blobPathOf } from './digest.js';
export { isTempBlobName, reapTempBlobs } from '../../store/blobs.js';
export * from './image-errors.js';
