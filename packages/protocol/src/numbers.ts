import { InvalidArgumentError } from './errors.js';

const MAX_U64 = (1n << 64n) - 1n;

/** Checks an unsigned 32-bit integer (client flags). */
export function checkU32(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new InvalidArgumentError(`${name} must be an integer from 0 to 2^32-1, got ${String(value)}`);
  return value;
}

/** Checks an expiry / delay in seconds: a non-negative integer that fits memcached's signed 32 bits... */
export function checkSeconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)
    throw new InvalidArgumentError(
      `${name} must be a non-negative integer number of seconds (relative up to 30 days, else a Unix time), got ${String(value)}`,
    );
  return value;
}

/**
 * Checks an expiration time as the protocol takes it: any signed 32-bit integer. 0 never expires, up
 * to 30 days is relative, above that a Unix time, and a negative value expires the item at once.
 * (The client refuses negative expiries itself; the wire format allows them.)
 */
export function checkExptime(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
    throw new InvalidArgumentError(
      `${name} must be an integer from -2^31 to 2^31-1 seconds, got ${String(value)}`,
    );
  return value;
}

/** Checks a non-negative integer (sizes, verbosity, memory limits). */
export function checkNonNegative(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${String(value)}`);
  return value;
}

/** Checks an unsigned 64-bit value given as a safe integer or a bigint, and returns its decimal text. */
export function u64Text(name: string, value: number | bigint): string {
  if (typeof value === 'bigint') {
    if (value < 0n || value > MAX_U64)
      throw new InvalidArgumentError(`${name} must be from 0 to 2^64-1, got ${value}`);
    return value.toString();
  }
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(
      `${name} must be a non-negative safe integer or a bigint, got ${String(value)} (use a bigint past 2^53)`,
    );
  return String(value);
}

/** Checks that a value is bytes: encoders frame bytes, never strings or objects (serialize first). */
export function checkBytes(name: string, value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new InvalidArgumentError(
      `${name} must be a Buffer or Uint8Array (serialize it first), got ${typeof value}`,
    );
  return value;
}
