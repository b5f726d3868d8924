import type { CacheConfigDefinition } from '../definition/types.js';

/**
 * Step caching: a later execution whose step arguments match a successful run within `expireAfter` reuses its
 * results. Content-addressed code keys are what make "matching" survive a push that did not touch the code.
 */
export interface CacheConfig {
  readonly enableCaching: boolean;
  /** An ISO 8601 duration such as `P30D` or `PT1H`. */
  readonly expireAfter?: string;
}

export function cacheConfigDefinition(config: CacheConfig): CacheConfigDefinition {
  return {
    Enabled: config.enableCaching,
    ...(config.expireAfter !== undefined ? { ExpireAfter: config.expireAfter } : {}),
  };
}
