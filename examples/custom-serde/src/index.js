// A third-party serde plugin: JSON that keeps Dates as Dates. It depends on @mc/serde only.
import { SerdeError, THIRD_PARTY_MASK, unknownFlags } from '@mc/serde';

/** Third-party plugins take their flag bits from 16-31 (THIRD_PARTY_MASK). */
export const DATED_JSON_FLAG = 1 << 16;
if ((DATED_JSON_FLAG & THIRD_PARTY_MASK) === 0) throw new Error('pick a bit from the third-party range');

// Dates are written as strings starting with DATE_TAG. A string of the application that starts with
// ESCAPE gets one more ESCAPE in front, so no string can ever be mistaken for a Date.
const ESCAPE = '\u0000';
const DATE_TAG = `${ESCAPE}date:`;

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
      let text;
      try {
        // JSON.stringify calls Date#toJSON before the replacer sees the value, so tag Dates via `this`.
        text = JSON.stringify(value, function (k, v) {
          const original = this[k];
          if (original instanceof Date) return DATE_TAG + original.toISOString();
          return typeof v === 'string' && v.startsWith(ESCAPE) ? ESCAPE + v : v;
        });
      } catch (cause) {
        // bigints, cycles and invalid Dates: a typed error, before anything is sent.
        throw new SerdeError(`cannot serialize the value for key ${JSON.stringify(key)} as dated JSON`, {
          cause,
        });
      }
      if (text === undefined)
        throw new SerdeError(
          `cannot serialize a value of type ${typeof value} for key ${JSON.stringify(key)}`,
        );
      return { bytes: Buffer.from(text, 'utf8'), flags: flag };
    },
    deserialize(key, bytes, flags) {
      // Unknown flags must be refused, never read as something else.
      if (flags !== flag) throw unknownFlags(key, flags, flag);
      try {
        return JSON.parse(Buffer.from(bytes).toString('utf8'), (_k, v) => {
          if (typeof v !== 'string' || !v.startsWith(ESCAPE)) return v;
          if (v.startsWith(ESCAPE, 1)) return v.slice(1);
          if (v.startsWith(DATE_TAG)) return new Date(v.slice(DATE_TAG.length));
          throw new Error(`unknown tag in ${JSON.stringify(v.slice(0, 20))}`);
        });
      } catch (cause) {
        throw new SerdeError(`value of key ${JSON.stringify(key)} is not dated JSON`, { cause, flags });
      }
    },
  };
}
