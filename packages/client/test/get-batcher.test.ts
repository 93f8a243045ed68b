import { type FaultServer, startFaultServer } from '@mc/testing';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { AbortError, Client, ProtocolError, SerdeError } from '../src/index.js';

const server = inject('memcached');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
function track<T extends { close(): Promise<void> }>(x: T): T {
  cleanup.push(() => x.close());
  return x;
}
const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
function client(options = {}): Client {
  const c = new Client(server, { keyPrefix: uniquePrefix('batch'), ...options });
  clients.push(c);
  return c;
}

/**
 * A fake memcached holding `data`, answering each `get` line with its hits in the order `order`
 * puts them (memcached answers in request order; a proxy might not), and counting the get lines.
 */
function fakeServer(
  data: Record<string, string>,
  order: (keys: string[]) => string[] = (k) => k,
): Promise<FaultServer & { getLines: string[] }> {
  const getLines: string[] = [];
  return startFaultServer((socket, _chunk, state) => {
    let idx = state.buffer.indexOf('\r\n');
    while (idx >= 0) {
      const line = state.buffer.subarray(0, idx).toString('utf8');
      state.buffer = state.buffer.subarray(idx + 2);
      idx = state.buffer.indexOf('\r\n');
      if (!line.startsWith('get ')) {
        socket.write('ERROR\r\n');
        continue;
      }
      getLines.push(line);
      let out = '';
      for (const key of order(line.slice(4).split(' '))) {
        const v = data[key];
        if (v !== undefined) out += `VALUE ${key} 16 ${Buffer.byteLength(v)}\r\n${v}\r\n`;
      }
      socket.write(`${out}END\r\n`);
    }
  }).then((s) => Object.assign(s, { getLines }));
}

describe('merged gets (batchGets)', () => {
  it('each caller has its value as soon as it is read, before the rest of the reply', async () => {
    // A server that answers the first key of a get and then stalls: no END, no second value.
    const s = track(
      await startFaultServer((socket, _chunk, state) => {
        if (state.buffer.includes('\r\n')) socket.write('VALUE first 16 3\r\none\r\nVALUE sec');
      }),
    );
    const c = track(new Client(s.address, { timeout: 60_000 }));
    const first = c.get('first');
    const second = c.get('second');
    second.catch(() => {});
    expect(await first).toBe('one');
  });

  it('a lone get has its value at the END after it (held); a second value for its key is refused', async () => {
    // A server that answers the value at once and the END only when told to.
    let sock: import('node:net').Socket | undefined;
    let valueSent = false;
    const s = track(
      await startFaultServer((socket, _chunk, state) => {
        if (state.buffer.includes('\r\n')) {
          state.buffer = Buffer.alloc(0);
          sock = socket;
          socket.write('VALUE only 16 3\r\none\r\n', () => {
            valueSent = true;
          });
        }
      }),
    );
    const c = track(new Client(s.address, { timeout: 60_000 }));
    let settled = false;
    const got = c.get('only').then((v) => {
      settled = true;
      return v;
    });
    await vi.waitFor(() => expect(valueSent).toBe(true));
    // The value is in the kernel; on loopback the client reads it within a turn or two of its loop.
    // 100 ms of turns leaves no doubt that it has been read (streamed, it would have settled).
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    sock!.write('END\r\n');
    expect(await got).toBe('one');

    // The same key's value twice in one reply: the connection is discarded, the caller fails.
    const dup = track(
      await startFaultServer((socket, _chunk, state) => {
        if (state.buffer.includes('\r\n')) socket.write('VALUE k 16 1\r\na\r\nVALUE k 16 1\r\nb\r\nEND\r\n');
      }),
    );
    const c2 = track(new Client(dup.address));
    await expect(c2.get('k')).rejects.toBeInstanceOf(ProtocolError);
  });

  it('the gets of a tick leave as one get line per 100 keys, each caller gets its own value', async () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < 250; i += 2) data[`k${i}`] = `v${i}`;
    const s = track(await fakeServer(data));
    const c = track(new Client(s.address));
    const got = await Promise.all(Array.from({ length: 250 }, (_, i) => c.get(`k${i}`)));
    expect(got).toEqual(got.map((_, i) => (i % 2 === 0 ? `v${i}` : undefined)));
    expect(s.getLines.map((l) => l.split(' ').length - 1)).toEqual([100, 100, 50]);
  });

  it('a key asked twice in a tick is sent twice and both callers get the value', async () => {
    const s = track(await fakeServer({ a: 'A', b: 'B' }));
    const c = track(new Client(s.address));
    expect(await Promise.all([c.get('a'), c.get('zz'), c.get('a'), c.get('b')])).toEqual([
      'A',
      undefined,
      'A',
      'B',
    ]);
    expect(s.getLines).toEqual(['get a zz a b']);
  });

  it('hits in another order than asked (a reordering proxy) still reach the right callers', async () => {
    const s = track(await fakeServer({ a: 'A', b: 'B', c: 'C' }, (keys) => [...keys].reverse()));
    const c = track(new Client(s.address));
    expect(await Promise.all([c.get('a'), c.get('b'), c.get('x'), c.get('c'), c.get('a')])).toEqual([
      'A',
      'B',
      undefined,
      'C',
      'A',
    ]);
    // The connection stayed in use: nothing was out of sync.
    expect(await c.get('b')).toBe('B');
    expect(s.connections).toBe(1);
  });

  it('a value for a key nobody asked for fails the callers not yet answered with ProtocolError and discards the connection', async () => {
    const s = track(await fakeServer({ a: 'A', b: 'B' }, (keys) => [...keys, 'b']));
    const c = track(new Client(s.address));
    const [a, x] = await Promise.allSettled([c.get('a'), c.get('x')]);
    // 'a' had its own value before the stray one arrived (values are handed out as they are read).
    expect(a).toEqual({ status: 'fulfilled', value: 'A' });
    expect((x as PromiseRejectedResult).reason).toBeInstanceOf(ProtocolError);
    await c.get('a').catch(() => {});
    expect(s.connections).toBe(2);
  });

  it('an aborted caller rejects with AbortError at once; the others of its batch get their values', async () => {
    const c = client();
    await c.setMany({ a: 'A', b: 'B' });
    const ac = new AbortController();
    const pa = c.get('a');
    const pb = c.get('b', { signal: ac.signal });
    ac.abort('no longer needed');
    await expect(pb).rejects.toBeInstanceOf(AbortError);
    expect(await pa).toBe('A');
    expect(await c.get('b')).toBe('B');
  });

  it('a value the serde refuses fails its caller alone', async () => {
    const c = client();
    await c.set('good', 'yes');
    await c.set('bad', 'x', { flags: 1 << 20 });
    const [good, bad, miss] = await Promise.allSettled([c.get('good'), c.get('bad'), c.get('none')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'yes' });
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(SerdeError);
    expect(miss).toEqual({ status: 'fulfilled', value: undefined });
  });

  it('unicode keys and a key prefix in one merged get', async () => {
    const c = client({ allowUnicodeKeys: true });
    await c.setMany({ 'clé-é': 1, ключ: 2, plain: 3 });
    expect(await Promise.all([c.get('ключ'), c.get('plain'), c.get('clé-é'), c.get('nope')])).toEqual([
      2,
      3,
      1,
      undefined,
    ]);
  });

  it('a merged get larger than the output slab (100 keys of 250 bytes) is written whole', async () => {
    const c = client();
    const keys = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'k'.repeat(200)}`);
    await c.setMany(Object.fromEntries(keys.map((k, i) => [k, i])));
    expect(await Promise.all(keys.map((k) => c.get(k)))).toEqual(keys.map((_, i) => i));
  });

  it('a batch is reused after it settles: serial gets stay correct', async () => {
    const c = client();
    await c.setMany({ a: 'A', b: 'B' });
    for (let i = 0; i < 50; i++) expect(await c.get(i % 2 ? 'a' : 'b')).toBe(i % 2 ? 'A' : 'B');
  });
});

describe('getMany', () => {
  it('sends 100 keys per command, keys as given, and maps hits back to the keys asked', async () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < 250; i += 3) data[`p:k${i}`] = `v${i}`;
    const s = track(await fakeServer(data));
    const c = track(new Client(s.address, { keyPrefix: 'p:' }));
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
    const got = await c.getMany([...keys, 'k0']);
    expect(new Map(got)).toEqual(
      new Map(keys.filter((_, i) => i % 3 === 0).map((k) => [k, `v${k.slice(1)}`])),
    );
    expect(s.getLines.map((l) => l.split(' ').length - 1)).toEqual([100, 100, 51]);
  });

  it('hits out of order are matched by key; a key nobody asked for is a ProtocolError', async () => {
    const s = track(await fakeServer({ a: 'A', b: 'B' }, (keys) => [...keys].reverse()));
    const c = track(new Client(s.address));
    expect(new Map(await c.getMany(['a', 'x', 'b']))).toEqual(
      new Map([
        ['a', 'A'],
        ['b', 'B'],
      ]),
    );
    const stray = track(await fakeServer({ a: 'A', b: 'B' }, () => ['a', 'b']));
    const d = track(new Client(stray.address));
    await expect(d.getMany(['a', 'c'])).rejects.toBeInstanceOf(ProtocolError);
  });
});
