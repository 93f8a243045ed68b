/** @mc/pool: a generic ObjectPool, and PooledClient, a MemcacheClient over a pool of Clients. */
export { PoolClosedError, PoolTimeoutError } from './errors.js';
export { ObjectPool, type ObjectPoolOptions } from './object-pool.js';
export { PooledClient, type PooledClientOptions } from './pooled-client.js';
