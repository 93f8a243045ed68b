import { InvalidArgumentError } from '@mc/protocol';
import type { Serde, SerializedValue } from '@mc/serde';

/**
 * Serializes a value and ORs in the caller's extra flag bits (pymemcache's `flags=`), checking them
 * first. Shared by Client and MockClient so both store exactly the same flags.
 */
export function serializeWithFlags(
  serde: Serde,
  key: string,
  value: unknown,
  flags?: number,
): SerializedValue {
  if (flags !== undefined && (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff))
    throw new InvalidArgumentError(`flags must be an unsigned 32-bit integer, got ${String(flags)}`);
  const s = serde.serialize(key, value);
  return flags === undefined ? s : { bytes: s.bytes, flags: (s.flags | flags) >>> 0 };
}
