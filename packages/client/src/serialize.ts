import { InvalidArgumentError } from '@mc/protocol';
import { type Serde, type SerializedValue, textValue } from '@mc/serde';

/**
 * Serializes a value; explicit `flags` replace the flags the serde chose, as pymemcache's `flags=`
 * does ("it overrides the value returned by the serializer"), after they are checked. Shared by
 * Client and MockClient so both store exactly the same flags. To read such values back, the serde
 * must know those bits: see @mc/serde's withAppFlags.
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
  if (flags === undefined) return s;
  return s.text !== undefined ? textValue(s.text, flags >>> 0) : { bytes: s.bytes, flags: flags >>> 0 };
}
