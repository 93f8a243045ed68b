import { checkSerde, defaultSerde, FLAGS, SerdeError, withCodec, zlibCodec } from '@mc/serde';
import { describe, expect, it } from 'vitest';
import { lz4Codec } from '../src/index.js';

describe('lz4Codec with withCodec', () => {
  const serde = withCodec(defaultSerde, lz4Codec(), { minSize: 64 });

  it('compresses large values with the LZ4 bit and round-trips (checkSerde)', () => {
    const big = 'abc'.repeat(1000);
    const out = serde.serialize('k', big);
    expect(out.flags).toBe(FLAGS.TEXT | FLAGS.LZ4);
    expect(out.bytes.length).toBeLessThan(big.length / 5);
    expect(serde.deserialize('k', out.bytes, out.flags)).toBe(big);
    expect(checkSerde(serde, [big, 'small', { doc: 'x'.repeat(500) }, Buffer.alloc(1000, 1)])).toBe(4);
  });

  it('is never confused with zlib: a zlib reader rejects LZ4 values by name', () => {
    const out = serde.serialize('k', 'abc'.repeat(1000));
    const zlibReader = withCodec(defaultSerde, zlibCodec());
    expect(() => zlibReader.deserialize('k', out.bytes, out.flags)).toThrow(SerdeError);
    expect(() => defaultSerde.deserialize('k', out.bytes, out.flags)).toThrow(/LZ4/);
  });

  it('gives a SerdeError for corrupt data', () => {
    expect(() => serde.deserialize('k', Buffer.from([1, 2, 3]), FLAGS.LZ4 | FLAGS.TEXT)).toThrow(SerdeError);
  });
});
