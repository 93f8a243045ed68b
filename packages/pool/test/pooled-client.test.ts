import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stallServer, startMemcached } from '@mc/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { PooledClient, PoolTimeoutError } from '../src/index.js';

const server = inject('memcached');
const clients: PooledClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('PooledClient against a real memcached', () => {
  it('concurrency far above the pool size completes with every value correct', async () => {
    const c = new PooledClient(server, { maxPoolSize: 3, keyPrefix: uniquePrefix('pool') });
    clients.push(c);
    const n = 2000;
    await Promise.all(Array.from({ length: n }, (_, i) => c.set(`k${i}`, i)));
    const got = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`k${i}`)));
    got.forEach((v, i) => {
      expect(v).toBe(i);
    });
    expect(c.pool.size).toBeLessThanOrEqual(3);
    expect(c.pool.created).toBe(3);
  });

  it('evicts idle connections after poolIdleTimeout', async () => {
    const c = new PooledClient(server, {
      maxPoolSize: 2,
      poolIdleTimeout: 50,
      keyPrefix: uniquePrefix('pool'),
    });
    clients.push(c);
    await Promise.all([c.set('a', 1), c.set('b', 2)]);
    expect(c.pool.idle).toBe(2);
    for (let i = 0; i < 50 && c.pool.idle > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(c.pool.idle).toBe(0);
    expect(c.pool.destroyed).toBe(2);
    expect(await c.get('a')).toBe(1);
  });

  it('an acquire timeout gives a typed error', async () => {
    const stall = await stallServer();
    const c = new PooledClient(stall.address, { maxPoolSize: 1, acquireTimeout: 50, timeout: 2000 });
    const first = c.get('a').catch(() => {});
    await expect(c.get('b')).rejects.toBeInstanceOf(PoolTimeoutError);
    await c.close();
    await first;
    await stall.close();
  });

  it('the server is killed and restarted mid-run: broken connections are dropped and the pool recovers', async () => {
    const mc = await startMemcached();
    const c = new PooledClient(mc.address, { maxPoolSize: 4, timeout: 1000, connectTimeout: 1000 });
    clients.push(c);
    await Promise.all(Array.from({ length: 200 }, (_, i) => c.set(`k${i}`, i)));
    const run = Promise.allSettled(Array.from({ length: 400 }, (_, i) => c.get(`k${i % 200}`)));
    await mc.restart();
    const results = await run;
    for (const r of results) if (r.status === 'rejected') expect(r.reason.retryable).toBe(true);
    // After the restart every call works again on fresh connections.
    for (let i = 0; i < 20; i++) {
      const ok = await c.set(`after${i}`, i).catch(() => false);
      if (ok) break;
    }
    const after = await Promise.all(Array.from({ length: 50 }, (_, i) => c.set(`x${i}`, i)));
    expect(after.every(Boolean)).toBe(true);
    expect(await c.get('x7')).toBe(7);
    expect(c.pool.destroyed).toBeGreaterThan(0);
    await mc.stop();
  });

  it('after close() no socket and no timer is left: the process exits by itself', () => {
    const script = `
      import { PooledClient } from '@mc/pool';
      const c = new PooledClient(process.argv[1], { maxPoolSize: 4, poolIdleTimeout: 600000 });
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
