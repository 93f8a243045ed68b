import { MemcacheError } from '@mc/protocol';

export {
  ClientReplyError,
  InvalidArgumentError,
  InvalidKeyError,
  isMemcacheError,
  MemcacheError,
  ProtocolError,
  ServerError,
  UnknownCommandError,
} from '@mc/protocol';
export { SerdeError } from '@mc/serde';

/** The connection could not be opened (refused, DNS, TLS handshake, authentication). */
export class ConnectError extends MemcacheError {
  constructor(message: string, cause?: unknown) {
    super('MC_ERR_CONNECT', message, { cause, retryable: true });
  }
}

/** The connection was not open within connectTimeout. */
export class ConnectTimeoutError extends MemcacheError {
  constructor(address: string, ms: number) {
    super('MC_ERR_CONNECT_TIMEOUT', `connecting to ${address} timed out after ${ms} ms`, { retryable: true });
  }
}

/**
 * The request got no reply within its timeout. The connection was destroyed: the reply may still be
 * on its way and must never reach another request. The command may or may not have been applied.
 */
export class TimeoutError extends MemcacheError {
  constructor(ms: number) {
    super('MC_ERR_TIMEOUT', `no reply within ${ms} ms; the connection was closed`, { retryable: true });
  }
}

/**
 * The connection closed (or was discarded because of another request's timeout or a protocol error)
 * while this request was in flight. The command may or may not have been applied.
 */
export class ConnectionClosedError extends MemcacheError {
  constructor(message: string, cause?: unknown) {
    super('MC_ERR_CONNECTION_CLOSED', message, { cause, retryable: true });
  }
}

/** The client was closed by close() or quit(); it accepts no more requests. */
export class ClientClosedError extends MemcacheError {
  constructor() {
    super('MC_ERR_CLIENT_CLOSED', 'the client is closed');
  }
}

/** The call's AbortSignal fired. `cause` is the signal's reason. */
export class AbortError extends MemcacheError {
  constructor(reason?: unknown) {
    super('MC_ERR_ABORTED', 'the operation was aborted', { cause: reason });
    this.name = 'AbortError';
  }
}

/** Codes of errors after which the connection that carried the request was discarded. */
export const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'MC_ERR_CONNECT',
  'MC_ERR_CONNECT_TIMEOUT',
  'MC_ERR_TIMEOUT',
  'MC_ERR_CONNECTION_CLOSED',
  'MC_ERR_PROTOCOL',
]);

/** True when the error means the connection (or server) failed, rather than the command. */
export function isConnectionError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    CONNECTION_ERROR_CODES.has((err as { code?: string }).code ?? '')
  );
}
