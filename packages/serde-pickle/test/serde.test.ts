import { checkSerde, defaultSerde, FLAGS, SerdeError, withCodec, zlibCodec } from '@mc/serde';
import { describe, expect, it } from 'vitest';
import { dumps, isPickleError, pickleSerde } from '../src/index.js';
import { dict, difference, frozenset, tuple } from './same.js';

describe('pickleSerde', () => {
  const serde = pickleSerde();

  it('passes checkSerde (round trips, flags inside flagMask, foreign bits refused)', () => {
    const samples = [
      'text',
      '',
      Buffer.from([1, 2]),
      42,
      -7,
      2n ** 64n + 5n,
      1.5,
      -0,
      true,
      null,
      [1, 'a', [null]],
      tuple(1, 2),
      dict({ a: 1, nested: dict({ b: [true] }) }),
      new Map<unknown, unknown>([[1, 'one']]),
      new Set([1, 2]),
      frozenset('a'),
      Number.POSITIVE_INFINITY,
    ];
    expect(checkSerde(serde, samples, { equals: (a, b) => difference(a, b) === undefined })).toBe(
      samples.length,
    );
  });

  it("writes str, bytes and int exactly as defaultSerde (pymemcache's bytes and flags), the rest as pickles", () => {
    for (const v of ['héllo', Buffer.from('ab'), 42, -1, 2n ** 70n]) {
      const mine = serde.serialize('k', v);
      const dflt = defaultSerde.serialize('k', v);
      expect({ flags: mine.flags, bytes: Buffer.from(mine.bytes).toString('hex') }).toEqual({
        flags: dflt.flags,
        bytes: Buffer.from(dflt.bytes).toString('hex'),
      });
    }
    expect(serde.serialize('k', 'x').flags).toBe(FLAGS.TEXT);
    expect(serde.serialize('k', 7).flags).toBe(FLAGS.INTEGER);
    expect(serde.serialize('k', Buffer.alloc(1)).flags).toBe(FLAGS.BYTES);
    for (const v of [true, null, 1.5, -0, 2 ** 60, [1], { a: 1 }, new Set()]) {
      const out = serde.serialize('k', v);
      expect(out.flags).toBe(FLAGS.PICKLE);
      expect(Buffer.from(out.bytes).equals(dumps(v))).toBe(true);
    }
    expect(Buffer.from(serde.serialize('k', [1]).bytes)[1]).toBe(4); // protocol 4 by default
    expect(Buffer.from(pickleSerde({ protocol: 2 }).serialize('k', [1]).bytes)[1]).toBe(2);
  });

  it('reads flags 0, 2, 4, 16 and 1 only; other flags are SerdeErrors naming the key', () => {
    expect(serde.deserialize('k', Buffer.from('12'), FLAGS.LONG)).toBe(12);
    expect(serde.deserialize('k', Buffer.from('ab'), FLAGS.TEXT)).toBe('ab');
    for (const flags of [
      FLAGS.JSON,
      FLAGS.PICKLE | FLAGS.INTEGER,
      FLAGS.PICKLE | FLAGS.COMPRESSED,
      1 << 20,
      3,
    ]) {
      expect(() => serde.deserialize('k', dumps(1), flags)).toThrow(SerdeError);
    }
    expect(() => serde.deserialize('k', Buffer.from('{}'), FLAGS.JSON)).toThrow(/"k"/);
  });

  it('a bad pickle is a PickleError that names the key and keeps the flags and the cause', () => {
    let caught: unknown;
    try {
      serde.deserialize('user:1', Buffer.from('cos\nsystem\n(S"id"\ntR.', 'latin1'), FLAGS.PICKLE);
    } catch (err) {
      caught = err;
    }
    expect(isPickleError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'MC_ERR_SERDE', pickleCode: 'MC_ERR_PICKLE_FORBIDDEN', flags: 1 });
    expect((caught as Error).message).toMatch(/key "user:1".*os\.system/);
    expect(isPickleError((caught as Error).cause)).toBe(true);
  });

  it('refuses a top-level string with a lone surrogate, which UTF-8 (flag 16) cannot carry', () => {
    expect(() => serde.serialize('k', 'a\ud800')).toThrow(/lone surrogate/);
    const inside = serde.serialize('k', ['a\ud800']);
    expect(serde.deserialize('k', inside.bytes, inside.flags)).toEqual(['a\ud800']);
  });

  it('unpicklable values are PickleErrors naming the key', () => {
    expect(() => serde.serialize('k', new Date())).toThrow(/key "k".*Date/);
    expect(() => serde.serialize('k', undefined)).toThrow(SerdeError);
  });

  it('stacks with zlibCodec as pymemcache 4 CompressedSerde does', () => {
    const z = withCodec(serde, zlibCodec(), { minSize: 401 });
    const big = { text: 'x'.repeat(2000) };
    const out = z.serialize('k', big);
    expect(out.flags).toBe(FLAGS.PICKLE | FLAGS.COMPRESSED);
    expect(difference(z.deserialize('k', out.bytes, out.flags), dict(big))).toBeUndefined();
  });

  it('validates its options when it is made', () => {
    expect(() => pickleSerde({ maxDepth: -1 })).toThrow(SerdeError);
  });
});
