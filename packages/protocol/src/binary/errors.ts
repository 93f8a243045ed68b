import { ClientReplyError, MemcacheError, ServerError, UnknownCommandError } from '../errors.js';
import { Status } from './opcodes.js';

/**
 * SASL authentication failed (wrong user or password, an unknown mechanism), or the server requires
 * authentication and the connection has none. Not retryable: the same credentials fail again.
 */
export class AuthError extends MemcacheError {
  /** The binary status the server answered (0x20 auth error, 0x21 auth continue, 0x81 unknown command). */
  readonly status: number;
  /** The text the server sent with the status, if any. */
  readonly serverMessage: string;
  constructor(message: string, status: number = Status.AuthError, serverMessage = '') {
    super('MC_ERR_AUTH', message);
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/**
 * The typed error for a response status that is not a result. Statuses that are results (no error,
 * key not found, key exists, not stored) are the caller's to interpret and never reach this
 * function's error branches; it maps the others onto the same classes the text protocol uses, so
 * code that handles `SERVER_ERROR` and `CLIENT_ERROR` handles binary servers too:
 * - value too large, out of memory, internal error, busy, temporary failure, wrong vbucket → ServerError
 * - invalid arguments, incr/decr on a non-numeric value → ClientReplyError
 * - unknown command, not supported → UnknownCommandError
 * - auth error, auth continue → AuthError
 */
export function binaryStatusError(status: number, serverMessage = ''): MemcacheError {
  const text = serverMessage || describeStatus(status);
  switch (status) {
    case Status.InvalidArguments:
    case Status.NonNumericValue:
      return new ClientReplyError(text);
    case Status.UnknownCommand:
    case Status.NotSupported:
      return new UnknownCommandError(text);
    case Status.AuthError:
    case Status.AuthContinue:
      return new AuthError(`authentication failed: ${text}`, status, serverMessage);
    default:
      return new ServerError(text);
  }
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  [Status.NoError]: 'no error',
  [Status.KeyNotFound]: 'key not found',
  [Status.KeyExists]: 'key exists',
  [Status.ValueTooLarge]: 'value too large',
  [Status.InvalidArguments]: 'invalid arguments',
  [Status.ItemNotStored]: 'item not stored',
  [Status.NonNumericValue]: 'incr/decr on a non-numeric value',
  [Status.WrongVbucket]: 'the vbucket belongs to another server',
  [Status.AuthError]: 'authentication error',
  [Status.AuthContinue]: 'authentication continue',
  [Status.UnknownCommand]: 'unknown command',
  [Status.OutOfMemory]: 'out of memory',
  [Status.NotSupported]: 'not supported',
  [Status.InternalError]: 'internal error',
  [Status.Busy]: 'busy',
  [Status.TemporaryFailure]: 'temporary failure',
};

/** A readable description of a status code ('key not found', or 'status 0x00ff'). */
export function describeStatus(status: number): string {
  return DESCRIPTIONS[status] ?? `status 0x${status.toString(16).padStart(4, '0')}`;
}
