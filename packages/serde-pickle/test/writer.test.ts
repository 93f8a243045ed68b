import { describe, expect, it } from 'vitest';
import { dumps, isPickleError, loads, type PickleErrorCode } from '../src/index.js';
import { dict, difference, frozenset, tuple } from './same.js';

function codeOf(fn: () => unknown): PickleErrorCode | string {
  try {
    fn();
  } catch (err) {
    return isPickleError(err) ? err.pickleCode : `not a PickleError: ${String(err)}`;
  }
  return 'no error';
}

const roundTrips: [string, unknown][] = [
  ['None', null],
  ['bools', [true, false]],
  [
    'ints at every encoding boundary',
    [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)],
  ],
  ['bigints past 2^53', [2n ** 53n, -(2n ** 53n) - 1n, 2n ** 64n, -(2n ** 63n), 10n ** 700n, -(10n ** 700n)]],
  [
    'floats',
    [1.5, -0, 5e-324, 1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 60],
  ],
  ['strings', ['', 'a', 'hé€😀', 'x'.repeat(300), '\ud800 lone', 'a\\b\n\0']],
  ['bytes', [Buffer.alloc(0), Buffer.from([0, 255]), Buffer.alloc(70_000, 7)]],
  ['list, tuple', [[1, [2, [3]]], tuple(), tuple(1), tuple(1, 2), tuple(1, 2, 3), tuple(1, 2, 3, 4)]],
  ['dicts', [dict({}), dict({ a: 1, b: dict({ c: [null] }) }), dict([['__proto__', 1]])]],
  [
    'Maps with Python-hashable keys',
    new Map<unknown, unknown>([
      [1, 'int'],
      ['s', 'str'],
      [null, 'None'],
      [tuple(1, 'x'), 'tuple'],
      [Buffer.from('k'), 'bytes'],
      [frozenset(1), 'frozenset'],
      [2n ** 70n, 'big'],
      [1.5, 'float'],
      [true, 'bool'],
    ]),
  ],
  ['sets', [new Set(), new Set([1, 'a', tuple(1, 2)]), frozenset(), frozenset(1, frozenset(2))]],
];

describe('dumps → loads', () => {
  for (const protocol of [2, 3, 4, 5] as const)
    for (const [what, value] of roundTrips)
      it(`${what}, protocol ${protocol}`, () => {
        const bytes = dumps(value, { protocol });
        expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x80, protocol]));
        const back = loads(bytes, { dict: value instanceof Map ? 'map' : 'object' });
        expect(difference(back, value)).toBeUndefined();
      });

  it('writes bigints with the bytes Python writes, and a 100,000-digit one quickly', () => {
    // pickle.dumps(n, 4) for each n: LONG1 with Python's shortest two's complement.
    const python: [bigint, string][] = [
      [2n ** 31n, '8a050000008000'],
      [-(2n ** 31n) - 1n, '8a05ffffff7fff'],
      [2n ** 63n, '8a09000000000000008000'],
      [-(2n ** 63n), '8a080000000000000080'],
      [-(2n ** 64n) - 1n, '8a09fffffffffffffffffe'],
    ];
    for (const [n, hex] of python) expect(dumps(n).subarray(2, -1).toString('hex')).toBe(hex);
    const huge = -(10n ** 100_000n) + 7n;
    const bytes = dumps(huge);
    expect(bytes[2]).toBe(0x8b); // LONG4
    expect(loads(bytes)).toBe(huge);
  });

  it('a plain object with the default prototype is written as a dict and read back with a null one', () => {
    const back = loads(dumps({ a: [1, { b: 2 }] }));
    expect(difference(back, dict({ a: [1, dict({ b: 2 })] }))).toBeUndefined();
  });

  it('a Map whose keys are all str reads back as an object by default', () => {
    expect(difference(loads(dumps(new Map([['a', 1]]))), dict({ a: 1 }))).toBeUndefined();
  });

  it('a non-Buffer Uint8Array is written as bytes; a small bigint reads back as a number', () => {
    expect(difference(loads(dumps(new Uint8Array([1, 2]))), Buffer.from([1, 2]))).toBeUndefined();
    expect(loads(dumps(5n))).toBe(5);
  });

  it('shared values are written twice (no memo), so a DAG is fine', () => {
    const shared = [1, 2];
    expect(loads(dumps([shared, shared]))).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});

describe('dumps: refusals (MC_ERR_PICKLE_UNSUPPORTED), nothing half-written', () => {
  class Point {
    x = 1;
  }
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const refused: [string, unknown][] = [
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['a class instance', new Point()],
    ['a RegExp', /x/],
    ['a Uint16Array', new Uint16Array(2)],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['an undefined property', { a: undefined }],
    ['a hole', new Array<number>(3).fill(1, 0, 1)],
    ['a cycle', cyclic],
    ['a list as Map key', new Map([[[1], 1]])],
    ['a Map as Map key', new Map([[new Map(), 1]])],
    ['an object as Set element', new Set([{}])],
    ['a Set in a Set', new Set([new Set()])],
    ['a tuple holding a list in a Set', new Set([tuple([1])])],
  ];
  for (const [what, value] of refused)
    it(what, () => {
      expect(codeOf(() => dumps(value))).toBe('MC_ERR_PICKLE_UNSUPPORTED');
    });

  it('limits: maxDepth, maxItems, maxSize (MC_ERR_PICKLE_LIMIT)', () => {
    let deep: unknown = [];
    for (let i = 1; i < 256; i++) deep = [deep];
    expect(dumps(deep)).toBeInstanceOf(Buffer);
    expect(codeOf(() => dumps([deep]))).toBe('MC_ERR_PICKLE_LIMIT');
    expect(codeOf(() => dumps([[1]], { maxDepth: 1 }))).toBe('MC_ERR_PICKLE_LIMIT');
    expect(codeOf(() => dumps([1, 2, 3], { maxItems: 3 }))).toBe('MC_ERR_PICKLE_LIMIT');
    expect(dumps([1, 2], { maxItems: 3 })).toBeInstanceOf(Buffer);
    expect(codeOf(() => dumps('x'.repeat(1000), { maxSize: 1000 }))).toBe('MC_ERR_PICKLE_LIMIT');
    // A DAG that doubles at each level is stopped by the size or item limit, not by memory.
    let wide: unknown = [1];
    for (let i = 0; i < 40; i++) wide = [wide, wide];
    expect(codeOf(() => dumps(wide))).toBe('MC_ERR_PICKLE_LIMIT');
  });

  it('options are validated', () => {
    expect(() => dumps(1, { protocol: 1 as 2 })).toThrow(/protocol/);
    expect(() => dumps(1, { maxDepth: 0 })).toThrow(/maxDepth/);
  });
});
