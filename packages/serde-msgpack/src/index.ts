import { FLAGS, type Serde, SerdeError, type SerializedValue, unknownFlags } from '@mc/serde';
import { Packr, type Options as PackrOptions } from 'msgpackr';

/** Options of {@link msgpackSerde}: msgpackr's own options (records, structures, ...) plus the flag bit. */
export interface MsgpackSerdeOptions extends PackrOptions {
  /** The flag bit that marks MessagePack values. Default FLAGS.MSGPACK (64). */
  flag?: number;
}

/**
 * defaults that make every value round-trip across processes: records on (msgpackr embeds their
 * definitions unless you share `structures`), Maps, Sets, Dates, typed arrays and Errors as extension
 * types, 64-bit integers as bigint and larger bigints through msgpackr's bigint extension.
 */
export const MSGPACK_DEFAULTS: PackrOptions = {
  useRecords: true,
  moreTypes: true,
  int64AsType: 'bigint',
  useBigIntExtension: true,
};

/**
 * A Serde that stores every value as MessagePack with msgpackr. msgpackr's native addon
 * (msgpackr-extract) speeds up decoding when it is installed; without it, msgpackr runs in pure
 * JavaScript with the same results.
 */
export function msgpackSerde(options: MsgpackSerdeOptions = {}): Serde {
  const { flag = FLAGS.MSGPACK, ...packrOptions } = options;
  if (!Number.isInteger(flag) || flag <= 0 || flag > 0x80000000 || (flag & (flag - 1)) !== 0)
    throw new SerdeError(`msgpackSerde: flag must be one bit of the 32-bit flags, got ${String(flag)}`);
  const packr = new Packr({ ...MSGPACK_DEFAULTS, ...packrOptions });
  return {
    specVersion: 1,
    flagMask: flag,
    serialize(key: string, value: unknown): SerializedValue {
      if (value === undefined)
        throw new SerdeError(`cannot serialize undefined for key ${JSON.stringify(key)}`);
      try {
        return { bytes: packr.pack(value), flags: flag };
      } catch (cause) {
        throw new SerdeError(`cannot serialize the value for key ${JSON.stringify(key)} as MessagePack`, {
          cause,
        });
      }
    },
    deserialize(key: string, bytes: Uint8Array, flags: number): unknown {
      if (flags !== flag) throw unknownFlags(key, flags, flag);
      try {
        return packr.unpack(bytes);
      } catch (cause) {
        throw new SerdeError(`value of key ${JSON.stringify(key)} is not valid MessagePack`, {
          cause,
          flags,
        });
      }
    },
  };
}
