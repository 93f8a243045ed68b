// A third-party serde plugin: JSON that keeps Dates as Dates. It depends on @mc/serde only.
import { SerdeError, THIRD_PARTY_MASK, unknownFlags } from '@mc/serde';

/** Third-party plugins take their flag bits from 16-31 (THIRD_PARTY_MASK). */
export const DATED_JSON_FLAG = 1 << 16;
if ((DATED_JSON_FLAG & THIRD_PARTY_MASK) === 0) throw new Error('pick a bit from the third-party range');

const DATE_TAG = '\u0000date:';

/**
 * @param {{ flag?: number }} [options]
 * @returns {import('@mc/serde').Serde}
 */
export function datedJsonSerde(options = {}) {
  const flag = options.flag ?? DATED_JSON_FLAG;
  return {
    specVersion: 1,
    flagMask: flag,
    serialize(key, value) {
      if (value === undefined)
        throw new SerdeError(`cannot serialize undefined for key ${JSON.stringify(key)}`);
      // JSON.stringify calls Date#toJSON before the replacer sees the value, so tag Dates via `this`.
      const text = JSON.stringify(value, function (k, v) {
        return this[k] instanceof Date ? DATE_TAG + this[k].toISOString() : v;
      });
      return { bytes: Buffer.from(text, 'utf8'), flags: flag };
    },
    deserialize(key, bytes, flags) {
      // Unknown flags must be refused, never read as something else.
      if (flags !== flag) throw unknownFlags(key, flags, flag);
      try {
        return JSON.parse(Buffer.from(bytes).toString('utf8'), (_k, v) =>
          typeof v === 'string' && v.startsWith(DATE_TAG) ? new Date(v.slice(DATE_TAG.length)) : v,
        );
      } catch (cause) {
        throw new SerdeError(`value of key ${JSON.stringify(key)} is not dated JSON`, { cause, flags });
      }
    },
  };
}
