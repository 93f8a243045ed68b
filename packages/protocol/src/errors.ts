/** Brand that marks every mc error, so `isMemcacheError` works across two installed copies of a package. */
export const MEMCACHE_ERROR_BRAND: unique symbol = Symbol.for('@mc/error') as never;

export interface MemcacheErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

/**
 * Base class of every error mc throws. `code` is stable (`MC_ERR_*`) and safe to switch on;
 * `retryable` says whether repeating the same command may succeed.
 */
export class MemcacheError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly [MEMCACHE_ERROR_BRAND] = true;

  constructor(code: string, message: string, options: MemcacheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
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
