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

  it('stacks with zlib: one reader takes both pymemcache zlib values and LZ4 values', () => {
    const both = withCodec(withCodec(defaultSerde, zlibCodec()), lz4Codec());
    const zlibbed = withCodec(defaultSerde, zlibCodec()).serialize('k', 'z'.repeat(2000));
    const lz4ed = serde.serialize('k', 'l'.repeat(2000));
    expect(zlibbed.flags).toBe(FLAGS.TEXT | FLAGS.COMPRESSED);
    expect(both.deserialize('k', zlibbed.bytes, zlibbed.flags)).toBe('z'.repeat(2000));
    expect(both.deserialize('k', lz4ed.bytes, lz4ed.flags)).toBe('l'.repeat(2000));
    expect(both.flagMask).toBe(defaultSerde.flagMask | FLAGS.COMPRESSED | FLAGS.LZ4);
  });

  it('gives a SerdeError for corrupt data', () => {
    expect(() => serde.deserialize('k', Buffer.from([1, 2, 3]), FLAGS.LZ4 | FLAGS.TEXT)).toThrow(SerdeError);
    const good = Buffer.from(serde.serialize('k', 'abc'.repeat(1000)).bytes);
    const lying = Buffer.from(good);
    lying.writeUInt32LE(3001, 0); // one byte more than the block holds: never a silently short value
    expect(() => serde.deserialize('k', lying, FLAGS.LZ4 | FLAGS.TEXT)).toThrow(/header says 3001/);
  });

  it('writes the size-prefixed block format (4-byte little-endian size, then the LZ4 block)', () => {
    const out = Buffer.from(serde.serialize('k', Buffer.alloc(5000, 97)).bytes);
    expect(out.readUInt32LE(0)).toBe(5000);
  });

  it('refuses a header over maxSize before allocating it', () => {
    const small = withCodec(defaultSerde, lz4Codec({ maxSize: 1000 }), { minSize: 64 });
    const out = serde.serialize('k', 'abc'.repeat(1000));
    expect(() => small.deserialize('k', out.bytes, out.flags)).toThrow(/over maxSize 1000/);
  });
});
