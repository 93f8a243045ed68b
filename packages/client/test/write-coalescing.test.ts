import { Socket } from 'node:net';
import { type FaultServer, startFaultServer } from '@mc/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client, ClientClosedError, ProtocolError } from '../src/index.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const f of cleanup.splice(0)) await f();
});
function track<T extends { close(): Promise<void> }>(x: T): T {
  cleanup.push(() => x.close());
  return x;
}

const VALUE_BYTES = 100 * 1024;
const KEYS = 8;

/**
 * A fake memcached whose values are VALUE_BYTES of 'v', each get line answered at once with one
 * synchronous write. A fake rather than the real server because the test needs the replies already
 * in the client's socket when it reads (a merged get of KEYS keys: KEYS large values in one write),
 * which memcached, on its own thread, does not promise.
 */
function bulkServer(): Promise<FaultServer> {
  const body = 'v'.repeat(VALUE_BYTES);
  return startFaultServer((socket, _chunk, state) => {
    let idx = state.buffer.indexOf('\r\n');
    while (idx >= 0) {
      const keys = state.buffer.subarray(4, idx).toString('latin1').split(' ');
      state.buffer = state.buffer.subarray(idx + 2);
      idx = state.buffer.indexOf('\r\n');
      socket.write(`${keys.map((k) => `VALUE ${k} 0 ${VALUE_BYTES}\r\n${body}\r\n`).join('')}END\r\n`);
    }
  });
}

/** A VALUE of VALUE_BYTES for `key`, without the END. */
const valueReply = (key: string) => `VALUE ${key} 0 ${VALUE_BYTES}\r\n${'v'.repeat(VALUE_BYTES)}\r\n`;

/**
 * A fault server on a Unix socket (startFaultServer's `unixSocket`: the whole reply is in the
 * client's socket before it reads, so the read that completes a large value fills its buffer and
 * libuv reads again in the same turn, finding what follows) that answers each connection's whole
 * request (its bytes so far, without the CRLF) from `replies`, in one write. `seen`: each
 * connection's bytes.
 */
async function unixServer(replies: Record<string, string>): Promise<{ path: string; seen: string[] }> {
  const seen: string[] = [];
  const ids = new Map<Socket, number>();
  const s = track(
    await startFaultServer(
      (socket, _chunk, state) => {
        let id = ids.get(socket);
        if (id === undefined) ids.set(socket, (id = seen.push('') - 1));
        seen[id] = state.buffer.toString('latin1');
        const reply = replies[seen[id]!.replace(/\r\n$/, '')];
        if (reply !== undefined) socket.write(reply);
      },
      { unixSocket: true },
    ),
  );
  return { path: s.path!, seen };
}

describe('writes during a burst of reads', () => {
  it.each([
    ['merged gets', {}],
    ['gets sent alone', { batchGets: false }],
  ])(
    '%s: requests made while the socket still has replies to read leave together, at most 4 per write',
    async (_name, options) => {
      const s = track(await bulkServer());
      const c = track(new Client(s.address, { timeout: 60_000, ...options }));
      await c.get('warm-up');
      // Count the client's writes that carry a follow-up get (the fault server's own sockets write
      // values, never `get`).
      const writes: string[] = [];
      const write = Socket.prototype.write;
      vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
        const data = args[0];
        if (Buffer.isBuffer(data) && data.includes('get f')) writes.push(data.toString('latin1'));
        return (write as (...a: unknown[]) => boolean).apply(this, args);
      });
      // One tick of KEYS gets (one merged command, or KEYS commands): their values arrive back to
      // back, and each caller asks for one more key as soon as it has its value.
      const done = Array.from({ length: KEYS }, (_, i) =>
        c.get(`k${i}`).then((v) => {
          expect((v as Buffer).length).toBe(VALUE_BYTES);
          return c.get(`f${i}`);
        }),
      );
      const followUps = await Promise.all(done);
      expect(followUps.every((v) => (v as Buffer).length === VALUE_BYTES)).toBe(true);
      // Follow-up keys, whether each went in a get of its own or several were merged into one.
      const keysIn = (w: string) => w.match(/ f\d/g) ?? [];
      const sent = writes.flatMap(keysIn);
      expect(sent).toHaveLength(KEYS);
      // Written one per value read, the KEYS follow-ups would take KEYS writes (each value of 100 KiB
      // completes in a read callback of its own); held while reads fill their buffers, they leave in
      // fewer, none with more than 4.
      expect(writes.length).toBeLessThan(KEYS);
      for (const w of writes) expect(keysIn(w).length).toBeLessThanOrEqual(4);
      // Merged, the follow-ups held in one write are one command: the batch stays open until the
      // held flush collects it (Connection.beforeFlush), rather than one command per read callback.
      if (!('batchGets' in options)) for (const w of writes) expect(w.match(/get /g)).toHaveLength(1);
    },
  );

  it('a get held for the end of a burst of reads goes out on a new connection when the old one fails first', async () => {
    const { path, seen } = await unixServer({
      'get a b': `${valueReply('a')}GARBAGE\r\n`,
      'get c': 'VALUE c 0 1\r\nC\r\nEND\r\n',
    });
    const c = track(new Client({ path }, { timeout: 60_000 }));
    // a and b: one merged command. a's value comes whole, then garbage where b's reply should be.
    const c1 = c.get('a').then((v) => {
      expect((v as Buffer).length).toBe(VALUE_BYTES);
      return c.get('c'); // made while the reads go on: held, in an open batch
    });
    await expect(c.get('b')).rejects.toBeInstanceOf(ProtocolError);
    // The connection was discarded before the held flush; the batch left after it, on a new one.
    expect(((await c1) as Buffer).toString()).toBe('C');
    expect(seen).toEqual(['get a b\r\n', 'get c\r\n']);
  });

  it('a get held for the end of a burst of reads rejects with ClientClosedError when the client closes first', async () => {
    const { path, seen } = await unixServer({ 'get a b': `${valueReply('a')}VALUE b 0 1\r\nB\r\nEND\r\n` });
    const c = new Client({ path }, { timeout: 60_000 });
    const held = c.get('a').then(() => {
      const d = c.get('d'); // held, in an open batch
      void c.close();
      return d;
    });
    await expect(c.get('b')).rejects.toBeInstanceOf(ClientClosedError);
    await expect(held).rejects.toBeInstanceOf(ClientClosedError);
    expect(seen).toEqual(['get a b\r\n']);
  });
});
