import { describe, expect, it } from 'vitest';
import { dumps, isPickleError, loads, type PickleErrorCode } from '../src/index.js';
import { dict, difference, frozenset, tuple } from './same.js';

const hex = (h: string) => Buffer.from(h, 'hex');

/** What `pickle.dumps(value, protocol)` returned for protocols 0 to 5 (CPython 3.11.2, Debian 12). */
const CPYTHON: Record<string, string[]> = {
  none: ['4e2e', '4e2e', '80024e2e', '80034e2e', '80044e2e', '80054e2e'],
  true: ['4930310a2e', '4930310a2e', '8002882e', '8003882e', '8004882e', '8005882e'],
  big: [
    '4c313138303539313632303731373431313330333432344c0a2e',
    '4c313138303539313632303731373431313330333432344c0a2e',
    '80028a090000000000000000402e',
    '80038a090000000000000000402e',
    '8004950c000000000000008a090000000000000000402e',
    '8005950c000000000000008a090000000000000000402e',
  ],
  neg: [
    '492d350a2e',
    '4afbffffff2e',
    '80024afbffffff2e',
    '80034afbffffff2e',
    '80049506000000000000004afbffffff2e',
    '80059506000000000000004afbffffff2e',
  ],
  float: [
    '46312e350a2e',
    '473ff80000000000002e',
    '8002473ff80000000000002e',
    '8003473ff80000000000002e',
    '8004950a00000000000000473ff80000000000002e',
    '8005950a00000000000000473ff80000000000002e',
  ],
  str: [
    '5668e95c75323061630a70300a2e',
    '580600000068c3a9e282ac71002e',
    '8002580600000068c3a9e282ac71002e',
    '8003580600000068c3a9e282ac71002e',
    '8004950a000000000000008c0668c3a9e282ac942e',
    '8005950a000000000000008c0668c3a9e282ac942e',
  ],
  bytes: [
    '635f636f646563730a656e636f64650a70300a28565c7530303030ff0a70310a566c6174696e310a70320a7470330a5270340a2e',
    '635f636f646563730a656e636f64650a710028580300000000c3bf710158060000006c6174696e3171027471035271042e',
    '8002635f636f646563730a656e636f64650a7100580300000000c3bf710158060000006c6174696e3171028671035271042e',
    '8003430200ff71002e',
    '8004950600000000000000430200ff942e',
    '8005950600000000000000430200ff942e',
  ],
  bytearray: [
    '635f5f6275696c74696e5f5f0a6279746561727261790a70300a28635f636f646563730a656e636f64650a70310a285661620a70320a566c6174696e310a70330a7470340a5270350a7470360a5270370a2e',
    '635f5f6275696c74696e5f5f0a6279746561727261790a710028635f636f646563730a656e636f64650a71012858020000006162710258060000006c6174696e3171037471045271057471065271072e',
    '8002635f5f6275696c74696e5f5f0a6279746561727261790a7100635f636f646563730a656e636f64650a710158020000006162710258060000006c6174696e3171038671045271058571065271072e',
    '8003636275696c74696e730a6279746561727261790a71004302616271018571025271032e',
    '80049523000000000000008c086275696c74696e73948c096279746561727261799493944302616294859452942e',
    '8005950d000000000000009602000000000000006162942e',
  ],
  list: [
    '286c70300a49310a612e',
    '5d71004b01612e',
    '80025d71004b01612e',
    '80035d71004b01612e',
    '80049506000000000000005d944b01612e',
    '80059506000000000000005d944b01612e',
  ],
  tuple: [
    '2849310a49320a7470300a2e',
    '284b014b027471002e',
    '80024b014b028671002e',
    '80034b014b028671002e',
    '80049507000000000000004b014b0286942e',
    '80059507000000000000004b014b0286942e',
  ],
  dict: [
    '286470300a56610a70310a49310a732e',
    '7d710058010000006171014b01732e',
    '80027d710058010000006171014b01732e',
    '80037d710058010000006171014b01732e',
    '8004950a000000000000007d948c0161944b01732e',
    '8005950a000000000000007d948c0161944b01732e',
  ],
  set: [
    '635f5f6275696c74696e5f5f0a7365740a70300a28286c70310a49310a6149320a617470320a5270330a2e',
    '635f5f6275696c74696e5f5f0a7365740a7100285d7101284b014b02657471025271032e',
    '8002635f5f6275696c74696e5f5f0a7365740a71005d7101284b014b02658571025271032e',
    '8003636275696c74696e730a7365740a71005d7101284b014b02658571025271032e',
    '80049509000000000000008f94284b014b02902e',
    '80059509000000000000008f94284b014b02902e',
  ],
  frozenset: [
    '635f5f6275696c74696e5f5f0a66726f7a656e7365740a70300a28286c70310a49330a617470320a5270330a2e',
    '635f5f6275696c74696e5f5f0a66726f7a656e7365740a7100285d71014b03617471025271032e',
    '8002635f5f6275696c74696e5f5f0a66726f7a656e7365740a71005d71014b03618571025271032e',
    '8003636275696c74696e730a66726f7a656e7365740a71005d71014b03618571025271032e',
    '8004950600000000000000284b0391942e',
    '8005950600000000000000284b0391942e',
  ],
  bytes_empty: [
    '635f5f6275696c74696e5f5f0a62797465730a70300a28745270310a2e',
    '635f5f6275696c74696e5f5f0a62797465730a7100295271012e',
    '8002635f5f6275696c74696e5f5f0a62797465730a7100295271012e',
    '8003430071002e',
    '80049504000000000000004300942e',
    '80059504000000000000004300942e',
  ],
  bytearray_empty: [
    '635f5f6275696c74696e5f5f0a6279746561727261790a70300a28745270310a2e',
    '635f5f6275696c74696e5f5f0a6279746561727261790a7100295271012e',
    '8002635f5f6275696c74696e5f5f0a6279746561727261790a7100295271012e',
    '8003636275696c74696e730a6279746561727261790a7100295271012e',
    '8004951d000000000000008c086275696c74696e73948c096279746561727261799493942952942e',
    '8005950b00000000000000960000000000000000942e',
  ],
  set_empty: [
    '635f5f6275696c74696e5f5f0a7365740a70300a28286c70310a7470320a5270330a2e',
    '635f5f6275696c74696e5f5f0a7365740a7100285d71017471025271032e',
    '8002635f5f6275696c74696e5f5f0a7365740a71005d71018571025271032e',
    '8003636275696c74696e730a7365740a71005d71018571025271032e',
    '80048f942e',
    '80058f942e',
  ],
  frozenset_empty: [
    '635f5f6275696c74696e5f5f0a66726f7a656e7365740a70300a28286c70310a7470320a5270330a2e',
    '635f5f6275696c74696e5f5f0a66726f7a656e7365740a7100285d71017471025271032e',
    '8002635f5f6275696c74696e5f5f0a66726f7a656e7365740a71005d71018571025271032e',
    '8003636275696c74696e730a66726f7a656e7365740a71005d71018571025271032e',
    '80049504000000000000002891942e',
    '80059504000000000000002891942e',
  ],
  tuple_empty: ['28742e', '292e', '8002292e', '8003292e', '8004292e', '8005292e'],
};

const EXPECTED: Record<string, unknown> = {
  none: null,
  true: true,
  big: 2n ** 70n,
  neg: -5,
  float: 1.5,
  str: 'hé€',
  bytes: Buffer.from([0, 255]),
  bytearray: new Uint8Array([0x61, 0x62]),
  list: [1],
  tuple: tuple(1, 2),
  dict: dict({ a: 1 }),
  set: new Set([1, 2]),
  frozenset: frozenset(3),
  bytes_empty: Buffer.alloc(0),
  bytearray_empty: new Uint8Array(0),
  set_empty: new Set(),
  frozenset_empty: frozenset(),
  tuple_empty: tuple(),
};

function codeOf(fn: () => unknown): PickleErrorCode | string {
  try {
    fn();
  } catch (err) {
    return isPickleError(err) ? err.pickleCode : `not a PickleError: ${String(err)}`;
  }
  return 'no error';
}

describe('loads: every type in every protocol (vectors from CPython)', () => {
  for (const [name, vectors] of Object.entries(CPYTHON))
    it(`${name}, protocols 0-5`, () => {
      vectors.forEach((v, protocol) => {
        expect({ protocol, diff: difference(loads(hex(v)), EXPECTED[name]) }).toEqual({
          protocol,
          diff: undefined,
        });
      });
    });
});

describe('loads: the mapping', () => {
  it('reads dicts with only str keys as plain objects, others as Maps; "null-prototype" and "map" on request', () => {
    // {'a': 1, 2: 'b'}, protocol 4
    const mixed = hex('80047d94288c0161944b014b028c016294752e');
    const m = loads(mixed) as Map<unknown, unknown>;
    expect(m).toBeInstanceOf(Map);
    expect([...m]).toEqual([
      ['a', 1],
      [2, 'b'],
    ]);
    const pickled = hex('8005950a000000000000007d948c0161944b01732e'); // {'a': 1}
    expect(Object.getPrototypeOf(loads(pickled))).toBe(Object.prototype);
    const bare = loads(pickled, { dict: 'null-prototype' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(bare)).toBe(null);
    expect({ ...bare }).toEqual({ a: 1 });
    expect(loads(mixed, { dict: 'null-prototype' })).toBeInstanceOf(Map);
    expect(loads(pickled, { dict: 'map' })).toEqual(new Map([['a', 1]]));
  });

  it('a "__proto__" key is an own property, as JSON.parse makes it: nothing is polluted', () => {
    // {'__proto__': {'polluted': True}, 'constructor': 1}, protocol 4
    const pickled = hex(
      '80047d94288c095f5f70726f746f5f5f947d948c08706f6c6c75746564948873948c0b636f6e7374727563746f72944b01752e',
    );
    for (const mode of ['object', 'null-prototype'] as const) {
      const v = loads(pickled, { dict: mode }) as Record<string, unknown>;
      expect(Object.getPrototypeOf(v)).toBe(mode === 'object' ? Object.prototype : null);
      expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toMatchObject({ polluted: true });
      expect((v as { polluted?: unknown }).polluted).toBeUndefined();
    }
    const same = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}');
    expect(difference(loads(pickled), same)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('a dict that meets a non-str key late becomes a Map everywhere it is referenced (memo, list)', () => {
    // Written by hand: [d, d] where d = {'x': 1} gets the int key 5 through its second reference.
    // EMPTY_LIST MEMOIZE MARK EMPTY_DICT MEMOIZE 'x' MEMOIZE 1 SETITEM GET1 5 2 SETITEM APPENDS STOP
    const v = loads(hex('80045d94287d948c017894' + '4b0173' + '6801' + '4b054b0273' + '652e')) as unknown[];
    expect(v).toHaveLength(2);
    expect(v[0]).toBeInstanceOf(Map);
    expect(v[0]).toBe(v[1]);
    expect([...(v[0] as Map<unknown, unknown>)]).toEqual([
      ['x', 1],
      [5, 2],
    ]);
  });

  it('integers follow @mc/serde: number when safe, bigint past 2^53, in every encoding', () => {
    expect(loads(hex('8004 8a 07 ffffffffffff1f 2e'.replace(/ /g, '')))).toBe(2 ** 53 - 1);
    expect(loads(hex('8004 8a 07 00000000000020 2e'.replace(/ /g, '')))).toBe(2n ** 53n);
    expect(loads(hex('8004 8a 01 ff 2e'.replace(/ /g, '')))).toBe(-1);
    expect(loads(hex('8004 8a 00 2e'.replace(/ /g, '')))).toBe(0);
    expect(loads(hex('8004 8a 09 ffffffffffffffffff 2e'.replace(/ /g, '')))).toBe(-1);
    expect(loads(hex('8004 8a 08 0000000000000080 2e'.replace(/ /g, '')))).toBe(-(2n ** 63n));
    expect(loads(Buffer.from('I-9007199254740993\n.', 'latin1'))).toBe(-9007199254740993n);
    expect(loads(Buffer.from('L12345678901234567890L\n.', 'latin1'))).toBe(12345678901234567890n);
    expect(loads(Buffer.from('I-0\n.', 'latin1'))).toBe(0);
    expect(Object.is(loads(Buffer.from('I-0\n.', 'latin1')), 0)).toBe(true);
    expect(loads(Buffer.from('I00\n.', 'latin1'))).toBe(false);
  });

  it('floats: nan, inf, -0.0 in text and binary form', () => {
    expect(loads(Buffer.from('Fnan\n.', 'latin1'))).toBeNaN();
    expect(loads(Buffer.from('F-inf\n.', 'latin1'))).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(loads(Buffer.from('F-0.0\n.', 'latin1')), -0)).toBe(true);
    expect(loads(Buffer.from('F1e+100\n.', 'latin1'))).toBe(1e100);
    expect(loads(hex('8004477ff00000000000002e'))).toBe(Number.POSITIVE_INFINITY);
  });

  it('str: lone surrogates survive (surrogatepass), raw-unicode-escape in protocol 0', () => {
    expect(loads(hex('8004950800000000000000' + '8c04eda08078942e'))).toBe('\ud800x');
    expect(loads(Buffer.from('Va\\u005cb\\u000a\\u0000\\U0001f600\np0\n.', 'latin1'))).toBe('a\\b\n\0😀');
    expect(codeOf(() => loads(hex('80048c02c3282e')))).toBe('MC_ERR_PICKLE_INVALID');
  });

  it('Python 2 str: ASCII by default, legacyStrings picks latin1, utf8 or bytes', () => {
    const py2 = hex('8002550368c3a92e'); // SHORT_BINSTRING 'h\xc3\xa9'
    expect(codeOf(() => loads(py2))).toBe('MC_ERR_PICKLE_INVALID');
    expect(loads(py2, { legacyStrings: 'utf8' })).toBe('hé');
    expect(loads(py2, { legacyStrings: 'latin1' })).toBe('hÃ©');
    expect(loads(py2, { legacyStrings: 'bytes' })).toEqual(Buffer.from('68c3a9', 'hex'));
    expect(loads(Buffer.from("S'a\\'b\\n\\x41\\101'\np0\n.", 'latin1'))).toBe("a'b\nAA");
    expect(loads(Buffer.from('T\x02\x00\x00\x00ab.', 'latin1'))).toBe('ab');
  });

  it('short strings come back right when the decode cache slots collide (5000 distinct keys, twice)', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    const value = Object.fromEntries(keys.map((k) => [k, k.toUpperCase()]));
    for (let round = 0; round < 2; round++) {
      const back = loads(dumps(value)) as Record<string, string>;
      expect(Object.keys(back)).toEqual(Object.keys(value));
      for (const k of keys) expect(back[k]).toBe(k.toUpperCase());
    }
  });

  it('the memo: shared values come back shared', () => {
    // l = [1]; [l, l] in protocol 4
    const v = loads(hex('80045d94285d944b01616801652e')) as unknown[];
    expect(v).toEqual([[1], [1]]);
    expect(v[0]).toBe(v[1]);
  });
});

describe('loads: refusals', () => {
  const refused: [string, string, PickleErrorCode][] = [
    // os.system('echo pwned') as pickle.dumps writes it for a class whose __reduce__ returns it
    [
      'GLOBAL os.system + REDUCE',
      '63706f7369780a73797374656d0a28566563686f2070776e65640a74522e',
      'MC_ERR_PICKLE_FORBIDDEN',
    ],
    [
      'STACK_GLOBAL builtins.eval',
      '80048c086275696c74696e73948c046576616c9493942e',
      'MC_ERR_PICKLE_FORBIDDEN',
    ],
    ['REDUCE on a list', '80045d9429522e', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['BUILD', '80047d947d94622e', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['INST', '28695f5f6d61696e5f5f0a430a2e', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['OBJ', '28296f2e', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['NEWOBJ', '800229298152', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['NEWOBJ_EX', '800429297d92', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['PERSID', '50310a2e', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['BINPERSID', '80024b01512e', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['EXT1', '8002820152', 'MC_ERR_PICKLE_FORBIDDEN'],
    ['a bare allowed global', '635f5f6275696c74696e5f5f0a7365740a2e', 'MC_ERR_PICKLE_FORBIDDEN'],
    [
      'an allowed global inside a list',
      '80045d94636275696c74696e730a7365740a612e',
      'MC_ERR_PICKLE_FORBIDDEN',
    ],
    ['set() with two arguments', '8003636275696c74696e730a7365740a5d5d86522e', 'MC_ERR_PICKLE_INVALID'],
    [
      '_codecs.encode with another codec',
      '8003635f636f646563730a656e636f64650a8c01618c047574663886522e',
      'MC_ERR_PICKLE_INVALID',
    ],
    ['recursive list l.append(l)', '8004950600000000000000' + '5d946800612e', 'MC_ERR_PICKLE_UNSUPPORTED'],
    [
      'recursive tuple t = ([t],)',
      '80025d710068008571016130680 12e'.replace(/ /g, ''),
      'MC_ERR_PICKLE_UNSUPPORTED',
    ],
    ['out-of-band buffer', '8005972e', 'MC_ERR_PICKLE_UNSUPPORTED'],
    ['protocol 6', '80064e2e', 'MC_ERR_PICKLE_UNSUPPORTED'],
    ['a list as dict key', '80047d945d944b01732e', 'MC_ERR_PICKLE_INVALID'],
    [
      'a bytearray in a set',
      '80058f9428' + '96' + '0100000000000000' + '61' + '902e',
      'MC_ERR_PICKLE_INVALID',
    ],
    ['a tuple holding a list as dict key', '80047d945d9485944b01732e', 'MC_ERR_PICKLE_INVALID'],
    ['APPEND to a tuple', '8004294b01612e', 'MC_ERR_PICKLE_INVALID'],
    ['APPEND to a sealed list', '80045d94680085946800' + '4b01612e', 'MC_ERR_PICKLE_UNSUPPORTED'],
    ['ADDITEMS to a frozenset', '8004289194284b01902e', 'MC_ERR_PICKLE_INVALID'],
    ['unknown opcode', '8004ff2e', 'MC_ERR_PICKLE_INVALID'],
    ['bytes after STOP', '80044e2e00', 'MC_ERR_PICKLE_INVALID'],
    ['values left on the stack', '80044e4e2e', 'MC_ERR_PICKLE_INVALID'],
    ['stack underflow', '8004612e', 'MC_ERR_PICKLE_INVALID'],
    ['memo miss', '800468072e', 'MC_ERR_PICKLE_INVALID'],
    ['odd SETITEMS', '80047d94284b01752e', 'MC_ERR_PICKLE_INVALID'],
    ['empty input', '', 'MC_ERR_PICKLE_TRUNCATED'],
    ['no STOP', '80044e', 'MC_ERR_PICKLE_TRUNCATED'],
    ['short BINUNICODE', '800458ff000000616263', 'MC_ERR_PICKLE_TRUNCATED'],
    ['huge BINBYTES8', '80048effffffffffffffff', 'MC_ERR_PICKLE_TRUNCATED'],
    ['LONG4 negative length', '80048bffffffff2e', 'MC_ERR_PICKLE_INVALID'],
    ['malformed INT text', '4930783130 0a2e'.replace(/ /g, ''), 'MC_ERR_PICKLE_INVALID'],
    ['malformed FLOAT text', '46315f300a2e', 'MC_ERR_PICKLE_INVALID'],
  ];
  for (const [what, h, code] of refused)
    it(`${what}: ${code}`, () => {
      expect(codeOf(() => loads(hex(h)))).toBe(code);
    });

  it('a forbidden global names itself, and the error is a SerdeError with a byte offset', () => {
    let caught: unknown;
    try {
      loads(hex('63706f7369780a73797374656d0a28566563686f2070776e65640a74522e'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'MC_ERR_SERDE', pickleCode: 'MC_ERR_PICKLE_FORBIDDEN', offset: 0 });
    expect(String((caught as Error).message)).toContain('posix.system');
  });

  it('bounds depth, item count (billion laughs through the memo) and size', () => {
    const nested = (n: number) =>
      Buffer.concat([hex('8004'), Buffer.alloc(n, 0x5d), Buffer.alloc(n - 1, 0x61), hex('2e')]);
    expect(difference(loads(nested(3)), [[[]]])).toBeUndefined();
    expect(loads(nested(256))).toBeInstanceOf(Array);
    expect(codeOf(() => loads(nested(257)))).toBe('MC_ERR_PICKLE_LIMIT');
    expect(codeOf(() => loads(nested(11), { maxDepth: 10 }))).toBe('MC_ERR_PICKLE_LIMIT');
    // a = [x]*10 memoized; b = [a]*10 ...: 8 levels expand to 10^8 values in 200 bytes.
    const parts = [hex('80048c01789430')];
    for (let level = 0; level < 8; level++)
      parts.push(
        hex('28'),
        Buffer.alloc(10 * 2, 0).fill(hex(`68${level.toString(16).padStart(2, '0')}`)),
        hex('6c9430'),
      );
    parts.push(hex('68082e'));
    const laughs = Buffer.concat(parts);
    expect(laughs.length).toBeLessThan(250);
    expect(codeOf(() => loads(laughs))).toBe('MC_ERR_PICKLE_LIMIT');
    expect(codeOf(() => loads(hex('80044e2e'), { maxSize: 3 }))).toBe('MC_ERR_PICKLE_LIMIT');
    expect(codeOf(() => loads(Buffer.from(`I${'9'.repeat(5000)}\n.`, 'latin1')))).toBe('MC_ERR_PICKLE_LIMIT');
  });
});
