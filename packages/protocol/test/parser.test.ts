import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  ClientReplyError,
  Expect,
  InvalidArgumentError,
  ProtocolError,
  type Reply,
  ReplyParser,
  type ServerError,
  UnknownCommandError,
} from '../src/index.js';

type Case = { name: string; expect: Expect; bytes: string; check: (r: Reply) => void; endToken?: string };

const cases: Case[] = [
  {
    name: 'single VALUE',
    expect: Expect.Values,
    bytes: 'VALUE k 5 3\r\nabc\r\nEND\r\n',
    check: (r) => {
      expect(r).toMatchObject({ type: 'values' });
      const v = (r as Extract<Reply, { type: 'values' }>).values;
      expect(v.map((e) => [e.key, e.flags, Buffer.from(e.value).toString(), e.cas])).toEqual([
        ['k', 5, 'abc', undefined],
      ]);
    },
  },
  {
    name: 'gets with cas and a value holding CRLF',
    expect: Expect.Values,
    bytes: 'VALUE a 0 4 18446744073709551615\r\n\r\n\r\n\r\nVALUE b 4294967295 0 1\r\n\r\nEND\r\n',
    check: (r) => {
      const v = (r as Extract<Reply, { type: 'values' }>).values;
      expect(v.map((e) => [e.key, e.flags, Buffer.from(e.value).toString(), e.cas])).toEqual([
        ['a', 0, '\r\n\r\n', 18446744073709551615n],
        ['b', 4294967295, '', 1n],
      ]);
    },
  },
  {
    name: 'miss',
    expect: Expect.Values,
    bytes: 'END\r\n',
    check: (r) => expect(r).toEqual({ type: 'values', values: [] }),
  },
  ...(['STORED', 'NOT_STORED', 'EXISTS', 'NOT_FOUND'] as const).map((w) => ({
    name: w,
    expect: Expect.Store,
    bytes: `${w}\r\n`,
    check: (r: Reply) => expect(r).toEqual({ type: 'status', status: w }),
  })),
  {
    name: 'DELETED',
    expect: Expect.Delete,
    bytes: 'DELETED\r\n',
    check: (r) => expect(r).toEqual({ type: 'status', status: 'DELETED' }),
  },
  {
    name: 'TOUCHED',
    expect: Expect.Touch,
    bytes: 'TOUCHED\r\n',
    check: (r) => expect(r).toEqual({ type: 'status', status: 'TOUCHED' }),
  },
  {
    name: 'OK',
    expect: Expect.Ok,
    bytes: 'OK\r\n',
    check: (r) => expect(r).toEqual({ type: 'status', status: 'OK' }),
  },
  {
    name: 'incr past 2^53',
    expect: Expect.Arith,
    bytes: '18446744073709551615\r\n',
    check: (r) => expect(r).toEqual({ type: 'number', value: 18446744073709551615n }),
  },
  {
    name: 'incr miss',
    expect: Expect.Arith,
    bytes: 'NOT_FOUND\r\n',
    check: (r) => expect(r).toEqual({ type: 'status', status: 'NOT_FOUND' }),
  },
  {
    name: 'stats',
    expect: Expect.Stats,
    bytes: 'STAT pid 1\r\nSTAT version 1.6.18\r\nSTAT items:1:number 3\r\nEND\r\n',
    check: (r) =>
      expect(r).toEqual({
        type: 'stats',
        stats: [
          ['pid', '1'],
          ['version', '1.6.18'],
          ['items:1:number', '3'],
        ],
      }),
  },
  {
    name: 'stats reset',
    expect: Expect.Stats,
    bytes: 'RESET\r\n',
    check: (r) => expect(r).toEqual({ type: 'status', status: 'RESET' }),
  },
  {
    name: 'stats detail on',
    expect: Expect.Stats,
    bytes: 'OK\r\n',
    check: (r) => expect(r).toEqual({ type: 'status', status: 'OK' }),
  },
  {
    name: 'stats cachedump and detail dump lines',
    expect: Expect.Stats,
    bytes: 'ITEM k1 [3 b; 0 s]\r\nPREFIX app get 1 hit 1 set 0 del 0\r\nEND\r\n',
    check: (r) =>
      expect(r).toEqual({
        type: 'stats',
        stats: [
          ['k1', '[3 b; 0 s]'],
          ['app', 'get 1 hit 1 set 0 del 0'],
        ],
      }),
  },
  {
    name: 'version',
    expect: Expect.Version,
    bytes: 'VERSION 1.6.18\r\n',
    check: (r) => expect(r).toEqual({ type: 'version', version: '1.6.18' }),
  },
  {
    name: 'ERROR',
    expect: Expect.Store,
    bytes: 'ERROR\r\n',
    check: (r) => expect(r.type === 'error' && r.error).toBeInstanceOf(UnknownCommandError),
  },
  {
    name: 'CLIENT_ERROR',
    expect: Expect.Values,
    bytes: 'CLIENT_ERROR bad data chunk\r\n',
    check: (r) => {
      expect(r.type === 'error' && r.error).toBeInstanceOf(ClientReplyError);
      expect(r.type === 'error' && r.error.message).toBe('CLIENT_ERROR bad data chunk');
    },
  },
  {
    name: 'SERVER_ERROR',
    expect: Expect.Arith,
    bytes: 'SERVER_ERROR out of memory storing object\r\n',
    check: (r) =>
      expect(r.type === 'error' && (r.error as ServerError).serverMessage).toBe(
        'out of memory storing object',
      ),
  },
  {
    name: 'meta VA',
    expect: Expect.Meta,
    bytes: 'VA 2 c99 f3 t-1 s2 Oop kkey W X Z h1 l7 b\r\nhi\r\n',
    check: (r) => {
      expect(r).toMatchObject({
        type: 'meta',
        code: 'VA',
        flags: {
          cas: 99n,
          clientFlags: 3,
          ttl: -1,
          size: 2,
          opaque: 'op',
          key: 'key',
          won: true,
          stale: true,
          alreadyWon: true,
          hitBefore: true,
          lastAccess: 7,
          base64: true,
        },
      });
      expect(Buffer.from((r as { value: Uint8Array }).value).toString()).toBe('hi');
    },
  },
  ...(['HD', 'EN', 'NS', 'EX', 'NF', 'MN'] as const).map((c) => ({
    name: `meta ${c}`,
    expect: Expect.Meta,
    bytes: `${c}\r\n`,
    check: (r: Reply) => expect(r).toEqual({ type: 'meta', code: c, flags: {} }),
  })),
  {
    name: 'meta HD with flags',
    expect: Expect.Meta,
    bytes: 'HD c5 O1\r\n',
    check: (r) => expect(r).toEqual({ type: 'meta', code: 'HD', flags: { cas: 5n, opaque: '1' } }),
  },
  {
    name: 'ElastiCache OK as HD',
    expect: Expect.Meta,
    bytes: 'OK\r\n',
    check: (r) => expect(r).toEqual({ type: 'meta', code: 'HD', flags: {} }),
  },
  {
    name: 'meta ME',
    expect: Expect.Meta,
    bytes: 'ME k exp=-1 la=2 cas=3 fetch=no cls=1 size=63\r\n',
    check: (r) =>
      expect(r).toMatchObject({
        type: 'meta',
        code: 'ME',
        debug: 'k exp=-1 la=2 cas=3 fetch=no cls=1 size=63',
      }),
  },
  {
    name: 'raw config',
    expect: Expect.Raw,
    endToken: 'END\r\n',
    bytes: 'CONFIG cluster 0 29\r\n1\nhost|127.0.0.1|11211\n\r\nEND\r\n',
    check: (r) =>
      expect(r.type === 'raw' && r.bytes.toString()).toBe(
        'CONFIG cluster 0 29\r\n1\nhost|127.0.0.1|11211\n\r\nEND\r\n',
      ),
  },
];

function readAll(p: ReplyParser, c: Case): Reply | undefined {
  return p.read(c.expect, c.endToken);
}

describe('ReplyParser: every reply kind split at every byte', () => {
  for (const c of cases) {
    it(c.name, () => {
      const bytes = Buffer.from(c.bytes, 'latin1');
      for (let cut = 0; cut <= bytes.length; cut++) {
        const p = new ReplyParser();
        p.push(bytes.subarray(0, cut));
        let r = readAll(p, c);
        if (cut < bytes.length) {
          expect(r).toBeUndefined();
          p.push(bytes.subarray(cut));
          r = readAll(p, c);
        }
        expect(r).toBeDefined();
        c.check(r!);
        expect(p.bufferedBytes).toBe(0);
      }
    });
  }
});

describe('ReplyParser: strictness', () => {
  it.each([
    ['STORED for a get', Expect.Values, 'STORED\r\n'],
    ['VALUE for a set', Expect.Store, 'VALUE k 0 1\r\nx\r\nEND\r\n'],
    ['DELETED for a set', Expect.Store, 'DELETED\r\n'],
    ['TOUCHED for a delete', Expect.Delete, 'TOUCHED\r\n'],
    ['END for a version', Expect.Version, 'END\r\n'],
    ['bare LF', Expect.Store, 'STORED\n'],
    ['value length mismatch', Expect.Values, 'VALUE k 0 2\r\nabc\r\nEND\r\n'],
    ['non-numeric flags', Expect.Values, 'VALUE k x 2\r\nab\r\nEND\r\n'],
    ['HTTP', Expect.Values, 'HTTP/1.1 400 Bad Request\r\n'],
    ['meta for text', Expect.Meta, 'STORED\r\n'],
    ['incr garbage', Expect.Arith, '12a\r\n'],
    ['incr past 2^64', Expect.Arith, '18446744073709551616\r\n'],
    ['flags past 2^32', Expect.Values, 'VALUE k 4294967296 1\r\nx\r\nEND\r\n'],
    ['cas not a number', Expect.Values, 'VALUE k 0 1 12x\r\nx\r\nEND\r\n'],
    ['VALUE without size', Expect.Values, 'VALUE k 0\r\n'],
    ['error after a value', Expect.Values, 'VALUE k 0 1\r\nx\r\nSERVER_ERROR oops\r\n'],
    ['malformed meta cas', Expect.Meta, 'HD cabc\r\n'],
    ['meta client flags past 2^32', Expect.Meta, 'HD f4294967296\r\n'],
    ['meta hit flag not 0/1', Expect.Meta, 'HD h7\r\n'],
    ['VA without size', Expect.Meta, 'VA x\r\n'],
    ['VA length mismatch', Expect.Meta, 'VA 1\r\nxy\r\n'],
    ['meta code glued to text', Expect.Meta, 'HDX\r\n'],
    ['STORED for stats', Expect.Stats, 'STORED\r\n'],
    ['OK inside stats', Expect.Stats, 'STAT a 1\r\nOK\r\n'],
    ['empty line', Expect.Store, '\r\n'],
  ])('%s throws ProtocolError', (_n, expectKind, bytes) => {
    const p = new ReplyParser();
    p.push(Buffer.from(bytes, 'latin1'));
    expect(() => p.read(expectKind)).toThrow(ProtocolError);
  });

  it('bounds a line without CRLF', () => {
    const p = new ReplyParser();
    p.push(Buffer.alloc(10_000, 0x41));
    expect(() => p.read(Expect.Store)).toThrow(/longer than/);
  });

  it('refuses a declared value size past maxValueLength before allocating it', () => {
    const p = new ReplyParser({ maxValueLength: 1024 });
    p.push(Buffer.from('VALUE k 0 1025\r\n'));
    expect(() => p.read(Expect.Values)).toThrow(/maxValueLength/);
    const q = new ReplyParser();
    q.push(Buffer.from('VA 9999999999\r\n'));
    expect(() => q.read(Expect.Meta)).toThrow(ProtocolError);
    expect(() => new ReplyParser({ maxValueLength: -1 })).toThrow(InvalidArgumentError);
  });

  it('refuses an unknown expectation and an empty raw end token as caller errors', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('STORED\r\n'));
    expect(() => p.read(99 as Expect)).toThrow(InvalidArgumentError);
    expect(() => p.read(Expect.Raw, '')).toThrow(InvalidArgumentError);
  });

  it('bounds a line without CRLF spread over many small chunks', () => {
    const p = new ReplyParser();
    let thrown: unknown;
    for (let i = 0; i < 100 && thrown === undefined; i++) {
      p.push(Buffer.alloc(100, 0x41));
      try {
        p.read(Expect.Values);
      } catch (e) {
        thrown = e;
      }
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
  });

  it('keeps values intact after later chunks are pushed and read', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('VALUE a 0 3\r\nab'));
    p.push(Buffer.from('c\r\nEND\r\nVALUE b 0 3\r\nx'));
    const first = p.read(Expect.Values) as Extract<Reply, { type: 'values' }>;
    p.push(Buffer.from('yz\r\nEND\r\n'));
    const second = p.read(Expect.Values) as Extract<Reply, { type: 'values' }>;
    expect(Buffer.from(first.values[0]!.value).toString()).toBe('abc');
    expect(Buffer.from(second.values[0]!.value).toString()).toBe('xyz');
    expect(p.bufferedBytes).toBe(0);
  });

  it('counts queued chunks in bufferedBytes and forgets them on reset', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('STOR'));
    p.push(Buffer.from('ED\r\nDEL'));
    expect(p.bufferedBytes).toBe(11);
    expect(p.read(Expect.Store)).toEqual({ type: 'status', status: 'STORED' });
    expect(p.bufferedBytes).toBe(3);
    p.reset();
    expect(p.bufferedBytes).toBe(0);
    p.push(Buffer.from('DELETED\r\n'));
    expect(p.read(Expect.Delete)).toEqual({ type: 'status', status: 'DELETED' });
  });

  it('parses many pipelined replies from one chunk, in order', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('STORED\r\nVALUE k 0 1\r\nx\r\nEND\r\nDELETED\r\n42\r\nEND\r\n'));
    expect(p.read(Expect.Store)).toEqual({ type: 'status', status: 'STORED' });
    expect(p.read(Expect.Values)).toMatchObject({ type: 'values', values: [{ key: 'k' }] });
    expect(p.read(Expect.Delete)).toEqual({ type: 'status', status: 'DELETED' });
    expect(p.read(Expect.Arith)).toEqual({ type: 'number', value: 42n });
    expect(p.read(Expect.Values)).toEqual({ type: 'values', values: [] });
    expect(p.read(Expect.Store)).toBeUndefined();
  });

  it('returns values as views without copying when the reply arrives in one chunk', () => {
    const chunk = Buffer.from('VALUE k 0 3\r\nabc\r\nEND\r\n');
    const p = new ReplyParser();
    p.push(chunk);
    const r = p.read(Expect.Values) as Extract<Reply, { type: 'values' }>;
    expect(r.values[0]!.value.buffer).toBe(chunk.buffer);
  });

  it('assembles a 16 MiB value from 64 KiB chunks into one buffer of the right size', () => {
    const size = 16 * 1024 * 1024;
    const body = Buffer.alloc(size, 7);
    body[size - 1] = 9;
    const whole = Buffer.concat([Buffer.from(`VALUE big 0 ${size}\r\n`), body, Buffer.from('\r\nEND\r\n')]);
    const p = new ReplyParser();
    let r: Reply | undefined;
    let backing: ArrayBufferLike | undefined;
    let allocations = 0;
    for (let i = 0; i < whole.length; i += 65536) {
      p.push(whole.subarray(i, i + 65536));
      r = p.read(Expect.Values);
      const buf = (p as unknown as { buf: Buffer }).buf.buffer;
      if (buf !== backing) {
        allocations++;
        backing = buf;
      }
    }
    const v = (r as Extract<Reply, { type: 'values' }>).values[0]!.value;
    expect(v.length).toBe(size);
    expect(v[size - 1]).toBe(9);
    // First chunk used as is, then one allocation of the declared size (the tail of the last chunk,
    // END, is read from that chunk itself): never one copy per chunk, never a second full copy.
    expect(allocations).toBeLessThanOrEqual(3);
    expect(p.bufferedBytes).toBe(0);
  });

  it("parses a large value's VALUE header once, however many chunks its data block arrives in", () => {
    const size = 1024 * 1024;
    const body = Buffer.alloc(size, 5);
    body[size - 1] = 6;
    const whole = Buffer.concat([
      Buffer.from(`VALUE big 3 ${size}\r\n`),
      body,
      Buffer.from('\r\nVALUE small 0 2\r\nok\r\nEND\r\n'),
    ]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 65536) chunks.push(whole.subarray(i, i + 65536));
    expect(chunks.length).toBe(17);
    const proto = ReplyParser.prototype as unknown as { valueHeader: (...a: unknown[]) => unknown };
    // Read after every chunk (as a socket delivers them), and with every chunk queued before one read.
    for (const readEach of [true, false]) {
      const spy = vi.spyOn(proto, 'valueHeader');
      try {
        const p = new ReplyParser();
        let r: Reply | undefined;
        for (const c of chunks) {
          p.push(c);
          if (readEach) r = p.read(Expect.Values) ?? r;
        }
        if (!readEach) r = p.read(Expect.Values);
        const values = (r as Extract<Reply, { type: 'values' }>).values;
        expect(values.map((v) => [v.key, v.flags, v.value.length])).toEqual([
          ['big', 3, size],
          ['small', 0, 2],
        ]);
        expect(values[0]!.value[size - 1]).toBe(6);
        expect(spy).toHaveBeenCalledTimes(2);
        expect(p.bufferedBytes).toBe(0);
      } finally {
        spy.mockRestore();
      }
    }
  });

  it('copies a 16 MiB value once even when the last chunk also holds the next replies', () => {
    const size = 16 * 1024 * 1024;
    const header = Buffer.from(`VA ${size} f1\r\n`);
    const whole = Buffer.concat([header, Buffer.alloc(size, 3), Buffer.from('\r\nHD\r\nEN\r\n')]);
    const p = new ReplyParser();
    const owned = new Set<ArrayBufferLike>();
    const replies: Reply[] = [];
    for (let i = 0; i < whole.length; i += 65536) {
      const chunk = whole.subarray(i, i + 65536);
      p.push(chunk);
      for (let r = p.read(Expect.Meta); r; r = p.read(Expect.Meta)) replies.push(r);
      const buf = (p as unknown as { buf: Buffer }).buf;
      if (buf.buffer !== whole.buffer) owned.add(buf.buffer);
    }
    expect(replies.map((r) => r.type === 'meta' && r.code)).toEqual(['VA', 'HD', 'EN']);
    expect((replies[0] as { value: Uint8Array }).value.length).toBe(size);
    // Only the assembly buffer was ever allocated, at exactly the block's size.
    expect(owned.size).toBe(1);
    expect([...owned][0]!.byteLength).toBeLessThan(size + 2 * header.length + 64);
  });
});

describe('ReplyParser: reading a value in place (readTarget / wrote)', () => {
  const size = 100 * 1024;
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7) & 0xff;
  const stream = Buffer.concat([Buffer.from(`VALUE big 5 ${size}\r\n`), body, Buffer.from('\r\nEND\r\n')]);

  it('hands out exactly the missing part of the block, and the value comes out whole', () => {
    const p = new ReplyParser();
    expect(p.readTarget(1)).toBeUndefined(); // nothing pending
    p.push(stream.subarray(0, 30_000));
    expect(p.read(Expect.Values)).toBeUndefined();
    let off = 30_000;
    const blockEnd = stream.length - 'END\r\n'.length;
    for (let step = 0; ; step++) {
      const t = p.readTarget(1);
      if (t === undefined) break;
      // Never past the block's CRLF: the next reply's bytes go elsewhere.
      expect(off + t.length).toBe(blockEnd);
      const n = Math.min(t.length, 20_000 + step);
      stream.copy(t, 0, off, off + n);
      off += n;
      p.wrote(n);
      if (off < blockEnd) expect(p.read(Expect.Values)).toBeUndefined();
    }
    expect(off).toBe(blockEnd);
    expect(p.readTarget(1)).toBeUndefined(); // the block is whole: nothing more to read in place
    p.push(stream.subarray(off));
    const r = p.read(Expect.Values);
    expect(r?.type === 'values' && r.values.length).toBe(1);
    const v = (r as { values: Array<{ key: string; flags: number; value: Uint8Array }> }).values[0]!;
    expect([v.key, v.flags, Buffer.compare(v.value, body)]).toEqual(['big', 5, 0]);
  });

  it('offers no target for less than minBytes missing, or while chunks are queued', () => {
    const p = new ReplyParser();
    p.push(stream.subarray(0, stream.length - 1000));
    expect(p.read(Expect.Values)).toBeUndefined();
    expect(p.readTarget(16 * 1024)).toBeUndefined();
    const q = new ReplyParser();
    q.push(stream.subarray(0, 100));
    expect(q.read(Expect.Values)).toBeUndefined();
    q.push(stream.subarray(100, 200));
    expect(q.readTarget(1)).toBeUndefined();
  });

  it('missing(): what is left of a pending value of at least minSize, 0 otherwise', () => {
    const p = new ReplyParser();
    expect(p.missing(1)).toBe(0); // nothing pending
    p.push(stream.subarray(0, stream.length - 1000));
    expect(p.read(Expect.Values)).toBeUndefined();
    // The block ends with the value's CRLF; END is the next reply's.
    expect(p.missing(16 * 1024)).toBe(1000 - 'END\r\n'.length);
    expect(p.missing(size + 1)).toBe(0); // a smaller value than asked about
    p.push(stream.subarray(stream.length - 1000, stream.length - 900));
    expect(p.missing(1)).toBe(0); // bytes queued: the reader does not decide where they go
    expect(p.read(Expect.Values)).toBeUndefined();
    expect(p.missing(1)).toBe(900 - 'END\r\n'.length);
    p.push(stream.subarray(stream.length - 900));
    expect(p.read(Expect.Values)?.type).toBe('values');
    expect(p.missing(1)).toBe(0);
  });

  it('refuses wrote() without a current target, past it, or after a reset', () => {
    const p = new ReplyParser();
    expect(() => p.wrote(1)).toThrow(InvalidArgumentError);
    p.push(stream.subarray(0, 100));
    p.read(Expect.Values);
    const t = p.readTarget(1)!;
    expect(() => p.wrote(t.length + 1)).toThrow(InvalidArgumentError);
    p.readTarget(1);
    p.reset();
    expect(() => p.wrote(1)).toThrow(InvalidArgumentError);
  });
});

describe('ReplyParser: properties', () => {
  type Gen = { expect: Expect; bytes: Buffer; endToken?: string };
  const bytes = (...parts: Array<string | Uint8Array>): Buffer =>
    Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x))));
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  const errorLine = fc.constantFrom('ERROR', 'CLIENT_ERROR bad data chunk', 'SERVER_ERROR out of memory');
  const replyArb: fc.Arbitrary<Gen> = fc.oneof(
    fc
      .array(
        fc.tuple(
          fc.stringMatching(/^[a-z0-9:]{1,10}$/),
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fc.uint8Array({ maxLength: 40 }),
          fc.option(u64),
        ),
        { maxLength: 4 },
      )
      .map((vals) => ({
        expect: Expect.Values,
        bytes: bytes(
          ...vals.flatMap(([key, flags, v, cas]) => [
            `VALUE ${key} ${flags} ${v.length}${cas === null ? '' : ` ${cas}`}\r\n`,
            v,
            '\r\n',
          ]),
          'END\r\n',
        ),
      })),
    fc
      .constantFrom('STORED', 'NOT_STORED', 'EXISTS', 'NOT_FOUND')
      .map((w) => ({ expect: Expect.Store, bytes: bytes(`${w}\r\n`) })),
    fc.constantFrom('DELETED', 'NOT_FOUND').map((w) => ({ expect: Expect.Delete, bytes: bytes(`${w}\r\n`) })),
    fc.constantFrom('TOUCHED', 'NOT_FOUND').map((w) => ({ expect: Expect.Touch, bytes: bytes(`${w}\r\n`) })),
    u64.map((n) => ({ expect: Expect.Arith, bytes: bytes(`${n}\r\n`) })),
    fc.constant({ expect: Expect.Ok, bytes: bytes('OK\r\n') }),
    fc
      .stringMatching(/^[0-9.]{1,12}$/)
      .map((v) => ({ expect: Expect.Version, bytes: bytes(`VERSION ${v}\r\n`) })),
    fc
      .array(fc.tuple(fc.stringMatching(/^[a-z_:0-9]{1,12}$/), fc.stringMatching(/^[ -~]{0,20}$/)), {
        maxLength: 5,
      })
      .map((st) => ({
        expect: Expect.Stats,
        bytes: bytes(...st.map(([n, v]) => `STAT ${n} ${v}\r\n`), 'END\r\n'),
      })),
    fc
      .tuple(fc.constantFrom('HD', 'EN', 'MN', 'NS', 'EX', 'NF'), fc.option(u64), fc.option(fc.nat()))
      .map(([c, cas, ttl]) => ({
        expect: Expect.Meta,
        bytes: bytes(`${c}${cas === null ? '' : ` c${cas}`}${ttl === null ? '' : ` t${ttl}`} O1\r\n`),
      })),
    fc.tuple(fc.uint8Array({ maxLength: 30 }), fc.boolean()).map(([v, w]) => ({
      expect: Expect.Meta,
      bytes: bytes(`VA ${v.length} f1${w ? ' W' : ''}\r\n`, v, '\r\n'),
    })),
    fc.stringMatching(/^[a-z0-9|.\n]{0,40}$/).map((body) => ({
      expect: Expect.Raw,
      endToken: 'END\r\n',
      bytes: bytes(`CONFIG cluster 0 ${body.length}\r\n${body}\r\nEND\r\n`),
    })),
    fc
      .tuple(
        errorLine,
        fc.constantFrom(Expect.Values, Expect.Store, Expect.Arith, Expect.Meta, Expect.Stats, Expect.Version),
      )
      .map(([line, expect]) => ({ expect, bytes: bytes(`${line}\r\n`) })),
  );

  it('random reply sequences split at random places parse as the whole buffer does', () => {
    fc.assert(
      fc.property(
        fc.array(replyArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (replies, cuts) => {
          const whole = Buffer.concat(replies.map((r) => r.bytes));
          const ref = new ReplyParser();
          ref.push(whole);
          const expected = replies.map((r) => normalise(ref.read(r.expect, r.endToken)));
          expect(expected.every((r) => r !== undefined)).toBe(true);
          const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
          const p = new ReplyParser();
          // Normalised only at the end: a value view must survive every later push and read.
          const got: Reply[] = [];
          let prev = 0;
          for (const at of [...points, whole.length]) {
            // A copy, so that nothing can depend on the caller's chunks sharing one ArrayBuffer.
            p.push(Buffer.from(whole.subarray(prev, at)));
            prev = at;
            for (let n = 0; n < replies.length && got.length < replies.length; n++) {
              const want = replies[got.length]!;
              const r = p.read(want.expect, want.endToken);
              if (!r) break;
              got.push(r);
            }
          }
          expect(got.map(normalise)).toEqual(expected);
          expect(p.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  const soupOf = (atoms: fc.Arbitrary<Uint8Array>) =>
    fc.array(
      fc.array(atoms, { maxLength: 12 }).map((parts) => bytes(...parts)),
      { maxLength: 10 },
    );
  const protocolAtoms = fc.oneof(
    fc
      .constantFrom(
        'VALUE ',
        'VA ',
        'HD',
        'EN',
        'ME ',
        'OK',
        'END',
        'STAT ',
        'ERROR',
        'CLIENT_ERROR ',
        'SERVER_ERROR ',
        'STORED',
        'VERSION ',
        ' c',
        ' f',
        ' t-1',
        ' h',
        ' k',
        ' O',
        ' ',
        '\r\n',
        '\r',
        '\n',
        '0',
        '1',
        '9',
        '18446744073709551616',
        '4294967296',
        '99999999',
      )
      .map((t) => bytes(t)),
    fc.uint8Array({ maxLength: 8 }),
  );

  for (const [name, soup] of [
    ['random bytes', soupOf(fc.uint8Array({ maxLength: 64 }))],
    ['protocol-shaped soup', soupOf(protocolAtoms)],
  ] as const) {
    it(`${name} only ever throws ProtocolError and terminates`, () => {
      const kinds = Object.values(Expect);
      fc.assert(
        fc.property(soup, fc.constantFrom(...kinds), (chunks, kind) => {
          const p = new ReplyParser({ maxValueLength: 1 << 20 });
          try {
            for (const c of chunks) {
              p.push(c);
              // Bounded: each read either consumes bytes or returns undefined.
              for (let n = 0; n < 1000 && p.read(kind, 'END\r\n'); n++);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        }),
        { numRuns: 1000 },
      );
    });
  }
});

function normalise(r: Reply | undefined): unknown {
  if (r?.type === 'values')
    return { ...r, values: r.values.map((v) => ({ ...v, value: Buffer.from(v.value).toString('hex') })) };
  if (r?.type === 'meta' && r.value) return { ...r, value: Buffer.from(r.value).toString('hex') };
  return r;
}

describe('ReplyParser: raw replies', () => {
  it('an error line ends a raw reply whatever the end token', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('ERROR\r\nCONFIG cluster 0 2\r\n1\n\r\nEND\r\n'));
    expect(p.read(Expect.Raw, 'END\r\n')).toMatchObject({ type: 'error' });
    expect(p.read(Expect.Raw, 'END\r\n')).toMatchObject({ type: 'raw' });
  });
});

describe('KeyHint (the keys a multi-key get asked for)', () => {
  const reply = (...keys: string[]) =>
    Buffer.from(`${keys.map((k) => `VALUE ${k} 0 1\r\nx\r\n`).join('')}END\r\n`, 'utf8');

  it('entries get the keys asked, in order, past misses, a key asked twice once per value', () => {
    const p = new ReplyParser();
    const hint = { keys: ['pre:a', 'pre:b', 'pre:c', 'pre:a'], end: 4, pos: 0 };
    p.push(reply('pre:a', 'pre:c', 'pre:a'));
    const r = p.read(Expect.Values, undefined, hint);
    expect(r).toMatchObject({
      type: 'values',
      values: [{ key: 'pre:a' }, { key: 'pre:c' }, { key: 'pre:a' }],
    });
    expect(hint.pos).toBe(4);
  });

  it('keys outside the hint, or before its cursor, and non-ASCII keys are still decoded from the bytes', () => {
    const p = new ReplyParser();
    const hint = { keys: ['x', 'b', 'clé'], end: 2, pos: 1 };
    p.push(reply('x', 'zz', 'clé', 'b'));
    const r = p.read(Expect.Values, undefined, hint);
    expect(r).toMatchObject({ values: [{ key: 'x' }, { key: 'zz' }, { key: 'clé' }, { key: 'b' }] });
    expect(hint.pos).toBe(2);
  });

  it('a reply split anywhere reads the same with a hint', () => {
    const bytes = reply('k1', 'k22', 'k333');
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new ReplyParser();
      const hint = { keys: ['k1', 'k22', 'k333'], end: 3, pos: 0 };
      p.push(bytes.subarray(0, cut));
      let r = p.read(Expect.Values, undefined, hint);
      if (r === undefined) {
        p.push(bytes.subarray(cut));
        r = p.read(Expect.Values, undefined, hint);
      }
      expect(r).toMatchObject({ values: [{ key: 'k1' }, { key: 'k22' }, { key: 'k333' }] });
    }
  });

  it("a hint's key is taken only when every byte matches: a longer key, a last byte, a latin1 é", () => {
    // 'ab' starts with the hinted 'a'; 'bd' differs from 'bc' in its last byte; 'é' as one latin1
    // byte equals the char code of the hinted 'é' but is not its UTF-8: decoded, not matched.
    const p = new ReplyParser();
    const hint = { keys: ['a', 'bc', 'é', 'd'], end: 4, pos: 0 };
    // (latin1 writes 'é' as the one byte 0xe9.)
    p.push(
      Buffer.from(
        'VALUE ab 0 1\r\nx\r\nVALUE bd 0 1\r\nx\r\nVALUE é 0 1\r\nx\r\nVALUE d 0 1\r\nx\r\nEND\r\n',
        'latin1',
      ),
    );
    const r = p.read(Expect.Values, undefined, hint);
    expect(r).toMatchObject({ values: [{ key: 'ab' }, { key: 'bd' }, { key: '\ufffd' }, { key: 'd' }] });
    expect(hint.pos).toBe(4);
  });

  it('the key at the cursor is matched in place only byte for byte and only when ASCII', () => {
    // At the cursor: 'é' as one latin1 byte (not its UTF-8), then 'k' followed by more key bytes.
    const p = new ReplyParser();
    const hint = { keys: ['é', 'k', 'k'], end: 3, pos: 0 };
    p.push(Buffer.from('VALUE é 0 1\r\nx\r\nVALUE kk 0 1\r\nx\r\nVALUE k 0 1\r\nx\r\nEND\r\n', 'latin1'));
    const r = p.read(Expect.Values, undefined, hint);
    expect(r).toMatchObject({ values: [{ key: '\ufffd' }, { key: 'kk' }, { key: 'k' }] });
    // 'k' matched the hint's second key: the cursor is past it.
    expect(hint.pos).toBe(2);
  });
});

describe('KeyHint.onValue (values streamed as they are read)', () => {
  it('each value goes to onValue with the index matched, the reply at END has none left', () => {
    const p = new ReplyParser();
    const got: Array<[string, number]> = [];
    const hint = {
      keys: ['a', 'b', 'c'],
      end: 3,
      pos: 0,
      onValue: (e: { key: string }, i: number) => got.push([e.key, i]),
    };
    p.push(Buffer.from('VALUE a 0 1\r\nx\r\nVALUE c 0 1\r\ny\r\nVALUE b 0 1\r\nz\r\n'));
    expect(p.read(Expect.Values, undefined, hint)).toBeUndefined();
    expect(got).toEqual([
      ['a', 0],
      ['c', 2],
      ['b', -1], // behind the cursor: the caller matches it by key
    ]);
    p.push(Buffer.from('END\r\n'));
    expect(p.read(Expect.Values, undefined, hint)).toEqual({ type: 'values', values: [] });
  });

  it('the END of a streamed reply is one shared, frozen reply; without onValue each END is its own', () => {
    const p = new ReplyParser();
    const hint = { keys: ['a'], end: 1, pos: 0, onValue: () => {} };
    p.push(Buffer.from('VALUE a 0 1\r\nx\r\nEND\r\nEND\r\nEND\r\nEND\r\n'));
    const first = p.read(Expect.Values, undefined, hint)!;
    const second = p.read(Expect.Values, undefined, hint)!;
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.type === 'values' && Object.isFrozen(first.values) && first.values.length === 0).toBe(true);
    const plain = p.read(Expect.Values)!;
    expect(plain).not.toBe(first);
    expect(plain).toEqual({ type: 'values', values: [] });
    expect(p.read(Expect.Values)).not.toBe(plain);
  });

  it('streamed values come in one reused entry (no object per value) that lets go of the chunk after onValue', () => {
    const p = new ReplyParser();
    const seen: Array<{ entry: object; key: string; flags: number; value: string; cas: bigint | undefined }> =
      [];
    let last: { value: Uint8Array } | undefined;
    const hint = {
      keys: ['a', 'b'],
      end: 2,
      pos: 0,
      onValue: (e: { key: string; flags: number; value: Uint8Array; cas?: bigint }) => {
        last = e;
        seen.push({
          entry: e,
          key: e.key,
          flags: e.flags,
          value: Buffer.from(e.value).toString(),
          cas: e.cas,
        });
      },
    };
    p.push(Buffer.from('VALUE a 3 1 77\r\nx\r\nVALUE b 5 2\r\nyz\r\nEND\r\n'));
    expect(p.read(Expect.Values, undefined, hint)).toEqual({ type: 'values', values: [] });
    expect(seen.map(({ entry, ...rest }) => rest)).toEqual([
      { key: 'a', flags: 3, value: 'x', cas: 77n },
      { key: 'b', flags: 5, value: 'yz', cas: undefined }, // no cas left over from the value before
    ]);
    expect(seen[1]!.entry).toBe(seen[0]!.entry);
    expect(last!.value.length).toBe(0);
    // Without onValue, each value has its own entry, kept in the reply's list.
    p.push(Buffer.from('VALUE a 0 1\r\nx\r\nVALUE b 0 1\r\ny\r\nEND\r\n'));
    const r = p.read(Expect.Values)!;
    expect(r.type === 'values' && r.values[0] !== r.values[1] && r.values.map((v) => v.key)).toEqual([
      'a',
      'b',
    ]);
  });

  it('an error line after a streamed value is a ProtocolError, not a reply', () => {
    const p = new ReplyParser();
    const hint = { keys: ['a'], end: 1, pos: 0, onValue: () => {} };
    p.push(Buffer.from('VALUE a 0 1\r\nx\r\nSERVER_ERROR out of memory\r\n'));
    expect(() => p.read(Expect.Values, undefined, hint)).toThrow(ProtocolError);
  });
});
