import { InvalidArgumentError } from '@mc/protocol';
import type { MemcacheClient } from '../memcache-client.js';
import type { ErrorMatcher, RetryingClientOptions } from '../wrappers/retrying-client.js';
import {
  checkBoolean,
  checkInteger,
  checkKnownNames,
  checkMs,
  checkOptionsObject,
  describeValue,
  optionError,
  typeOf,
} from './validate.js';

/** RetryingClient's options with every default applied. Frozen (the lists too). */
export interface ResolvedRetryingOptions {
  readonly attempts: number;
  readonly retryDelay: number;
  /** undefined: retry the errors whose `retryable` is true. */
  readonly retryFor: readonly ErrorMatcher[] | undefined;
  readonly doNotRetryFor: readonly ErrorMatcher[];
  readonly retryUnsafe: boolean;
}

export const RETRYING_DEFAULTS = { attempts: 2, retryDelay: 0, retryUnsafe: false } as const;

export const RETRYING_OPTION_NAMES: readonly string[] = Object.freeze([
  'attempts',
  'retryDelay',
  'retryFor',
  'doNotRetryFor',
  'retryUnsafe',
]);

function checkMatchers(name: string, value: unknown): readonly ErrorMatcher[] | undefined {
  if (value === undefined) return undefined;
  const expected = "an array of error classes or codes such as 'MC_ERR_TIMEOUT'";
  if (!Array.isArray(value)) throw optionError('RetryingClient', name, expected, value);
  for (const [i, m] of value.entries()) {
    const ok = typeof m === 'function' || (typeof m === 'string' && m.length > 0);
    if (!ok)
      throw new InvalidArgumentError(
        `RetryingClient: option "${name}" must be ${expected}, got ${describeValue(m)} (${typeOf(m)}) at index ${i}`,
      );
  }
  return Object.freeze([...value] as ErrorMatcher[]);
}

/**
 * Validates RetryingClient's options: attempts an integer >= 1 (default 2), retryDelay ms (default
 * 0), retryFor / doNotRetryFor arrays of error classes or codes (no matcher in both), retryUnsafe a
 * boolean (default false).
 */
export function resolveRetryingOptions(options?: RetryingClientOptions): ResolvedRetryingOptions {
  const owner = 'RetryingClient';
  const o = checkOptionsObject(owner, options);
  checkKnownNames(owner, o, RETRYING_OPTION_NAMES);
  const retryFor = checkMatchers('retryFor', o.retryFor);
  const doNotRetryFor = checkMatchers('doNotRetryFor', o.doNotRetryFor) ?? Object.freeze([]);
  const both = (retryFor ?? []).filter((m) => doNotRetryFor.includes(m));
  if (both.length)
    throw new InvalidArgumentError(
      `${owner}: ${both.map((m) => (typeof m === 'string' ? m : m.name)).join(', ')} is in both "retryFor" and "doNotRetryFor"`,
    );
  return Object.freeze({
    attempts: checkInteger(owner, 'attempts', o.attempts, RETRYING_DEFAULTS.attempts, 1),
    retryDelay: checkMs(owner, 'retryDelay', o.retryDelay, RETRYING_DEFAULTS.retryDelay),
    retryFor,
    doNotRetryFor,
    retryUnsafe: checkBoolean(owner, 'retryUnsafe', o.retryUnsafe, RETRYING_DEFAULTS.retryUnsafe),
  });
}

/** FallbackClient's arguments, checked: a frozen copy of the client list. */
export interface ResolvedFallbackOptions {
  readonly clients: readonly MemcacheClient[];
}

/**
 * Validates FallbackClient's client list (its only argument): a non-empty array of objects with the
 * MemcacheClient methods get and set; the same client twice is refused (it would be asked twice).
 */
export function resolveFallbackOptions(clients: readonly MemcacheClient[]): ResolvedFallbackOptions {
  const owner = 'FallbackClient';
  if (!Array.isArray(clients) || clients.length === 0)
    throw new InvalidArgumentError(
      `${owner}: needs a non-empty array of clients, got ${describeValue(clients)} (${typeOf(clients)})`,
    );
  for (const [i, c] of clients.entries()) {
    const m = c as Partial<MemcacheClient> | null;
    if (typeof m !== 'object' || m === null || typeof m.get !== 'function' || typeof m.set !== 'function')
      throw new InvalidArgumentError(
        `${owner}: client ${i} must be a MemcacheClient (with get and set), got ${describeValue(c)} (${typeOf(c)})`,
      );
    if (clients.indexOf(c) !== i)
      throw new InvalidArgumentError(
        `${owner}: client ${i} is the same object as client ${clients.indexOf(c)}`,
      );
  }
  return Object.freeze({ clients: Object.freeze([...clients]) });
}
