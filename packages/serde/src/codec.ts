import { deflateSync, inflateSync } from 'node:zlib';
import { unknownFlags } from './default-serde.js';
import { SerdeError } from './errors.js';
import { FLAGS } from './flags.js';
import type { Codec, Serde, SerializedValue } from './types.js';

export interface WithCodecOptions {
  /** Values smaller than this many bytes are stored uncompressed. Default 400 (pymemcache's min_compress_len). */
  minSize?: number;
  /** The flag bit that marks compressed values. Default: the codec's `flag`, else FLAG_COMPRESSED (8). */
  flag?: number;
}

/** A codec that names the flag bit its compressed values carry. */
export interface FlaggedCodec extends Codec {
  readonly flag?: number;
}

/**
 * Wraps a serde so that values of at least `minSize` bytes are compressed, but only when that saves
 * bytes, and marked with the codec's flag bit. Reading decompresses values that carry the bit.
 * With zlibCodec this reads and writes what pymemcache 4's CompressedSerde does.
 */
export function withCodec(serde: Serde, codec: FlaggedCodec, options: WithCodecOptions = {}): Serde {
  const minSize = options.minSize ?? 400;
  const bit = options.flag ?? codec.flag ?? FLAGS.COMPRESSED;
  if (serde.flagMask & bit) throw new SerdeError(`the codec's flag bit ${bit} is already used by the serde`);
  const mask = serde.flagMask | bit;
  return {
    specVersion: 1,
    flagMask: mask,
    serialize(key: string, value: unknown): SerializedValue {
      const inner = serde.serialize(key, value);
      if (inner.bytes.length < minSize) return inner;
      const packed = codec.compress(inner.bytes);
      if (packed.length >= inner.bytes.length) return inner;
      return { bytes: packed, flags: inner.flags | bit };
    },
    deserialize(key: string, bytes: Uint8Array, flags: number): unknown {
      if ((flags & bit) === 0) return serde.deserialize(key, bytes, flags);
      if (flags & ~mask) throw unknownFlags(key, flags, mask);
      let plain: Uint8Array;
      try {
        plain = codec.decompress(bytes);
      } catch (cause) {
        throw new SerdeError(
          `value of key ${JSON.stringify(key)} could not be decompressed with ${codec.name}`,
          { cause, flags },
        );
      }
      return serde.deserialize(key, plain, flags & ~bit);
    },
  };
}

/** zlib (RFC 1950, with header), as Python's zlib.compress writes it. Marks values with FLAG_COMPRESSED (8). */
export function zlibCodec(options: { level?: number } = {}): FlaggedCodec {
  const level = options.level ?? -1;
  return {
    name: 'zlib',
    flag: FLAGS.COMPRESSED,
    compress: (input) => deflateSync(input, { level }),
    decompress: (input) => inflateSync(input),
  };
}
