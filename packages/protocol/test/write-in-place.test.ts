import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkKey,
  encodeGet,
  encodeKey,
  encodeStorage,
  retrievalSize,
  storageLine,
  valueLength,
  writeRetrieval,
  writeStorageLine,
} from '../src/index.js';

// The in-place writers must produce exactly the bytes of the Buffer-returning encoders.
const keyArb = fc.oneof(
  fc.stringMatching(/^[!-~]{1,40}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((s) => {
    try {
      checkKey(s, { allowUnicode: true });
      return true;
    } catch {
      return false;
    }
  }),
);

describe('in-place writers', () => {
  it('writeRetrieval writes the bytes of encodeGet, at an offset, in retrievalSize bytes', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 20 }), fc.nat(8), (keys, at) => {
        const opts = { allowUnicode: true };
        const lengths = keys.map((k) => checkKey(k, opts));
        const size = retrievalSize(
          'get ',
          keys.length,
          lengths.reduce((a, b) => a + b, 0),
        );
        const target = Buffer.alloc(at + size + 3, 0xee);
        const utf8 = keys.some((k, i) => lengths[i] !== k.length);
        const end = writeRetrieval(target, at, 'get ', keys, utf8);
        expect(end - at).toBe(size);
        expect(target.subarray(at, end)).toEqual(encodeGet(keys.map((k) => encodeKey(k, opts))));
        expect(target[end]).toBe(0xee); // nothing written past the end
      }),
    );
  });

  it('writeRetrieval of a range of the keys (one key: written without joining) matches encodeGet of that range', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('get ', 'gets ', 'gat 10 '),
        (keys, a, b, head) => {
          const start = a % keys.length;
          const end = start + 1 + (b % (keys.length - start));
          const part = keys.slice(start, end);
          const opts = { allowUnicode: true };
          const lengths = part.map((k) => checkKey(k, opts));
          const utf8 = part.some((k, i) => lengths[i] !== k.length);
          const size = retrievalSize(
            head,
            part.length,
            lengths.reduce((x, y) => x + y, 0),
          );
          const target = Buffer.alloc(size + 1, 0xee);
          expect(writeRetrieval(target, 0, head, keys, utf8, start, end)).toBe(size);
          const want = Buffer.concat([
            Buffer.from(head, 'latin1'),
            Buffer.from(part.join(' '), 'utf8'),
            Buffer.from('\r\n'),
          ]);
          expect(target.subarray(0, size)).toEqual(want);
          expect(target[size]).toBe(0xee);
        },
      ),
    );
  });
});

describe('storageLine + writeStorageLine', () => {
  it('write the bytes of encodeStorage, for ASCII and UTF-8 keys, bytes and text values', () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 20 })),
        fc.nat(),
        fc.boolean(),
        fc.constantFrom('set', 'add'),
        fc.constantFrom(0, 7),
        (key, value, flags, noreply, command, expire) => {
          const opts = { allowUnicode: true, prefix: 'p:' };
          const n = checkKey(key, opts);
          const full = `p:${key}`;
          const valueBytes = valueLength(value);
          const line = storageLine(command, full, flags, expire, valueBytes, noreply);
          const lineBytes = n === full.length ? line.length : line.length - full.length + n;
          const target = Buffer.alloc(lineBytes + valueBytes + 2);
          const end = writeStorageLine(target, 0, line, n !== full.length, value);
          expect(end).toBe(target.length);
          const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
          expect(target).toEqual(encodeStorage(command, encodeKey(key, opts), flags, expire, bytes, noreply));
        },
      ),
    );
  });
});
