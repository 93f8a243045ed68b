import { InvalidArgumentError } from '@mc/client';

/** memcached reads an exptime up to 30 days as relative seconds, anything larger as a Unix time. */
export const MAX_RELATIVE_EXPTIME = 30 * 24 * 60 * 60;

/** The largest exptime memcached's int32 holds (19 January 2038 as a Unix time). */
const MAX_EXPTIME = 2 ** 31 - 1;

/** What a Keyv TTL becomes: an exptime for memcached, or 'expired' for a TTL that is already over. */
export type Exptime = number | 'expired';

/**
 * Turns a Keyv TTL (milliseconds) into memcached's exptime (seconds).
 *
 * - `undefined`, `0` and `Infinity`: 0, no expiry (Keyv itself turns a ttl of 0 into none).
 * - `< 0`: 'expired': the entry is deleted instead of stored.
 * - otherwise `ceil(ms / 1000) + 1` seconds. memcached's clock ticks once a second, so an item with
 *   exptime N can go after only N - 1 seconds; the extra second keeps it for at least the TTL.
 *   Keyv records the exact expiry (ms) in the value and hides the entry after it, so reads are
 *   exact; memcached frees the memory at most two seconds later.
 * - above 30 days: an absolute Unix time (memcached reads larger numbers that way), clamped to
 *   int32 (2038).
 * - NaN or a non-number: InvalidArgumentError.
 */
export function toExptime(ttlMs: number | undefined, nowMs: number = Date.now()): Exptime {
  if (ttlMs === undefined || ttlMs === null) return 0;
  if (typeof ttlMs !== 'number' || Number.isNaN(ttlMs))
    throw new InvalidArgumentError(`a ttl must be a number of milliseconds, got ${String(ttlMs)}`);
  if (ttlMs === 0 || ttlMs === Number.POSITIVE_INFINITY) return 0;
  if (ttlMs < 0) return 'expired';
  const seconds = Math.ceil(ttlMs / 1000) + 1;
  if (seconds <= MAX_RELATIVE_EXPTIME) return seconds;
  return Math.min(Math.ceil((nowMs + ttlMs) / 1000) + 1, MAX_EXPTIME);
}
