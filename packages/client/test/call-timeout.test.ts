import { stallServer } from '@mc/testing';
import { describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { Client, ConnectionClosedError, TimeoutError } from '../src/index.js';

describe('per-call timeout', () => {
  it("a call's own timeout fires before the client's, and discards the connection like any timeout", async () => {
    const server = await stallServer();
    const c = new Client(server.address, { timeout: 60_000 });
    const other = c.set('b', 1);
    // The error names the deadline that fired: the call's 50 ms, not the client's 60 s.
    await expect(c.get('a', { timeout: 50 })).rejects.toThrow(/within 50 ms/);
    // Everything else in flight on that connection fails with it: a late reply must never reach it.
    await expect(other).rejects.toBeInstanceOf(ConnectionClosedError);
    await c.close();
    await server.close();
  });

  it('every command takes it (storage, multi-key, meta), and a bad value is refused before any byte is sent', async () => {
    const server = await stallServer();
    const c = new Client(server.address);
    for (const bad of [-1, Number.NaN, '50' as unknown as number, Number.POSITIVE_INFINITY]) {
      await expect(c.get('k', { timeout: bad })).rejects.toMatchObject({ code: 'MC_ERR_INVALID_ARGUMENT' });
      await expect(c.set('k', 1, { timeout: bad })).rejects.toMatchObject({
        code: 'MC_ERR_INVALID_ARGUMENT',
      });
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(server.received().length).toBe(0);
    await expect(c.getMany(['a', 'b'], { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(c.set('k', 1, { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(c.metaGet('k', { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    await c.close();
    await server.close();
  });

  it('against a real server a generous per-call timeout changes nothing', async () => {
    const c = new Client(inject('memcached'), { keyPrefix: uniquePrefix('ct') });
    expect(await c.set('k', 'v', { timeout: 5000 })).toBe(true);
    expect(await c.get('k', { timeout: 5000 })).toBe('v');
    expect((await c.getMany(['k'], { timeout: 5000 })).get('k')).toBe('v');
    await c.close();
  });
});
