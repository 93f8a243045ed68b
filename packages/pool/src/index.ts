/** @mc/pool: a generic ObjectPool, and PooledClient, a MemcacheClient over a pool of Clients. */
export { PoolClosedError, PoolTimeoutError } from './errors.js';
export { ObjectPool, type ObjectPoolOptions } from './object-pool.js';
export {
  OBJECT_POOL_DEFAULTS,
  POOL_DEFAULTS,
  POOL_OPTION_NAMES,
  type PooledClientOptionsInput,
  type PoolOptions,
  type ResolvedObjectPoolOptions,
  type ResolvedPooledClientOptions,
  type ResolvedPoolOptions,
  resolveObjectPoolOptions,
  resolvePooledClientOptions,
  resolvePoolPart,
} from './options.js';
export { PooledClient, type PooledClientOptions } from './pooled-client.js';
