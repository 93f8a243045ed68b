import type { Socket } from 'node:net';
import { type FaultServer, recordingServer, startFaultServer } from '@mc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BinaryClient, type BinaryClientOptions, UnsupportedCommandError } from '../src/binary/index.js';
import {
  AbortError,
  ConnectionClosedError,
  ConnectTimeoutError,
  InvalidArgumentError,
  InvalidKeyError,
  ProtocolError,
  TimeoutError,
} from '../src/index.js';

/** A request packet as the fake server sees it. */
interface Req {
  opcode: number;
  opaque: number;
  key: Buffer;
  extras: Buffer;
  value: Buffer;
}

/** Builds a response packet. */
function response(
  req: Pick<Req, 'opcode' | 'opaque'>,
  fields: {
    status?: number;
    extras?: Buffer;
    key?: Buffer;
    value?: Buffer;
    cas?: bigint;
    magic?: number;
  } = {},
): Buffer {
  const extras = fields.extras ?? Buffer.alloc(0);
  const key = fields.key ?? Buffer.alloc(0);
  const value = fields.value ?? Buffer.alloc(0);
  const h = Buffer.alloc(24);
  h[0] = fields.magic ?? 0x81;
  h[1] = req.opcode;
  h.writeUInt16BE(key.length, 2);
  h[4] = extras.length;
  h.writeUInt16BE(fields.status ?? 0, 6);
  h.writeUInt32BE(extras.length + key.length + value.length, 8);
  h.writeUInt32BE(req.opaque, 12);
  h.writeBigUInt64BE(fields.cas ?? 0n, 16);
  return Buffer.concat([h, extras, key, value]);
}

/** A get hit: flags 0 (bytes, for the default serde) and the value. */
function hit(req: Req, value: string, key?: Buffer): Buffer {
  return response(req, {
    extras: Buffer.alloc(4),
    value: Buffer.from(value),
    cas: 1n,
    ...(key ? { key } : {}),
  });
}

/** A fake binary memcached: `answer` is called for every complete request packet. */
function binaryFake(answer: (socket: Socket, req: Req) => void): Promise<FaultServer> {
  return startFaultServer((socket, _chunk, state) => {
    for (;;) {
      const b = state.buffer;
      if (b.length < 24) return;
      const total = 24 + b.readUInt32BE(8);
      if (b.length < total) return;
      const extrasLength = b[4]!;
      const keyLength = b.readUInt16BE(2);
      state.buffer = b.subarray(total);
      answer(socket, {
        opcode: b[1]!,
        opaque: b.readUInt32BE(12),
        extras: b.subarray(24, 24 + extrasLength),
        key: b.subarray(24 + extrasLength, 24 + extrasLength + keyLength),
        value: b.subarray(24 + extrasLength + keyLength, total),
      });
    }
  });
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
function track<T extends { close(): Promise<void> }>(x: T): T {
  cleanup.push(() => x.close());
  return x;
}
function client(server: FaultServer, options: BinaryClientOptions = {}): BinaryClient {
  return track(new BinaryClient(server.address, { timeout: 500, ...options }));
}

describe('bad input never reaches the socket', () => {
  it('keys, numbers, cas tokens and unsupported commands are refused before a byte is written', async () => {
    const server = track(await recordingServer());
    const c = client(server);
    for (const key of ['a b', 'a\r\nb', '', 'k'.repeat(251)]) {
      await expect(c.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(c.set(key, 1)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(c.getMany(['ok', key])).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(c.setMany({ ok: 1, [key]: 2 })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(c.deleteMany(['ok', key])).rejects.toBeInstanceOf(InvalidKeyError);
    }
    await expect(c.set('k', 1, { expire: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.set('k', 1, { flags: 2 ** 32 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.touch('k', 1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.incr('k', 2n ** 64n)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.decr('k', 0.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.cas('k', 1, 5 as unknown as bigint)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.flushAll(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.get('k', { timeout: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.getMany(['k'], { timeout: Number.NaN })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.metaGet()).rejects.toBeInstanceOf(UnsupportedCommandError);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.received().length).toBe(0);
    expect(server.connections).toBe(0);
  });
});

describe('the failure rule, on fake binary servers', () => {
  it('a stall: the timeout fires, every in-flight call fails, the next call reconnects', async () => {
    const server = track(await binaryFake(() => {}));
    const c = client(server, { timeout: 100 });
    const failures: Error[] = [];
    c.onConnectionError((e) => failures.push(e));
    const results = await Promise.allSettled([c.get('a'), c.set('b', 1), c.getMany(['c', 'd'])]);
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason);
    expect(reasons.some((e) => e instanceof TimeoutError)).toBe(true);
    for (const e of reasons)
      expect(e instanceof TimeoutError || e instanceof ConnectionClosedError).toBe(true);
    await expect(c.get('again', { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    expect(server.connections).toBe(2);
    expect(failures.map((e) => e.constructor.name)).toEqual(['TimeoutError', 'TimeoutError']);
  });

  it('a server that cuts mid-reply: ConnectionClosedError for everything in flight, then a new connection', async () => {
    let cut = true;
    const server = track(
      await binaryFake((socket, req) => {
        if (!cut) return void socket.write(hit(req, 'fine'));
        // Half a value: the header announces 10 bytes, 4 arrive, then the connection closes.
        socket.write(hit(req, '0123456789').subarray(0, 24 + 4 + 4));
        socket.end();
        cut = false;
      }),
    );
    const c = client(server);
    const results = await Promise.allSettled([c.get('a'), c.get('b'), c.delete('c')]);
    for (const r of results)
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionClosedError);
    expect(await c.get('d')).toEqual(Buffer.from('fine'));
    expect(server.connections).toBe(2);
  });

  it('a response with another opaque is a ProtocolError; the rest in flight get ConnectionClosedError', async () => {
    const server = track(
      await binaryFake((socket, req) => socket.write(hit({ ...req, opaque: req.opaque + 1 }, 'x'))),
    );
    const c = client(server);
    const [a, b] = await Promise.allSettled([c.get('a'), c.get('b')]);
    expect((a as PromiseRejectedResult).reason).toBeInstanceOf(ProtocolError);
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionClosedError);
  });

  it('the right opaque with another opcode is a ProtocolError', async () => {
    const server = track(await binaryFake((socket, req) => socket.write(response({ ...req, opcode: 0x04 }))));
    await expect(client(server).get('a')).rejects.toBeInstanceOf(ProtocolError);
  });

  it('text bytes where a binary response belongs are a ProtocolError', async () => {
    const server = track(await binaryFake((socket) => socket.write('ERROR\r\nERROR\r\nERROR\r\nERROR\r\n')));
    await expect(client(server).get('a')).rejects.toBeInstanceOf(ProtocolError);
  });

  it('a value announced past maxValueLength is a ProtocolError before its bytes arrive', async () => {
    const server = track(
      await binaryFake((socket, req) => {
        const full = hit(req, 'x'.repeat(5000));
        socket.write(full.subarray(0, 30)); // header only: the client must not wait for the rest
      }),
    );
    const err = await client(server, { maxValueLength: 1000 })
      .get('a')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/maxValueLength/);
  });

  it('a GetKQ hit that echoes a key that was not asked for is a ProtocolError', async () => {
    const server = track(
      await binaryFake((socket, req) => {
        if (req.opcode === 0x0d) socket.write(hit(req, 'v', Buffer.from('other')));
        else socket.write(response(req));
      }),
    );
    await expect(client(server).getMany(['a', 'b'])).rejects.toBeInstanceOf(ProtocolError);
  });

  it('responses arriving one byte at a time are read correctly', async () => {
    // One queue of bytes per connection, written one byte per turn of the event loop.
    const outgoing = new Map<Socket, number[]>();
    const server = track(
      await binaryFake((socket, req) => {
        const bytes = req.opcode === 0x0d ? hit(req, `v-${req.key}`, req.key) : hit(req, `v-${req.key}`);
        const out = req.opcode === 0x0a ? response(req) : bytes;
        const queue = outgoing.get(socket) ?? [];
        const idle = queue.length === 0;
        queue.push(...out);
        outgoing.set(socket, queue);
        const tick = () => {
          const b = queue.shift();
          if (b === undefined || socket.destroyed) return;
          socket.write(Buffer.from([b]));
          setImmediate(tick);
        };
        if (idle) tick();
      }),
    );
    const c = client(server, { timeout: 5000 });
    expect(await c.get('a')).toEqual(Buffer.from('v-a'));
    const many = await c.getMany(['x', 'y']);
    expect([...many.entries()].map(([k, v]) => [k, Buffer.from(v as Buffer).toString()])).toEqual([
      ['x', 'v-x'],
      ['y', 'v-y'],
    ]);
  });

  it('an aborted call rejects with AbortError; its late response is dropped and the connection stays', async () => {
    const server = track(
      await binaryFake((socket, req) => {
        setTimeout(() => socket.write(hit(req, `v-${req.key}`)), 50).unref();
      }),
    );
    const c = client(server);
    const ac = new AbortController();
    const first = c.get('slow', { signal: ac.signal });
    ac.abort();
    await expect(first).rejects.toBeInstanceOf(AbortError);
    expect(await c.get('next')).toEqual(Buffer.from('v-next'));
    expect(server.connections).toBe(1);
    const pre = new AbortController();
    pre.abort();
    await expect(c.get('never', { signal: pre.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('a SASL server that never answers the auth packet: ConnectTimeoutError', async () => {
    const server = track(await binaryFake(() => {}));
    const c = client(server, { connectTimeout: 100, sasl: { username: 'u', password: 'p' } });
    await expect(c.get('a')).rejects.toBeInstanceOf(ConnectTimeoutError);
    expect(server.received()[1]).toBe(0x21); // the first packet was SaslAuth
  });

  it('noreply errors are reported; a response in the fence that answers nothing is a ProtocolError', async () => {
    const errors: Error[] = [];
    const server = track(
      await binaryFake((socket, req) => {
        if (req.opcode === 0x11)
          socket.write(response(req, { status: 0x82, value: Buffer.from('Out of memory') }));
        else if (req.opcode === 0x0a) socket.write(response(req));
        else socket.write(response({ ...req, opaque: 12345 }));
      }),
    );
    const c = client(server, { onNoreplyError: (e) => errors.push(e) });
    await c.set('a', 1, { noreply: true });
    await c.noop();
    expect(errors.map((e) => e.message)).toEqual(['SERVER_ERROR Out of memory']);
    await expect(c.delete('b')).rejects.toBeInstanceOf(ProtocolError);
  });
});
