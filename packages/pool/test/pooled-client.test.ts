import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ClientClosedError } from '@mc/client';
import { stallServer, startMemcached } from '@mc/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { PooledClient } from '../src/index.js';

const server = inject('memcached');
const clients: PooledClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function pooled(options: ConstructorParameters<typeof PooledClient>[1] = {}, address = server): PooledClient {
  const c = new PooledClient(address, { keyPrefix: uniquePrefix('pool'), ...options });
  clients.push(c);
  return c;
}

describe('PooledClient: pipelined connections, least pending first', () => {
  it('one connection carries many requests at once; a second opens only past pipelineThreshold', async () => {
    const c = pooled({ maxPoolSize: 4, pipelineThreshold: 1000 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => c.set(`k${i}`, i)));
    expect(c.connectionCount).toBe(1);
    const low = pooled({ maxPoolSize: 4, pipelineThreshold: 10 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => low.set(`k${i}`, i)));
    expect(low.connectionCount).toBe(4);
    expect(low.counters.opened).toBe(4);
  });

  it('concurrency far above the pool size completes with every value correct, spread over the connections', async () => {
    const c = pooled({ maxPoolSize: 3, pipelineThreshold: 4 });
    const n = 2000;
    const sets = Array.from({ length: n }, (_, i) => c.set(`k${i}`, i));
    // Requests are spread: no connection carries them all.
    expect(c.connectionCount).toBe(3);
    expect(c.pendingCount).toBe(n);
    await Promise.all(sets);
    const got = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`k${i}`)));
    got.forEach((v, i) => {
      expect(v).toBe(i);
    });
    expect(c.pendingCount).toBe(0);
  });

  it('every command of the client works through the pool (server-level ones on one connection)', async () => {
    const c = pooled({ maxPoolSize: 2 });
    const stats = await c.stats();
    expect(typeof stats.pid).toBe('number');
    expect(await c.version()).toMatch(/^1\.6\./);
    expect((await c.raw('version')).toString()).toMatch(/^VERSION /);
    expect(await c.verbosity(0)).toBe(true);
    expect(typeof (await c.stats('settings')).maxbytes).toBe('number');
  });

  it('closes connections nobody used for poolIdleTimeout and reopens on demand', async () => {
    const c = pooled({ maxPoolSize: 2, poolIdleTimeout: 50, pipelineThreshold: 1 });
    await Promise.all([c.set('a', 1), c.set('b', 2), c.set('c', 3)]);
    expect(c.connectionCount).toBe(2);
    for (let i = 0; i < 250 && c.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(c.connectionCount).toBe(0);
    expect(await c.get('a')).toBe(1);
    expect(c.connectionCount).toBe(1);
  });

  it('a connection that timed out is discarded, never reused (pymemcache rule)', async () => {
    const stall = await stallServer();
    const c = new PooledClient(stall.address, { maxPoolSize: 1, timeout: 100 });
    const errors: Error[] = [];
    c.onConnectionError((e) => errors.push(e));
    await expect(c.get('a')).rejects.toMatchObject({ code: 'MC_ERR_TIMEOUT' });
    expect(c.connectionCount).toBe(0);
    expect(c.counters.discarded).toBe(1);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['MC_ERR_TIMEOUT']);
    // The next call opens a new connection (the stall server accepts it, and times out again).
    await expect(c.get('b')).rejects.toMatchObject({ code: 'MC_ERR_TIMEOUT' });
    expect(stall.connections).toBe(2);
    await c.close();
    await stall.close();
  });

  it('the server is killed and restarted mid-run: broken connections are dropped and the pool recovers', async () => {
    const mc = await startMemcached();
    const c = new PooledClient(mc.address, {
      maxPoolSize: 4,
      pipelineThreshold: 8,
      timeout: 1000,
      connectTimeout: 1000,
    });
    clients.push(c);
    await Promise.all(Array.from({ length: 200 }, (_, i) => c.set(`k${i}`, i)));
    const run = Promise.allSettled(Array.from({ length: 400 }, (_, i) => c.set(`k${i % 200}`, i)));
    await mc.restart();
    const results = await run;
    for (const r of results) if (r.status === 'rejected') expect(r.reason.retryable).toBe(true);
    for (let i = 0; i < 20; i++) {
      const ok = await c.set(`after${i}`, i).catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await Promise.all(Array.from({ length: 50 }, (_, i) => c.set(`x${i}`, i)));
    expect(after.every(Boolean)).toBe(true);
    expect(await c.get('x7')).toBe(7);
    expect(c.counters.discarded).toBeGreaterThan(0);
    await mc.stop();
  });

  it('quit() keeps the client usable (pymemcache); close() is final', async () => {
    const c = pooled({ maxPoolSize: 2 });
    await c.set('q', 'v');
    await c.quit();
    expect(await c.get('q')).toBe('v');
    await c.close();
    await expect(c.get('q')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('after close() no socket and no timer is left: the process exits by itself', () => {
    const script = `
      import { PooledClient } from '@mc/pool';
      const c = new PooledClient(process.argv[1], { maxPoolSize: 4, pipelineThreshold: 2, poolIdleTimeout: 600000 });
      await Promise.all(Array.from({ length: 100 }, (_, i) => c.set('exit:' + i, i)));
      await c.close();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, server], {
      cwd: join(import.meta.dirname, '..'),
      timeout: 15_000,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
  });
});
