import { Socket } from 'node:net';
import { type FaultServer, startFaultServer } from '@mc/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from '../src/index.js';

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
    },
  );
});
