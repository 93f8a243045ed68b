import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BINARY_ARITH_NO_CREATE,
  type BinaryResponse,
  BinaryResponseParser,
  binaryStatusError,
  ClientReplyError,
  encodeBinaryArith,
  encodeBinaryConcat,
  encodeBinaryDelete,
  encodeBinaryFlush,
  encodeBinaryGat,
  encodeBinaryGet,
  encodeBinaryRequest,
  encodeBinarySimple,
  encodeBinaryStat,
  encodeBinaryStore,
  encodeBinaryTouch,
  encodeBinaryVerbosity,
  encodeSaslAuth,
  InvalidArgumentError,
  InvalidKeyError,
  Opcode,
  ProtocolError,
  quietOpcode,
  ServerError,
  Status,
  saslPlainMessage,
  UnknownCommandError,
} from '../src/index.js';

const hex = (b: Buffer) => b.toString('hex');
const key = Buffer.from('key');

/** A response packet, built field by field for the tests. */
function packet(r: {
  opcode?: number;
  status?: number;
  opaque?: number;
  cas?: bigint;
  extras?: Uint8Array | number[];
  key?: Uint8Array;
  value?: Uint8Array;
}): Buffer {
  const extras = Buffer.from(r.extras ?? []);
  const k = Buffer.from(r.key ?? []);
  const value = Buffer.from(r.value ?? []);
  const h = Buffer.alloc(24);
  h[0] = 0x81;
  h[1] = r.opcode ?? 0;
  h.writeUInt16BE(k.length, 2);
  h[4] = extras.length;
  h.writeUInt16BE(r.status ?? 0, 6);
  h.writeUInt32BE(extras.length + k.length + value.length, 8);
  h.writeUInt32BE(r.opaque ?? 0, 12);
  h.writeBigUInt64BE(r.cas ?? 0n, 16);
  return Buffer.concat([h, extras, k, value]);
}

describe('binary encoders: exact bytes', () => {
  it('Get / GetKQ: header, key, opaque', () => {
    expect(hex(encodeBinaryGet(Opcode.Get, key, 0x01020304))).toBe(
      `80000003000000000000000301020304${'00'.repeat(8)}${hex(key)}`,
    );
    expect(encodeBinaryGet(Opcode.GetKQ, key)[1]).toBe(0x0d);
  });

  it('Set with flags, expiry and cas', () => {
    const b = encodeBinaryStore(Opcode.Set, key, Buffer.from('val'), 0xdeadbeef, 3600, 7, 2n ** 64n - 1n);
    expect(hex(b)).toBe(
      `8001000308000000${'0000000e'}${'00000007'}${'ff'.repeat(8)}deadbeef00000e10${hex(key)}${hex(Buffer.from('val'))}`,
    );
  });

  it('Append has no extras; Delete is key only', () => {
    expect(hex(encodeBinaryConcat(Opcode.Append, key, Buffer.from('x')))).toBe(
      `800e0003000000000000000400000000${'00'.repeat(8)}${hex(key)}78`,
    );
    expect(encodeBinaryDelete(true, key)[1]).toBe(Opcode.DeleteQ);
    expect(encodeBinaryDelete(false, key).length).toBe(27);
  });

  it('Increment: delta, initial and the no-create expiration; big deltas as bigint', () => {
    const b = encodeBinaryArith(Opcode.Increment, key, 2n ** 64n - 1n);
    expect(b[4]).toBe(20);
    expect(b.readBigUInt64BE(24)).toBe(2n ** 64n - 1n);
    expect(b.readBigUInt64BE(32)).toBe(0n);
    expect(b.readUInt32BE(40)).toBe(BINARY_ARITH_NO_CREATE);
    const create = encodeBinaryArith(Opcode.Decrement, key, 5, 10n, 60);
    expect([create[1], create.readBigUInt64BE(32), create.readUInt32BE(40)]).toEqual([0x06, 10n, 60]);
  });

  it('Touch / Gat / Flush / Verbosity carry a 4-byte extra; Stat a group as key', () => {
    expect(encodeBinaryTouch(key, 100).readUInt32BE(24)).toBe(100);
    expect(encodeBinaryGat(Opcode.Gat, key, 5).subarray(24, 28)).toEqual(Buffer.from([0, 0, 0, 5]));
    expect(encodeBinaryFlush(false).length).toBe(24);
    expect(encodeBinaryFlush(true, 30).readUInt32BE(24)).toBe(30);
    expect(encodeBinaryFlush(true, 30)[1]).toBe(Opcode.FlushQ);
    expect(encodeBinaryVerbosity(1).readUInt32BE(24)).toBe(1);
    expect(encodeBinaryStat().length).toBe(24);
    expect(encodeBinaryStat('items').subarray(24).toString()).toBe('items');
    expect(hex(encodeBinarySimple(Opcode.Noop, 9))).toBe(`800a${'00'.repeat(10)}00000009${'00'.repeat(8)}`);
  });

  it('SASL PLAIN: the mechanism as key, NUL user NUL password as value', () => {
    const b = encodeSaslAuth('PLAIN', saslPlainMessage('alice', 'pä ss'));
    expect(b[1]).toBe(Opcode.SaslAuth);
    expect(b.readUInt16BE(2)).toBe(5);
    expect(b.subarray(24, 29).toString()).toBe('PLAIN');
    expect(b.subarray(29)).toEqual(Buffer.from('\0alice\0pä ss', 'utf8'));
    expect(encodeSaslAuth('PLAIN', Buffer.alloc(0), 0, true)[1]).toBe(Opcode.SaslStep);
  });

  it('the generic encoder frames any fields', () => {
    const b = encodeBinaryRequest(0x42, {
      key,
      extras: Buffer.from([1, 2]),
      value: Buffer.from('v'),
      opaque: 3,
      cas: 4n,
    });
    expect(hex(b)).toBe(`8042000302000000000000060000000300000000000000040102${hex(key)}76`);
  });

  it('quiet variants', () => {
    expect(quietOpcode(Opcode.Set)).toBe(Opcode.SetQ);
    expect(quietOpcode(Opcode.GetK)).toBe(Opcode.GetKQ);
    expect(quietOpcode(Opcode.Touch)).toBeUndefined();
  });
});

describe('binary encoders: bad input throws before any byte exists', () => {
  it.each([
    ['an empty key', () => encodeBinaryGet(Opcode.Get, Buffer.alloc(0)), InvalidKeyError],
    ['a 251-byte key', () => encodeBinaryGet(Opcode.Get, Buffer.alloc(251, 97)), InvalidKeyError],
    ['a string key', () => encodeBinaryDelete(false, 'k' as unknown as Buffer), InvalidKeyError],
    [
      'flags past 2^32',
      () => encodeBinaryStore(Opcode.Set, key, Buffer.alloc(0), 2 ** 32, 0),
      InvalidArgumentError,
    ],
    ['exptime past int32', () => encodeBinaryTouch(key, 2 ** 31), InvalidArgumentError],
    ['a fractional exptime', () => encodeBinaryGat(Opcode.Gat, key, 1.5), InvalidArgumentError],
    ['a negative delta', () => encodeBinaryArith(Opcode.Increment, key, -1), InvalidArgumentError],
    ['a delta past 2^64', () => encodeBinaryArith(Opcode.Increment, key, 2n ** 64n), InvalidArgumentError],
    ['an unsafe number delta', () => encodeBinaryArith(Opcode.Increment, key, 2 ** 60), InvalidArgumentError],
    [
      'a cas past 2^64',
      () => encodeBinaryStore(Opcode.Set, key, Buffer.alloc(0), 0, 0, 0, 2n ** 64n),
      InvalidArgumentError,
    ],
    ['an opaque past 2^32', () => encodeBinaryGet(Opcode.Get, key, 2 ** 32), InvalidArgumentError],
    [
      'a string value',
      () => encodeBinaryStore(Opcode.Set, key, 'v' as unknown as Buffer, 0, 0),
      InvalidArgumentError,
    ],
    ['a negative flush delay', () => encodeBinaryFlush(false, -1), InvalidArgumentError],
    ['a lower-case mechanism', () => encodeSaslAuth('plain', Buffer.alloc(0)), InvalidArgumentError],
    ['a NUL in the password', () => saslPlainMessage('u', 'a\0b'), InvalidArgumentError],
    ['an empty username', () => saslPlainMessage('', 'p'), InvalidArgumentError],
    [
      '256 bytes of extras',
      () => encodeBinaryRequest(1, { extras: Buffer.alloc(256) }),
      InvalidArgumentError,
    ],
    ['a two-byte opcode', () => encodeBinaryRequest(0x100), InvalidArgumentError],
  ] as const)('%s', (_name, call, type) => {
    expect(call).toThrow(type);
  });
});

describe('BinaryResponseParser', () => {
  it('reads a get hit: flags in extras, cas from the header, value as a view', () => {
    const p = new BinaryResponseParser();
    const bytes = packet({
      opcode: 0,
      opaque: 5,
      cas: 2n ** 63n + 1n,
      extras: [0, 0, 0, 9],
      value: Buffer.from('hi'),
    });
    p.push(bytes);
    const r = p.read()!;
    expect(r).toMatchObject({ opcode: 0, status: 0, opaque: 5, cas: 2n ** 63n + 1n });
    expect(r.extras.readUInt32BE(0)).toBe(9);
    expect(r.value.toString()).toBe('hi');
    expect(r.value.buffer).toBe(bytes.buffer); // no copy
    expect(p.read()).toBeUndefined();
    expect(p.bufferedBytes).toBe(0);
  });

  it('waits for a whole header and a whole body', () => {
    const p = new BinaryResponseParser();
    const bytes = packet({ opcode: 0x10, key: Buffer.from('pid'), value: Buffer.from('123') });
    p.push(bytes.subarray(0, 10));
    expect(p.read()).toBeUndefined();
    p.push(bytes.subarray(10, 26));
    expect(p.read()).toBeUndefined();
    expect(p.bufferedBytes).toBe(26);
    p.push(bytes.subarray(26));
    const r = p.read()!;
    expect([r.key.toString(), r.value.toString()]).toEqual(['pid', '123']);
  });

  it('reset drops a half-read packet', () => {
    const p = new BinaryResponseParser();
    p.push(packet({ value: Buffer.from('abc') }).subarray(0, 25));
    expect(p.read()).toBeUndefined();
    p.reset();
    expect(p.bufferedBytes).toBe(0);
    p.push(packet({ opcode: 0x0a }));
    expect(p.read()?.opcode).toBe(0x0a);
  });

  it.each([
    ['a request magic', (b: Buffer) => void (b[0] = 0x80)],
    ['text', (b: Buffer) => void b.write('ERROR\r\n', 0, 'latin1')],
    ['an unknown data type', (b: Buffer) => void (b[5] = 1)],
    ['extras and key longer than the body', (b: Buffer) => void b.writeUInt32BE(2, 8)],
    ['a key past 250 bytes', (b: Buffer) => void b.writeUInt16BE(251, 2)],
  ])('%s is a ProtocolError', (_name, corrupt) => {
    const b = packet({ opcode: 0, extras: [0, 0, 0, 0], key: Buffer.from('k'), value: Buffer.from('v') });
    corrupt(b);
    const p = new BinaryResponseParser();
    p.push(b);
    expect(() => p.read()).toThrow(ProtocolError);
  });

  it('a value past maxValueLength is refused from the header alone', () => {
    const p = new BinaryResponseParser({ maxValueLength: 10 });
    p.push(packet({ value: Buffer.alloc(11) }).subarray(0, 24));
    expect(() => p.read()).toThrow(/maxValueLength/);
    const ok = new BinaryResponseParser({ maxValueLength: 10 });
    ok.push(packet({ extras: [1, 2, 3, 4], key: Buffer.from('key'), value: Buffer.alloc(10) }));
    expect(ok.read()?.value.length).toBe(10);
    expect(() => new BinaryResponseParser({ maxValueLength: -1 })).toThrow(InvalidArgumentError);
  });

  const responseArb = fc.record({
    opcode: fc.integer({ min: 0, max: 0x24 }),
    status: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 0x20, 0x81, 0x82),
    opaque: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    cas: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    extras: fc.uint8Array({ maxLength: 20 }),
    key: fc.uint8Array({ maxLength: 250 }),
    value: fc.uint8Array({ maxLength: 3000 }),
  });

  it('property: any sequence of responses, cut anywhere, reads back exactly, and views survive later pushes', () => {
    fc.assert(
      fc.property(
        fc.array(responseArb, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (responses, cuts) => {
          const stream = Buffer.concat(responses.map(packet));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const p = new BinaryResponseParser();
          const got: BinaryResponse[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            // A copy per chunk, as a socket delivers fresh buffers.
            p.push(Buffer.from(stream.subarray(from, to)));
            from = to;
            for (let r = p.read(); r !== undefined; r = p.read()) got.push(r);
          }
          expect(p.bufferedBytes).toBe(0);
          expect(got.length).toBe(responses.length);
          got.forEach((r, i) => {
            const want = responses[i]!;
            expect([r.opcode, r.status, r.opaque, r.cas]).toEqual([
              want.opcode,
              want.status,
              want.opaque,
              want.cas,
            ]);
            expect(r.extras.equals(Buffer.from(want.extras))).toBe(true);
            expect(r.key.equals(Buffer.from(want.key))).toBe(true);
            expect(r.value.equals(Buffer.from(want.value))).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: arbitrary bytes give packets or ProtocolError, never another exception', () => {
    const soup = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        responseArb.map((r) => new Uint8Array(packet(r))),
        // A valid header whose fields are then mangled.
        fc.tuple(responseArb, fc.nat(23), fc.integer({ min: 0, max: 255 })).map(([r, at, byte]) => {
          const b = packet(r);
          b[at] = byte;
          return new Uint8Array(b);
        }),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(soup, (chunks) => {
        const p = new BinaryResponseParser({ maxValueLength: 1 << 20 });
        try {
          for (const c of chunks) {
            p.push(c);
            for (let r = p.read(); r !== undefined; r = p.read()) expect(r.opcode).toBeLessThan(256);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('binaryStatusError', () => {
  it.each([
    [Status.ValueTooLarge, ServerError],
    [Status.OutOfMemory, ServerError],
    [Status.Busy, ServerError],
    [Status.InvalidArguments, ClientReplyError],
    [Status.NonNumericValue, ClientReplyError],
    [Status.UnknownCommand, UnknownCommandError],
    [Status.NotSupported, UnknownCommandError],
    [Status.AuthError, AuthError],
    [Status.AuthContinue, AuthError],
    [0x1234, ServerError],
  ])('status 0x%s maps to its class', (status, type) => {
    const e = binaryStatusError(status, 'text from the server');
    expect(e).toBeInstanceOf(type);
    expect(e.message).toContain('text from the server');
  });

  it('AuthError: MC_ERR_AUTH, not retryable, carries the status', () => {
    const e = binaryStatusError(Status.AuthError) as AuthError;
    expect([e.code, e.retryable, e.status]).toEqual(['MC_ERR_AUTH', false, 0x20]);
    expect(e.message).toMatch(/authentication error/);
  });
});
