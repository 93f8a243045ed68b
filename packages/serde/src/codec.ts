import { deflateSync, inflateSync } from 'node:zlib';
import { unknownFlags } from './default-serde.js';
import { SerdeError } from './errors.js';
import { FLAGS } from './flags.js';
import type { Codec, Serde, SerializedValue } from './types.js';

export interface WithCodecOptions {
  /**
   * Values of at least this many serialized bytes are compressed (when that saves bytes); smaller
   * ones are stored as they are. Default 400. pymemcache's CompressedSerde compresses values of
   * *more than* `min_compress_len` (400) bytes: pass 401 to write exactly what it writes.
   */
  minSize?: number;
  /** The single flag bit that marks compressed values. Default: the codec's `flag`, else FLAG_COMPRESSED (8). */
  flag?: number;
}

/** A codec that names the flag bit its compressed values carry. */
export interface FlaggedCodec extends Codec {
  readonly flag?: number;
}

/** Default ceiling on a decompressed value: far above memcached's largest item, far below a bomb. */
export const DEFAULT_MAX_DECOMPRESSED_SIZE = 256 * 1024 * 1024;

/**
 * Wraps a serde so that values of at least `minSize` bytes are compressed, but only when that saves
 * bytes, and marked with the codec's flag bit. Reading decompresses values that carry the bit.
 * With zlibCodec this reads everything pymemcache 4's CompressedSerde writes, and writes what it reads.
 */
export function withCodec(serde: Serde, codec: FlaggedCodec, options: WithCodecOptions = {}): Serde {
  const minSize = options.minSize ?? 400;
  if (!Number.isSafeInteger(minSize) || minSize < 0)
    throw new SerdeError(`withCodec: minSize must be a non-negative integer, got ${String(minSize)}`);
  const bit = options.flag ?? codec.flag ?? FLAGS.COMPRESSED;
  if (!isSingleBit(bit))
    throw new SerdeError(
      `withCodec: the codec's flag must be one bit of the 32-bit flags, got ${String(bit)}`,
    );
  if (serde.flagMask & bit)
    throw new SerdeError(`withCodec: the codec's flag bit ${bit} is already used by the serde`);
  const mask = (serde.flagMask | bit) >>> 0;
  return {
    specVersion: 1,
    flagMask: mask,
    serialize(key: string, value: unknown): SerializedValue {
      const inner = serde.serialize(key, value);
      if (inner.bytes.length < minSize) return inner;
      const packed = codec.compress(inner.bytes);
      // pymemcache also keeps a compressed value of equal size; mc keeps it only when it saves bytes.
      if (packed.length >= inner.bytes.length) return inner;
      return { bytes: packed, flags: (inner.flags | bit) >>> 0 };
    },
    deserialize(key: string, bytes: Uint8Array, flags: number): unknown {
      if ((flags & bit) === 0) return serde.deserialize(key, bytes, flags);
      // Check every bit before decompressing: unknown flags must never cost a decompression.
      if (flags & ~mask) throw unknownFlags(key, flags, mask);
      let plain: Uint8Array;
      try {
        plain = codec.decompress(bytes);
      } catch (cause) {
        throw new SerdeError(
          `value of key ${JSON.stringify(key)} could not be decompressed with ${codec.name}: ${
            cause instanceof Error ? cause.message : String(cause)
          }`,
          { cause, flags },
        );
      }
      return serde.deserialize(key, plain, (flags & ~bit) >>> 0);
    },
  };
}

function isSingleBit(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 0x80000000 && (n & (n - 1)) === 0;
}

export interface ZlibCodecOptions {
  /** zlib level, -1 (zlib's default, 6, as Python's zlib.compress) to 9. Default -1. */
  level?: number;
  /** Decompressed values larger than this fail with a SerdeError instead of filling memory. Default 256 MiB. */
  maxSize?: number;
}

/**
 * zlib (RFC 1950, with header), as Python's zlib.compress writes it: pymemcache 4's CompressedSerde
 * format. Marks values with FLAG_COMPRESSED (8).
 */
export function zlibCodec(options: ZlibCodecOptions = {}): FlaggedCodec {
  const level = options.level ?? -1;
  const maxOutputLength = options.maxSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE;
  return {
    name: 'zlib',
    flag: FLAGS.COMPRESSED,
    compress: (input) => deflateSync(input, { level }),
    decompress: (input) => inflateSync(input, { maxOutputLength }),
  };
}
