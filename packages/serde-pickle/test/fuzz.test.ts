import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dumps, isPickleError, loads } from '../src/index.js';
import { dict, difference } from './same.js';

/** Plain data as loads returns it (dicts with str keys as plain objects, tuples frozen). */
const { value: data } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).filter((b) => b > 2n ** 53n || b < -(2n ** 53n)),
    fc.double().filter((d) => !Number.isSafeInteger(d) || Object.is(d, -0)),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme-composite' }),
    fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(tie('value'), { maxLength: 5 }).map((a) => Object.freeze(a)),
    fc
      .array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor')), tie('value')), {
        maxLength: 5,
      })
      .map((entries) => dict(entries)),
    fc.uniqueArray(fc.oneof(fc.integer(), fc.string()), { maxLength: 5 }).map((a) => new Set(a)),
  ),
}));

/** Only PickleErrors may come out of loads, whatever the bytes. */
function loadsTyped(bytes: Uint8Array): void {
  try {
    loads(bytes, { maxItems: 100_000 });
  } catch (err) {
    if (!isPickleError(err)) throw new Error(`loads threw a non-PickleError: ${String(err)}`, { cause: err });
  }
}

describe('fuzz (fast-check)', () => {
  it('every generated value survives dumps → loads in every protocol', () => {
    fc.assert(
      fc.property(data, fc.constantFrom(2, 3, 4, 5), (v, protocol) => {
        const back = loads(dumps(v, { protocol: protocol as 2 | 3 | 4 | 5 }));
        expect(difference(back, v)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('every truncation of a valid pickle is a PickleError', () => {
    fc.assert(
      fc.property(data, fc.constantFrom(2, 3, 4, 5), (v, protocol) => {
        const bytes = dumps(v, { protocol: protocol as 2 | 3 | 4 | 5 });
        for (let n = 0; n < bytes.length; n++) {
          let caught: unknown;
          try {
            loads(bytes.subarray(0, n));
          } catch (err) {
            caught = err;
          }
          expect(isPickleError(caught)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('mutated pickles (bytes flipped, inserted, deleted) give a value or a PickleError, nothing else', () => {
    fc.assert(
      fc.property(
        data,
        fc.array(
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (v, edits) => {
          const bytes = [...dumps(v)];
          for (const [at, byte, how] of edits) {
            const i = at % (bytes.length + 1);
            if (how === 'set' && i < bytes.length) bytes[i] = byte;
            else if (how === 'insert') bytes.splice(i, 0, byte);
            else bytes.splice(i, 1);
          }
          loadsTyped(Uint8Array.from(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random bytes after a PROTO header give a value or a PickleError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        loadsTyped(Buffer.concat([Buffer.from([0x80, 4]), tail]));
        loadsTyped(tail);
      }),
      { numRuns: 3000 },
    );
  });
});
