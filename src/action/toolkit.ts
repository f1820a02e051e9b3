// The GitHub Actions toolkit in one place (as src/core/vendor.ts is for the CLI): a swap of
// @actions/core or @actions/cache touches this file only. Both are bundled into dist/.
import * as core from '@actions/core';
import * as cache from '@actions/cache';

export { core };

/** The Actions cache service, as actions/cache uses it. */
export const cacheService = {
  isAvailable: (): boolean => cache.isFeatureAvailable(),
  restore: (paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined> => cache.restoreCache(paths, key, restoreKeys),
  save: (paths: string[], key: string): Promise<number> => cache.saveCache(paths, key),
};
