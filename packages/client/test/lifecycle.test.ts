import { describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import {
  Client,
  ClientClosedError,
  FallbackClient,
  RetryingClient,
  UnsupportedCommandError,
} from '../src/index.js';

const server = inject('memcached');

describe('lifecycle: quit, close and await using', () => {
  it('await using waits for the calls in flight, then closes for good', async () => {
    let leaked: Client | undefined;
    let pending: Promise<unknown>[] = [];
    {
      await using c = new Client(server, { keyPrefix: uniquePrefix('dispose') });
      leaked = c;
      pending = Array.from({ length: 50 }, (_, i) => c.set(`k${i}`, i));
    }
    // Every call sent before the scope ended got its answer.
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 50 }, () => true));
    await expect(leaked!.get('k1')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('wrappers dispose the clients they wrap', async () => {
    const a = new Client(server);
    const b = new Client(server);
    {
      await using r = new RetryingClient(new FallbackClient([a, b]));
      expect(await r.set(`${uniquePrefix('d')}x`, 1)).toBe(true);
    }
    await expect(a.get('x')).rejects.toBeInstanceOf(ClientClosedError);
    await expect(b.get('x')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('quit leaves a client usable; close is final', async () => {
    const c = new Client(server, { keyPrefix: uniquePrefix('quit') });
    await c.set('k', 'v');
    await c.quit();
    expect(await c.get('k')).toBe('v');
    await c.close();
    await expect(c.get('k')).rejects.toBeInstanceOf(ClientClosedError);
    await c.close(); // twice is fine
  });

  it('listMechanisms is a binary-protocol command: a text client refuses it before sending', async () => {
    const c = new Client(server);
    await expect(c.listMechanisms()).rejects.toBeInstanceOf(UnsupportedCommandError);
    expect(c.pendingCount).toBe(0);
    await c.close();
  });
});
