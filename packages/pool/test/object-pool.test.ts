import { describe, expect, it } from 'vitest';
import { ObjectPool, PoolClosedError, PoolTimeoutError } from '../src/index.js';

function counterPool(opts: Partial<ConstructorParameters<typeof ObjectPool<{ id: number }>>[0]> = {}) {
  let next = 0;
  const destroyed: number[] = [];
  const pool = new ObjectPool<{ id: number }>({
    create: () => ({ id: next++ }),
    destroy: (o) => {
      destroyed.push(o.id);
    },
    ...opts,
  });
  return { pool, destroyed };
}

describe('ObjectPool', () => {
  it('reuses idle objects and counts', async () => {
    const { pool } = counterPool({ maxSize: 2 });
    const a = await pool.acquire();
    pool.release(a);
    const b = await pool.acquire();
    expect(b).toBe(a);
    expect({ size: pool.size, idle: pool.idle, inUse: pool.inUse, created: pool.created }).toEqual({
      size: 1,
      idle: 0,
      inUse: 1,
      created: 1,
    });
  });

  it('serves waiters first come, first served', async () => {
    const { pool } = counterPool({ maxSize: 1 });
    const a = await pool.acquire();
    const order: string[] = [];
    const w1 = pool.acquire().then((o) => {
      order.push('w1');
      pool.release(o);
    });
    const w2 = pool.acquire().then((o) => {
      order.push('w2');
      pool.release(o);
    });
    expect(pool.waiting).toBe(2);
    pool.release(a);
    await Promise.all([w1, w2]);
    expect(order).toEqual(['w1', 'w2']);
  });

  it('release with destroy never hands the object out again, and a waiter gets a new one', async () => {
    const { pool, destroyed } = counterPool({ maxSize: 1 });
    const a = await pool.acquire();
    const waiting = pool.acquire();
    pool.release(a, { destroy: true });
    const b = await waiting;
    expect(b).not.toBe(a);
    expect(destroyed).toEqual([a.id]);
    expect(pool.destroyed).toBe(1);
  });

  it('validate drops invalid idle objects', async () => {
    const { pool, destroyed } = counterPool({ validate: (o) => o.id !== 0 });
    const a = await pool.acquire();
    pool.release(a);
    const b = await pool.acquire();
    expect(b.id).toBe(1);
    expect(destroyed).toEqual([0]);
  });

  it('an acquire timeout gives a typed PoolTimeoutError', async () => {
    const { pool } = counterPool({ maxSize: 1, acquireTimeout: 30 });
    await pool.acquire();
    const err = await pool.acquire().catch((e) => e);
    expect(err).toBeInstanceOf(PoolTimeoutError);
    expect(err.code).toBe('MC_ERR_POOL_TIMEOUT');
    expect(pool.waiting).toBe(0);
  });

  it('evicts idle objects after idleTimeout', async () => {
    const { pool, destroyed } = counterPool({ idleTimeout: 30 });
    const objs = await Promise.all([pool.acquire(), pool.acquire()]);
    for (const o of objs) pool.release(o);
    expect(pool.idle).toBe(2);
    for (let i = 0; i < 50 && pool.idle > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pool.idle).toBe(0);
    expect(destroyed.sort()).toEqual([0, 1]);
  });

  it('close rejects waiters and destroys every object', async () => {
    const { pool, destroyed } = counterPool({ maxSize: 2 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.release(b);
    const waiting = pool.acquire();
    // b went idle, so the waiter would take... maxSize reached with a busy and b idle: it takes b.
    const got = await waiting;
    expect(got).toBe(b);
    const w2 = pool.acquire();
    await pool.close();
    await expect(w2).rejects.toBeInstanceOf(PoolClosedError);
    expect(destroyed.sort()).toEqual([a.id, b.id]);
    await expect(pool.acquire()).rejects.toBeInstanceOf(PoolClosedError);
    pool.release(a);
    expect(pool.destroyed).toBe(2);
  });
});
