import { defaultSerde, FLAGS, type Serde, SerdeError, type SerializedValue, unknownFlags } from '@mc/serde';
import { isPickleError, PickleError } from './errors.js';
import type { PickleOptions } from './options.js';
import { loads } from './reader.js';
import { isWellFormed } from './text.js';
import { dumps } from './writer.js';

/** The flags pymemcache's python_memcache_serializer writes (FLAG_LONG only under Python 2). */
const MASK = FLAGS.PICKLE | FLAGS.INTEGER | FLAGS.LONG | FLAGS.TEXT;

/**
 * A serde that stores values the way pymemcache's default serializer does, so Node and Python
 * share a cache: str → UTF-8 (flag 16), bytes → as is (0), int → decimal (2), anything else → a
 * pickle (1). It reads exactly those flags (and 4, Python 2's long); any other flags value is
 * refused with a SerdeError, as is a pickle that holds anything but plain data.
 */
export function pickleSerde(options: PickleOptions = {}): Serde {
  // Validate once, at construction, so a bad option fails where it is written.
  dumps(null, options);
  return {
    specVersion: 1,
    flagMask: MASK,
    serialize(key: string, value: unknown): SerializedValue {
      switch (typeof value) {
        case 'string':
          if (!isWellFormed(value))
            throw new PickleError(
              'MC_ERR_PICKLE_UNSUPPORTED',
              `cannot serialize the string for key ${JSON.stringify(key)}: it has a lone surrogate, which UTF-8 cannot carry (pymemcache cannot store such a str either)`,
            );
          return defaultSerde.serialize(key, value);
        case 'bigint':
          return defaultSerde.serialize(key, value);
        case 'number':
          // -0 is a float in Python; as an int it would lose its sign.
          if (Number.isSafeInteger(value) && !Object.is(value, -0)) return defaultSerde.serialize(key, value);
          break;
        case 'object':
          if (value instanceof Uint8Array) return defaultSerde.serialize(key, value);
      }
      try {
        return { bytes: dumps(value, options), flags: FLAGS.PICKLE };
      } catch (cause) {
        throw withKey(cause, key, undefined);
      }
    },
    deserialize(key: string, bytes: Uint8Array, flags: number): unknown {
      switch (flags) {
        case FLAGS.BYTES:
        case FLAGS.TEXT:
        case FLAGS.INTEGER:
        case FLAGS.LONG:
          return defaultSerde.deserialize(key, bytes, flags);
        case FLAGS.PICKLE:
          try {
            return loads(bytes, options);
          } catch (cause) {
            throw withKey(cause, key, flags);
          }
        default:
          if (flags & FLAGS.PICKLE)
            throw new SerdeError(
              `value of key ${JSON.stringify(key)} has flags ${flags} = 0x${(flags >>> 0).toString(16)}: pymemcache's serializer writes a pickle with flags 1 only`,
              { flags },
            );
          throw unknownFlags(key, flags, MASK);
      }
    },
  };
}

function withKey(cause: unknown, key: string, flags: number | undefined): unknown {
  if (!isPickleError(cause)) return cause;
  const what = flags === undefined ? 'cannot serialize the value for' : 'cannot read the pickle of';
  return new PickleError(cause.pickleCode, `${what} key ${JSON.stringify(key)}: ${cause.message}`, {
    cause,
    ...(flags === undefined ? {} : { flags }),
    ...(cause.offset === undefined ? {} : { offset: cause.offset }),
  });
}
