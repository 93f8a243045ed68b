/** Brand that marks every mc error, so `isMemcacheError` works across two installed copies of a package. */
export const MEMCACHE_ERROR_BRAND: unique symbol = Symbol.for('@mc/error') as never;

/**
 * Every code an mc error can carry, in the order of docs/errors.md. The codes of the packages above
 * @mc/protocol are listed here too, so one type names them all; tests/errors-table.test.ts checks
 * this list, the table in docs/errors.md and the codes the sources throw against each other.
 */
export const MEMCACHE_ERROR_CODES = [
  // codes:start
  'MC_ERR_INVALID_KEY',
  'MC_ERR_INVALID_ARGUMENT',
  'MC_ERR_PROTOCOL',
  'MC_ERR_SERVER',
  'MC_ERR_CLIENT_REPLY',
  'MC_ERR_UNKNOWN_COMMAND',
  'MC_ERR_AUTH',
  'MC_ERR_SERDE',
  'MC_ERR_CONNECT',
  'MC_ERR_CONNECT_TIMEOUT',
  'MC_ERR_TIMEOUT',
  'MC_ERR_CONNECTION_CLOSED',
  'MC_ERR_CLIENT_CLOSED',
  'MC_ERR_ABORTED',
  'MC_ERR_UNSUPPORTED',
  'MC_ERR_POOL_TIMEOUT',
  'MC_ERR_POOL_CLOSED',
  'MC_ERR_NO_SERVERS',
  'MC_ERR_SERVER_FAILED',
  'MC_ERR_DISCOVERY',
  'MC_ERR_DISCOVERY_MALFORMED',
  'MC_ERR_NO_CLUSTER',
  'MC_ERR_MEMCACHED_NOT_FOUND',
  'MC_ERR_NUTCRACKER_NOT_FOUND',
  // codes:end
] as const;

/** The stable code of an mc error: one of {@link MEMCACHE_ERROR_CODES}. */
export type MemcacheErrorCode = (typeof MEMCACHE_ERROR_CODES)[number];

export interface MemcacheErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

/**
 * Base class of every error mc throws. `code` is stable (`MC_ERR_*`) and safe to switch on;
 * `retryable` says whether repeating the same command may succeed.
 *
 * `err instanceof MemcacheError` is true for every value that carries the mc brand, not only for
 * instances of this very class: @mc/serde's SerdeError (which cannot import this class, @mc/serde has
 * no dependencies) and errors made by another installed copy of @mc/protocol pass too. Subclasses keep
 * the ordinary prototype check (`err instanceof TimeoutError` is true only for TimeoutErrors).
 */
export class MemcacheError extends Error {
  readonly code: MemcacheErrorCode;
  readonly retryable: boolean;
  readonly [MEMCACHE_ERROR_BRAND] = true;

  constructor(code: MemcacheErrorCode, message: string, options: MemcacheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Only the base class answers by brand; for a subclass, the ordinary prototype chain decides.
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of instanceof, maybe a subclass
    if (this === MemcacheError) return isMemcacheError(value);
    // biome-ignore lint/complexity/noThisInStatic: as above
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** True for any mc error, including ones thrown by another installed copy of an mc package. */
export function isMemcacheError(value: unknown): value is MemcacheError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[MEMCACHE_ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** A key that memcached would reject or misread (empty, too long, whitespace, control characters). */
export class InvalidKeyError extends MemcacheError {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(
      'MC_ERR_INVALID_KEY',
      `invalid key ${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key)}: ${reason}`,
    );
    this.key = key;
  }
}

/** An argument out of range or of the wrong type (expiry, flags, delta, cas, value size...). */
export class InvalidArgumentError extends MemcacheError {
  constructor(message: string) {
    super('MC_ERR_INVALID_ARGUMENT', message);
  }
}

/** Bytes from the server that cannot be the expected reply. The connection must be discarded. */
export class ProtocolError extends MemcacheError {
  constructor(message: string) {
    super('MC_ERR_PROTOCOL', message, { retryable: true });
  }
}

/** The server answered `SERVER_ERROR <message>` (e.g. out of memory, object too large). */
export class ServerError extends MemcacheError {
  readonly serverMessage: string;
  constructor(serverMessage: string) {
    super('MC_ERR_SERVER', `SERVER_ERROR ${serverMessage}`);
    this.serverMessage = serverMessage;
  }
}

/** The server answered `CLIENT_ERROR <message>`: it considers the request malformed. */
export class ClientReplyError extends MemcacheError {
  readonly serverMessage: string;
  constructor(serverMessage: string) {
    super('MC_ERR_CLIENT_REPLY', `CLIENT_ERROR ${serverMessage}`);
    this.serverMessage = serverMessage;
  }
}

/** The server answered `ERROR`: it does not know the command. */
export class UnknownCommandError extends MemcacheError {
  /** The reason memcached gave after ERROR, if any (e.g. 'shutdown not enabled'). */
  readonly serverMessage: string;
  constructor(serverMessage = '') {
    super(
      'MC_ERR_UNKNOWN_COMMAND',
      serverMessage ? `ERROR: ${serverMessage}` : 'ERROR: the server does not know this command',
    );
    this.serverMessage = serverMessage;
  }
}
