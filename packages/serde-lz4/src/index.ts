import { DEFAULT_MAX_DECOMPRESSED_SIZE, FLAGS, type FlaggedCodec, SerdeError } from '@mc/serde';
import { compressSync, uncompressSync } from 'lz4-napi';

export interface Lz4CodecOptions {
  /** Decompressed values larger than this fail with a SerdeError instead of filling memory. Default 256 MiB. */
  maxSize?: number;
}

/** Bytes of the little-endian uncompressed-size header in front of each LZ4 block. */
const SIZE_HEADER = 4;

/**
 * An LZ4 codec for withCodec, on lz4-napi (a native addon shipped prebuilt in the npm package).
 * Format: the uncompressed size as a 4-byte little-endian integer, then one LZ4 block, which is
 * also what Python's `lz4.block.compress(data)` writes. Compressed values carry FLAGS.LZ4 (128),
 * never zlib's bit (8), so a reader can tell them apart.
 */
export function lz4Codec(options: Lz4CodecOptions = {}): FlaggedCodec {
  const maxSize = options.maxSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE;
  return {
    name: 'lz4',
    flag: FLAGS.LZ4,
    compress: (input) => compressSync(asBuffer(input)),
    decompress(input) {
      // lz4-napi allocates whatever the header claims and returns a shorter result without an
      // error when the block holds less, so check the header before and the length after.
      if (input.length < SIZE_HEADER) throw new SerdeError('lz4: value shorter than its size header');
      const buf = asBuffer(input);
      const size = buf.readUInt32LE(0);
      if (size > maxSize) throw new SerdeError(`lz4: decompressed size ${size} is over maxSize ${maxSize}`);
      const out = uncompressSync(buf);
      if (out.length !== size)
        throw new SerdeError(`lz4: decompressed ${out.length} bytes, the header says ${size}`);
      return out;
    },
  };
}

function asBuffer(input: Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}
