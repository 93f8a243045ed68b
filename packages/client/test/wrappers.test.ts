import { MockClient, stallServer } from '@mc/testing';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  Client,
  FallbackClient,
  InvalidArgumentError,
  type MemcacheClient,
  RetryingClient,
  TimeoutError,
} from '../src/index.js';

/** A MemcacheClient whose calls fail a given number of times first (counts every call). */
function flaky(failures: number, error: () => Error): { client: MemcacheClient; calls: () => number } {
  const inner = new MockClient();
  let calls = 0;
  const client = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'close' || prop === 'quit') return v;
      return (...args: unknown[]) => {
        calls++;
        if (calls <= failures) return Promise.reject(error());
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client, calls: () => calls };
}

describe('RetryingClient', () => {
  it('retries retryable errors up to attempts', async () => {
    const f = flaky(2, () => new TimeoutError(10));
    const r = new RetryingClient(f.client, { attempts: 3 });
    expect(await r.set('k', 1)).toBe(true);
    expect(f.calls()).toBe(3);
  });

  it('gives up after attempts and rethrows the last error', async () => {
    const f = flaky(5, () => new TimeoutError(10));
    const r = new RetryingClient(f.client, { attempts: 2 });
    await expect(r.get('k')).rejects.toBeInstanceOf(TimeoutError);
    expect(f.calls()).toBe(2);
  });

  it('does not retry errors that are not retryable, nor doNotRetryFor, and honours retryFor by class or code', async () => {
    const f1 = flaky(1, () => new InvalidArgumentError('no'));
    await expect(new RetryingClient(f1.client, { attempts: 3 }).get('k')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(f1.calls()).toBe(1);
    const f2 = flaky(1, () => new TimeoutError(1));
    await expect(
      new RetryingClient(f2.client, { attempts: 3, doNotRetryFor: ['MC_ERR_TIMEOUT'] }).get('k'),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(f2.calls()).toBe(1);
    const f3 = flaky(1, () => new InvalidArgumentError('x'));
    expect(
      await new RetryingClient(f3.client, { attempts: 3, retryFor: [InvalidArgumentError] }).get('k'),
    ).toBeUndefined();
    expect(f3.calls()).toBe(2);
    expect(() => new RetryingClient(f3.client, { retryFor: ['A'], doNotRetryFor: ['A'] })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new RetryingClient(f3.client, { attempts: 0 })).toThrow(InvalidArgumentError);
  });

  it('never repeats incr, decr, append, prepend or cas unless retryUnsafe', async () => {
    for (const call of [
      (c: MemcacheClient) => c.incr('k', 1),
      (c: MemcacheClient) => c.decr('k', 1),
      (c: MemcacheClient) => c.append('k', 'x'),
      (c: MemcacheClient) => c.prepend('k', 'x'),
      (c: MemcacheClient) => c.cas('k', 'x', 1n),
    ]) {
      const f = flaky(1, () => new TimeoutError(1));
      await expect(call(new RetryingClient(f.client, { attempts: 3 }))).rejects.toBeInstanceOf(TimeoutError);
      expect(f.calls()).toBe(1);
      const g = flaky(1, () => new TimeoutError(1));
      await call(new RetryingClient(g.client, { attempts: 3, retryUnsafe: true }));
      expect(g.calls()).toBe(2);
    }
  });

  it('an AbortSignal cuts the delay short', async () => {
    const f = flaky(5, () => new TimeoutError(1));
    const r = new RetryingClient(f.client, { attempts: 5, retryDelay: 60_000 });
    const ac = new AbortController();
    const p = r.get('k', { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(f.calls()).toBe(1);
  });

  it('retries a real timeout on a real socket, reconnecting each time', async () => {
    const server = await stallServer();
    const r = new RetryingClient(new Client(server.address, { timeout: 50 }), { attempts: 3 });
    await expect(r.get('k')).rejects.toBeInstanceOf(TimeoutError);
    expect(server.connections).toBe(3);
    await r.close();
    await server.close();
  });
});

describe('FallbackClient', () => {
  it('reads each client in order until a hit; writes go to the first only', async () => {
    const fresh = new MockClient();
    const old = new MockClient();
    await old.set('legacy', 'from-old');
    await old.setMany({ a: 1, b: 2 });
    const f = new FallbackClient([fresh, old]);
    expect(await f.get('legacy')).toBe('from-old');
    expect(await f.get('nowhere')).toBeUndefined();
    expect(await f.getMany(['a', 'b'])).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    expect((await f.gets('legacy'))?.value).toBe('from-old');
    await f.set('legacy', 'new');
    expect(await fresh.get('legacy')).toBe('new');
    expect(await old.get('legacy')).toBe('from-old');
    expect(await f.get('legacy')).toBe('new');
    await f.delete('legacy');
    expect(await old.get('legacy')).toBe('from-old');
    expect(() => new FallbackClient([])).toThrow(InvalidArgumentError);
  });
});
