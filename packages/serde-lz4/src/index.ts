import { FLAGS, type FlaggedCodec } from '@mc/serde';
import { compressSync, uncompressSync } from 'lz4-napi';

/**
 * An LZ4 codec for withCodec, on lz4-napi (a native addon shipped prebuilt in the npm package).
 * Compressed values carry FLAGS.LZ4 (128), never zlib's bit (8), so a reader can tell them apart.
 */
export function lz4Codec(): FlaggedCodec {
  return {
    name: 'lz4',
    flag: FLAGS.LZ4,
    compress: (input) => compressSync(Buffer.from(input.buffer, input.byteOffset, input.byteLength)),
    decompress: (input) => uncompressSync(Buffer.from(input.buffer, input.byteOffset, input.byteLength)),
  };
}
