import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { Client } from '../src/index.js';

const clients: Client[] = [];
function client(): Client {
  const c = new Client(inject('memcached'), { keyPrefix: uniquePrefix('meta') });
  clients.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('meta commands against a real memcached', () => {
  it('metaSet / metaGet with typed flags and results', async () => {
    const c = client();
    expect(await c.metaGet('k')).toBeUndefined();
    const set = await c.metaSet('k', { a: 1 }, { ttl: 100, returnCas: true });
    expect(set.stored).toBe(true);
    expect(typeof set.cas).toBe('bigint');
    const r = await c.metaGet<{ a: number }>('k', {
      cas: true,
      ttl: true,
      hitBefore: true,
      lastAccess: true,
      size: true,
    });
    expect(r?.value).toEqual({ a: 1 });
    expect(r?.cas).toBe(set.cas);
    expect(r?.ttl).toBeGreaterThan(90);
    expect(r?.hitBefore).toBe(false);
    expect(typeof r?.lastAccess).toBe('number');
    expect((await c.metaGet('k', { hitBefore: true }))?.hitBefore).toBe(true);
    expect((await c.metaSet('k', 2, { compareCas: set.cas! + 1000n })).code).toBe('EX');
    expect((await c.metaSet('k', 'x', { mode: 'add' })).code).toBe('NS');
    expect((await c.metaDelete('k')).deleted).toBe(true);
    expect((await c.metaDelete('k')).code).toBe('NF');
    await c.metaNoop();
    // Negative times are refused before a byte is sent, as `expire` is.
    await expect(c.metaSet('k', 1, { ttl: -1 })).rejects.toMatchObject({ code: 'MC_ERR_INVALID_ARGUMENT' });
    await expect(c.metaGet('k', { touch: -5 })).rejects.toMatchObject({ code: 'MC_ERR_INVALID_ARGUMENT' });
    await expect(c.metaDelete('k', { invalidate: true, ttl: -1 })).rejects.toMatchObject({
      code: 'MC_ERR_INVALID_ARGUMENT',
    });
    await expect(c.metaArithmetic('k', { ttl: -1 })).rejects.toMatchObject({
      code: 'MC_ERR_INVALID_ARGUMENT',
    });
  });

  it('metaArithmetic with vivify and initial value; NF when missing', async () => {
    const c = client();
    expect(await c.metaArithmetic('n')).toBeUndefined();
    expect((await c.metaArithmetic('n', { vivify: 0, initial: 5n }))?.value).toBe(5n);
    expect((await c.metaArithmetic('n', { delta: 10 }))?.value).toBe(15n);
    expect((await c.metaArithmetic('n', { mode: 'decr', delta: 100 }))?.value).toBe(0n);
  });

  it('keys with every byte 0x00-0xff round-trip through base64', async () => {
    const c = client();
    const keys = Array.from({ length: 16 }, (_, i) => Uint8Array.from({ length: 16 }, (_, j) => i * 16 + j));
    for (const [i, k] of keys.entries()) expect((await c.metaSet(k, `v${i}`)).stored).toBe(true);
    for (const [i, k] of keys.entries()) expect((await c.metaGet(k))?.value).toBe(`v${i}`);
    const many = await c.metaGetMany(keys);
    expect(keys.map((k) => many.get(k)?.value)).toEqual(keys.map((_, i) => `v${i}`));
    // A string key the text protocol refuses goes base64 too.
    await c.metaSet('has space', 1);
    expect((await c.metaGet('has space'))?.value).toBe(1);
  });

  it('a quiet pipeline of 1000 mg with random misses matches every reply to its request', async () => {
    const c = client();
    const keys = Array.from({ length: 1000 }, (_, i) => `q${i}`);
    const present = new Set(keys.filter((_, i) => (i * 7919) % 3 !== 0));
    await c.setMany([...present].map((k) => [k, `value-of-${k}`] as const));
    const got = await c.metaGetMany(keys);
    expect(got.size).toBe(present.size);
    for (const k of keys) expect(got.get(k)?.value).toBe(present.has(k) ? `value-of-${k}` : undefined);
    // The connection is still in sync afterwards.
    expect(await c.get('q1')).toBe('value-of-q1');
  });
});

describe('early recache (R) and touch on read (T)', () => {
  it('R gives exactly one reader the W flag once the ttl drops below it; T resets the ttl', async () => {
    const c = client();
    await c.set('r', 'v', { expire: 10 });
    expect(await c.metaGet('r', { recache: 5 })).not.toHaveProperty('won');
    expect(await c.metaGet('r', { recache: 30 })).toMatchObject({ value: 'v', won: true });
    expect(await c.metaGet('r', { recache: 30 })).toMatchObject({ value: 'v', alreadyWon: true });
    await c.metaGet('r', { touch: 500 });
    expect((await c.metaGet('r', { ttl: true }))?.ttl).toBeGreaterThan(400);
    // getOrLoad with recache: the winner reloads early while the value is still there.
    await c.set('g', 'old', { expire: 10 });
    expect(await c.getOrLoad('g', () => 'fresh', { recache: 30, ttl: 100 })).toBe('fresh');
    expect((await c.metaGet('g', { ttl: true }))?.ttl).toBeGreaterThan(90);
    expect(await c.getOrLoad('g', () => 'again', { touch: 1000 })).toBe('fresh');
    expect((await c.metaGet('g', { ttl: true }))?.ttl).toBeGreaterThan(900);
  });
});

describe('getOrLoad and stale-while-revalidate', () => {
  it('50 concurrent calls on a missing key run the loader exactly once and all get its value', async () => {
    const c = client();
    let loads = 0;
    const loader = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 30));
      return { computed: 42 };
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => c.getOrLoad('hot', loader, { ttl: 60, waitMs: 10 })),
    );
    expect(loads).toBe(1);
    for (const r of results) expect(r).toEqual({ computed: 42 });
    expect(await c.get('hot')).toEqual({ computed: 42 });
  });

  it('after an invalidation readers get the stale value and exactly one recompute happens', async () => {
    const c = client();
    await c.set('doc', 'v1');
    expect(await c.invalidate('doc', 30)).toBe(true);
    let recomputes = 0;
    const loader = async () => {
      recomputes++;
      await new Promise((r) => setTimeout(r, 30));
      return 'v2';
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.getOrLoad('doc', loader, { ttl: 60 })),
    );
    expect(recomputes).toBe(1);
    expect(results.filter((r) => r === 'v1').length).toBe(19);
    expect(results.filter((r) => r === 'v2').length).toBe(1);
    const after = await c.metaGet('doc');
    expect(after?.value).toBe('v2');
    expect(after?.stale).toBeUndefined();
  });

  it('a loader that throws releases the lease: the next caller loads', async () => {
    const c = client();
    await expect(c.getOrLoad('fail', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await c.getOrLoad('fail', () => 'recovered', { ttl: 60 })).toBe('recovered');
    expect(await c.get('fail')).toBe('recovered');
  });

  it('a loader slower than leaseTtl: another caller takes over; the slow value is returned but not stored over the newer one', async () => {
    const c = client();
    const slow = c.getOrLoad(
      'slow',
      async () => {
        await new Promise((r) => setTimeout(r, 2600));
        return 'slow-value';
      },
      { leaseTtl: 1 },
    );
    await new Promise((r) => setTimeout(r, 2200));
    const fast = await c.getOrLoad('slow', () => 'fast-value', { leaseTtl: 1, ttl: 60 });
    expect(fast).toBe('fast-value');
    expect(await slow).toBe('slow-value');
    expect(await c.get('slow')).toBe('fast-value');
  });
});
