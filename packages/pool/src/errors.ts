import { MemcacheError } from '@mc/client';

/** No object became free within acquireTimeout. */
export class PoolTimeoutError extends MemcacheError {
  constructor(ms: number) {
    super('MC_ERR_POOL_TIMEOUT', `no pooled object became free within ${ms} ms`, { retryable: true });
  }
}

/** The pool was closed: waiting and later acquires fail with this. */
export class PoolClosedError extends MemcacheError {
  constructor() {
    super('MC_ERR_POOL_CLOSED', 'the pool is closed');
  }
}
