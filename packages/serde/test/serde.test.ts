import { deflateSync } from 'node:zlib';
import { isMemcacheError } from '@mc/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkSerde,
  defaultSerde,
  FLAGS,
  type Serde,
  SerdeCheckError,
  SerdeError,
  textValue,
  withCodec,
  zlibCodec,
} from '../src/index.js';

describe('defaultSerde: pymemcache-compatible bytes and flags', () => {
  it.each([
    ['str', 'héllo', 'héllo', FLAGS.TEXT],
    ['bytes', Buffer.from([0, 1, 255]), Buffer.from([0, 1, 255]).toString('latin1'), 0],
    ['int', 42, '42', FLAGS.INTEGER],
    ['negative int', -7, '-7', FLAGS.INTEGER],
    ['bigint past 2^64', 2n ** 70n, (2n ** 70n).toString(), FLAGS.INTEGER],
  ])('%s', (_n, value, text, flags) => {
    const s = defaultSerde.serialize('k', value);
    expect(s.flags).toBe(flags);
    expect(Buffer.from(s.bytes).toString(flags === 0 ? 'latin1' : 'utf8')).toBe(text);
  });

  it('reads integers as numbers when exact and bigints otherwise', () => {
    expect(defaultSerde.deserialize('k', Buffer.from('9007199254740991'), FLAGS.INTEGER)).toBe(
      9007199254740991,
    );
    expect(defaultSerde.deserialize('k', Buffer.from('9007199254740993'), FLAGS.INTEGER)).toBe(
      9007199254740993n,
    );
    expect(defaultSerde.deserialize('k', Buffer.from('18446744073709551616'), FLAGS.LONG)).toBe(
      18446744073709551616n,
    );
    const huge = -(3n ** 400n); // 191 digits: Python ints have no size limit, neither do bigints
    expect(defaultSerde.deserialize('k', Buffer.from(huge.toString()), FLAGS.INTEGER)).toBe(huge);
    expect(Object.is(defaultSerde.deserialize('k', Buffer.from('-0'), FLAGS.INTEGER), 0)).toBe(true);
    // memcached's decr leaves the old width space-padded ("100" - 91 = "9  ").
    expect(defaultSerde.deserialize('k', Buffer.from('9  '), FLAGS.INTEGER)).toBe(9);
  });

  it('stores integers past 2^53 held in a number as JSON, so they come back as the same number', () => {
    const s = defaultSerde.serialize('k', 2 ** 60);
    expect(s.flags).toBe(FLAGS.JSON);
    expect(defaultSerde.deserialize('k', s.bytes, s.flags)).toBe(2 ** 60);
  });

  it('stores other JSON-able values as JSON on its own bit', () => {
    const s = defaultSerde.serialize('k', { a: [1, 2.5, null, true] });
    expect(s.flags).toBe(FLAGS.JSON);
    expect(defaultSerde.deserialize('k', s.bytes, s.flags)).toEqual({ a: [1, 2.5, null, true] });
  });

  it('rejects values it cannot represent, and unknown flags, with SerdeError naming the flags', () => {
    expect(() => defaultSerde.serialize('k', undefined)).toThrow(SerdeError);
    expect(() => defaultSerde.serialize('k', () => 1)).toThrow(SerdeError);
    expect(() => defaultSerde.serialize('k', Number.NaN)).toThrow(SerdeError);
    const pickle = (() => {
      try {
        defaultSerde.deserialize('k', Buffer.from('x'), FLAGS.PICKLE);
      } catch (e) {
        return e as SerdeError;
      }
    })();
    expect(pickle).toBeInstanceOf(SerdeError);
    expect(pickle?.message).toMatch(/pickled by Python/);
    expect(isMemcacheError(pickle)).toBe(true);
    expect(() => defaultSerde.deserialize('k', Buffer.from('x'), 1 << 20)).toThrow(/1048576 = 0x100000/);
    expect(() => defaultSerde.deserialize('k', Buffer.from('x'), FLAGS.COMPRESSED)).toThrow(/zlibCodec/);
    expect(() => defaultSerde.deserialize('k', Buffer.from('1.5'), FLAGS.INTEGER)).toThrow(SerdeError);
  });

  it('passes checkSerde', () => {
    expect(
      checkSerde(defaultSerde, ['', 'x', Buffer.from('b'), 0, -1, 2n ** 64n, { a: 1 }, [1], true, null, 1.5]),
    ).toBe(11);
  });
});

describe('withCodec + zlibCodec (pymemcache CompressedSerde format)', () => {
  const serde = withCodec(defaultSerde, zlibCodec(), { minSize: 10 });

  it('compresses large values with FLAG_COMPRESSED, as zlib.compress would', () => {
    const text = 'a'.repeat(1000);
    const s = serde.serialize('k', text);
    expect(s.flags).toBe(FLAGS.TEXT | FLAGS.COMPRESSED);
    expect(Buffer.from(s.bytes)).toEqual(deflateSync(Buffer.from(text)));
    expect(serde.deserialize('k', s.bytes, s.flags)).toBe(text);
  });

  it('leaves small values and values that do not shrink uncompressed', () => {
    expect(serde.serialize('k', 'short').flags).toBe(FLAGS.TEXT);
    const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 197 + 31) % 256));
    expect(serde.serialize('k', random).flags).toBe(0);
  });

  it('compresses from exactly minSize bytes, and reads compressed bytes (flags 8) back as a Buffer', () => {
    const at = withCodec(defaultSerde, zlibCodec(), { minSize: 100 });
    expect(at.serialize('k', 'a'.repeat(100)).flags).toBe(FLAGS.TEXT | FLAGS.COMPRESSED);
    expect(at.serialize('k', 'a'.repeat(99)).flags).toBe(FLAGS.TEXT);
    const raw = Buffer.alloc(500, 7);
    const s = at.serialize('k', raw);
    expect(s.flags).toBe(FLAGS.COMPRESSED);
    expect(at.deserialize('k', s.bytes, s.flags)).toEqual(raw);
  });

  it('refuses bad options with a SerdeError', () => {
    expect(() => withCodec(defaultSerde, zlibCodec(), { minSize: -1 })).toThrow(SerdeError);
    expect(() => withCodec(defaultSerde, zlibCodec(), { flag: 3 })).toThrow(/one bit/);
    expect(() => withCodec(defaultSerde, zlibCodec(), { flag: FLAGS.TEXT })).toThrow(/already used/);
  });

  it('stops a decompression bomb at maxSize with a SerdeError', () => {
    const small = withCodec(defaultSerde, zlibCodec({ maxSize: 1000 }));
    const bomb = deflateSync(Buffer.alloc(100_000));
    expect(() => small.deserialize('k', bomb, FLAGS.COMPRESSED)).toThrow(SerdeError);
  });

  it('rejects unknown bits before decompressing', () => {
    const s = serde.serialize('k', 'b'.repeat(1000));
    expect(() => serde.deserialize('k', s.bytes, s.flags | (1 << 20))).toThrow(/does not know/);
  });

  it('gives a SerdeError for corrupt compressed bytes', () => {
    expect(() => serde.deserialize('k', Buffer.from('not zlib'), FLAGS.COMPRESSED | FLAGS.TEXT)).toThrow(
      /decompressed/,
    );
  });

  it('passes checkSerde', () => {
    expect(checkSerde(serde, ['x'.repeat(500), 'y', 12345, { big: 'z'.repeat(400) }])).toBe(4);
  });
});

describe('checkSerde catches broken plugins', () => {
  it('flags outside the mask, lossy round trips, and unknown flags returned as garbage', () => {
    const broken: Serde = {
      specVersion: 1,
      flagMask: 1 << 16,
      serialize: (_k, v) => ({ bytes: Buffer.from(String(v)), flags: 1 << 17 }),
      deserialize: (_k, b) => Buffer.from(b).toString(),
    };
    expect(() => checkSerde(broken, [1])).toThrow(/outside flagMask[\s\S]*round trip[\s\S]*not rejected/);
  });

  it('catches a serde that checks only the low flag bits, and lists problems on the error', () => {
    const lowOnly: Serde = {
      specVersion: 1,
      flagMask: FLAGS.TEXT,
      serialize: (_k, v) => ({ bytes: Buffer.from(String(v)), flags: FLAGS.TEXT }),
      deserialize: (_k, b, flags) => {
        if ((flags & 0xffff) !== FLAGS.TEXT) throw new SerdeError(`unknown flags ${flags}`);
        return Buffer.from(b).toString();
      },
    };
    let error: unknown;
    try {
      checkSerde(lowOnly, ['a']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerdeCheckError);
    expect((error as SerdeCheckError).problems).toEqual([
      { sample: 'a', problem: 'flags with unknown bit 2147483648 were not rejected with a SerdeError' },
    ]);
  });
});

describe('text values (SerializedValue.text)', () => {
  it('strings, JSON and integers come back as text whose bytes are its UTF-8', () => {
    for (const [value, flags] of [
      ['héllo ✓', FLAGS.TEXT],
      [{ a: ['é'] }, FLAGS.JSON],
      [42, FLAGS.INTEGER],
      [2n ** 70n, FLAGS.INTEGER],
    ] as const) {
      const s = defaultSerde.serialize('k', value);
      expect(s.flags).toBe(flags);
      expect(typeof s.text).toBe('string');
      expect(Buffer.from(s.bytes)).toEqual(Buffer.from(s.text!, 'utf8'));
      expect(s.bytes).toBe(s.bytes); // made once, then kept
      expect(defaultSerde.deserialize('k', s.bytes, s.flags)).toEqual(value);
    }
  });

  it('bytes stay bytes, with no text', () => {
    const s = defaultSerde.serialize('k', Buffer.from([1, 2]));
    expect(s.text).toBeUndefined();
  });

  it('textValue() for a plugin: bytes made from the text on first read', () => {
    const v = textValue('ключ', 16);
    expect(v.flags).toBe(16);
    expect(Buffer.from(v.bytes).toString('utf8')).toBe('ключ');
  });
});
