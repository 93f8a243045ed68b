import { Buffer } from 'node:buffer';
import { SerdeError } from './errors.js';
import { describeFlags, FLAGS } from './flags.js';
import { textValue } from './text-value.js';
import type { Serde, SerializedValue } from './types.js';

const MASK = FLAGS.TEXT | FLAGS.INTEGER | FLAGS.LONG | FLAGS.JSON;
// Any number of digits: Python ints are unbounded, and a bigint never loses a digit.
const INTEGER_TEXT = /^-?\d+$/;

/**
 * The default serde. For strings, bytes and integers it writes and reads exactly what pymemcache's
 * serializer does:
 * - string → UTF-8, FLAG_TEXT (16)
 * - Buffer / Uint8Array → as is, flags 0 (read back as a Buffer)
 * - safe integer or bigint → decimal ASCII, FLAG_INTEGER (2); read back as a number when exact,
 *   as a bigint otherwise, so integers past 2^53 never lose precision
 * - any other JSON-able value (objects, arrays, booleans, null, non-integer numbers, integers past
 *   2^53 held in a number) → JSON, FLAG_JSON (32)
 * Python pickles (flag 1), compressed values without a codec (8) and unknown bits give a SerdeError.
 */
export const defaultSerde: Serde = {
  specVersion: 1,
  flagMask: MASK,
  serialize(key: string, value: unknown): SerializedValue {
    switch (typeof value) {
      case 'string':
        return textValue(value, FLAGS.TEXT);
      case 'bigint':
        return textValue(value.toString(), FLAGS.INTEGER);
      case 'number':
        if (Number.isSafeInteger(value)) return textValue(String(value), FLAGS.INTEGER);
        if (!Number.isFinite(value))
          throw new SerdeError(`cannot serialize ${value} for key ${JSON.stringify(key)}`);
        break;
      case 'undefined':
      case 'function':
      case 'symbol':
        throw new SerdeError(
          `cannot serialize a value of type ${typeof value} for key ${JSON.stringify(key)}`,
        );
      default:
        if (value instanceof Uint8Array) return { bytes: value, flags: FLAGS.BYTES };
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (cause) {
      throw new SerdeError(`cannot serialize the value for key ${JSON.stringify(key)} as JSON`, { cause });
    }
    if (json === undefined)
      throw new SerdeError(`cannot serialize the value for key ${JSON.stringify(key)} as JSON`);
    return textValue(json, FLAGS.JSON);
  },
  deserialize(key: string, bytes: Uint8Array, flags: number): unknown {
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (flags) {
      case FLAGS.BYTES:
        return buf;
      case FLAGS.TEXT:
        return buf.toString('utf8');
      case FLAGS.INTEGER:
      case FLAGS.LONG: {
        // memcached may space-pad a decremented number ("10" - 1 = "9 "); Python's int() trims too.
        const text = buf.toString('latin1').trim();
        if (!INTEGER_TEXT.test(text))
          throw new SerdeError(
            `value of key ${JSON.stringify(key)} has the integer flag but is not an integer`,
            { flags },
          );
        const n = Number(text);
        // `+ 0` turns "-0" into 0: the integer flag holds integers, and JavaScript's -0 is not one.
        return Number.isSafeInteger(n) ? n + 0 : BigInt(text);
      }
      case FLAGS.JSON:
        try {
          return JSON.parse(buf.toString('utf8'));
        } catch (cause) {
          throw new SerdeError(`value of key ${JSON.stringify(key)} has the JSON flag but is not JSON`, {
            cause,
            flags,
          });
        }
      default:
        throw unknownFlags(key, flags, MASK);
    }
  },
};

/** The SerdeError for flags a serde does not know; names the flags and the likely cause. */
export function unknownFlags(key: string, flags: number, mask: number): SerdeError {
  let hint = '';
  if (flags & FLAGS.PICKLE)
    hint = ': it was pickled by Python; read it with pickleSerde() from @mc/serde-pickle';
  else if (flags & FLAGS.COMPRESSED && !(mask & FLAGS.COMPRESSED))
    hint = ': it is zlib-compressed; configure withCodec(serde, zlibCodec())';
  else if (flags & FLAGS.LZ4 && !(mask & FLAGS.LZ4))
    hint = ': it is LZ4-compressed; configure withCodec(serde, lz4Codec())';
  return new SerdeError(
    `value of key ${JSON.stringify(key)} has flags ${describeFlags(flags)} that this serde does not know${hint}`,
    { flags },
  );
}
