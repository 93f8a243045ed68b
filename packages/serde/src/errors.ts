/** The brand of every mc error (the same registered symbol as @mc/protocol's MEMCACHE_ERROR_BRAND). */
const BRAND: unique symbol = Symbol.for('@mc/error') as never;

/**
 * A value that cannot be serialized, or stored bytes and flags that the configured serde cannot read.
 * @mc/serde has no dependencies, so this class carries the same brand and shape as @mc/protocol's
 * MemcacheError: `isMemcacheError` accepts it, `err instanceof MemcacheError` is true for it
 * (MemcacheError checks the brand), and `code` is always 'MC_ERR_SERDE'.
 */
export class SerdeError extends Error {
  readonly code = 'MC_ERR_SERDE';
  readonly retryable = false;
  readonly [BRAND] = true;
  /** The item's flags, when the error is about reading one. */
  readonly flags: number | undefined;

  constructor(message: string, options: { cause?: unknown; flags?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SerdeError';
    this.flags = options.flags;
  }
}
