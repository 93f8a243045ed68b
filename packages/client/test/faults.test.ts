import {
  closeMidValueServer,
  type FaultServer,
  garbageServer,
  recordingServer,
  stallServer,
  startMemcached,
  wrongReplyServer,
} from '@mc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  Client,
  ClientClosedError,
  ConnectError,
  ConnectionClosedError,
  InvalidKeyError,
  ProtocolError,
  TimeoutError,
} from '../src/index.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
function track<T extends { close(): Promise<void> } | FaultServer>(x: T): T {
  cleanup.push(() => x.close());
  return x;
}

describe('bad input never reaches the socket', () => {
  it.each([
    ['a space', 'a b'],
    ['CR LF', 'a\r\nflush_all'],
    ['a control character', 'a\u0001b'],
    ['251 bytes', 'k'.repeat(251)],
    ['nothing', ''],
  ])('a key with %s gets InvalidKeyError and zero bytes are written', async (_n, key) => {
    const server = track(await recordingServer());
    const c = track(new Client(server.address));
    await expect(c.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(c.set(key, 'v')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(c.getMany(['ok', key])).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(c.setMany({ ok: 1, [key]: 2 })).rejects.toBeInstanceOf(InvalidKeyError);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.received().length).toBe(0);
    expect(server.connections).toBe(0);
  });
});

describe('fault servers', () => {
  it('a stall: the timeout fires, the socket is destroyed, every in-flight request fails, the next call reconnects', async () => {
    const server = track(await stallServer());
    const c = track(new Client(server.address, { timeout: 100 }));
    const results = await Promise.allSettled([c.get('a'), c.set('b', 1), c.delete('c')]);
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : r.value));
    expect(reasons.some((e) => e instanceof TimeoutError)).toBe(true);
    for (const e of reasons)
      expect(e instanceof TimeoutError || e instanceof ConnectionClosedError).toBe(true);
    await expect(c.get('again')).rejects.toBeInstanceOf(TimeoutError);
    expect(server.connections).toBe(2);
  });

  it('a close in the middle of a value fails the request with ConnectionClosedError', async () => {
    const server = track(await closeMidValueServer());
    const c = track(new Client(server.address));
    await expect(c.get('k')).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('a garbage reply is a ProtocolError and the connection is discarded', async () => {
    const server = track(await garbageServer());
    const c = track(new Client(server.address));
    const [a, b] = await Promise.allSettled([c.get('a'), c.get('b', { signal: undefined })]);
    expect(a.status === 'rejected' && a.reason).toBeInstanceOf(ProtocolError);
    expect(b.status).toBe('rejected');
    await expect(c.set('x', 1)).rejects.toBeInstanceOf(ProtocolError);
    expect(server.connections).toBe(2);
  });

  it('the right bytes for the wrong request are a ProtocolError', async () => {
    const server = track(await wrongReplyServer());
    const c = track(new Client(server.address, { batchGets: false }));
    await expect(c.get('k')).rejects.toBeInstanceOf(ProtocolError);
    await expect(c.set('k', 'v')).rejects.toBeInstanceOf(ProtocolError);
    expect(server.connections).toBe(2);
  });

  it('a refused connection is a ConnectError', async () => {
    const server = await stallServer();
    const port = server.port;
    await server.close();
    const c = track(new Client({ host: '127.0.0.1', port }));
    await expect(c.get('k')).rejects.toBeInstanceOf(ConnectError);
  });

  it('a server restart between calls: the next call reconnects', async () => {
    const mc = await startMemcached();
    cleanup.push(() => mc.stop());
    const c = track(new Client(mc.address));
    await c.set('k', 'v');
    await mc.restart();
    // The first call after the restart may find the old socket closed; it never hangs and the next one works.
    await c.get('k').catch((e) => expect(e).toBeInstanceOf(ConnectionClosedError));
    expect(await c.set('k', 'v2')).toBe(true);
    expect(await c.get('k')).toBe('v2');
  });
});

describe('abort and close', () => {
  it('an AbortSignal rejects the call with AbortError and the stream stays in sync', async () => {
    const mc = await startMemcached();
    cleanup.push(() => mc.stop());
    const c = track(new Client(mc.address));
    await c.set('k', 'v');
    const ac = new AbortController();
    const p = c.get('k', { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    const already = AbortSignal.abort();
    await expect(c.set('k', 'x', { signal: already })).rejects.toBeInstanceOf(AbortError);
    const ac2 = new AbortController();
    const q = c.gets('k', { signal: ac2.signal });
    setImmediate(() => ac2.abort());
    await q.catch(() => {});
    expect(await c.get('k')).toBe('v');
    expect(await c.version()).toMatch(/\d/);
  });

  it('close() settles every pending request with ClientClosedError', async () => {
    const server = track(await stallServer());
    const c = new Client(server.address, { timeout: 0 });
    const p = Promise.allSettled([c.get('a'), c.get('b'), c.set('c', 1)]);
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    for (const r of await p) expect(r.status === 'rejected' && r.reason).toBeInstanceOf(ClientClosedError);
    await expect(c.get('a')).rejects.toBeInstanceOf(ClientClosedError);
  });
});
