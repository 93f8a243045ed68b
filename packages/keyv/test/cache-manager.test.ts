/* @mc/keyv under cache-manager 7 (which takes Keyv instances as its stores), against real memcached. */
import { Client } from '@mc/client';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKeyv, McKeyvStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

const client = new Client(inject('memcached'), { keyPrefix: uniquePrefix('cm') });

afterAll(async () => {
  await client.close();
});

describe('cache-manager 7 over @mc/keyv', () => {
  it('get, set, ttl, mget, mset, del, mdel', async () => {
    const cache = createCache({ stores: [createKeyv(client, { namespace: 'cm1' })], ttl: 60_000 });
    await cache.set('user:1', { name: 'Ada' });
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' });
    const left = await cache.ttl('user:1');
    expect(left).toBeGreaterThan(Date.now());
    expect(left).toBeLessThanOrEqual(Date.now() + 60_000);

    await cache.mset<unknown>([
      { key: 'a', value: 1 },
      { key: 'b', value: 'two', ttl: 5_000 },
    ]);
    expect(await cache.mget(['a', 'missing', 'b'])).toEqual([1, undefined, 'two']);
    expect(await cache.del('a')).toBe(true);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.mdel(['b', 'user:1'])).toBe(true);
    expect(await cache.mget(['b', 'user:1'])).toEqual([undefined, undefined]);
  });

  it('wrap runs the loader once and serves the stored value after', async () => {
    const cache = createCache({ stores: [createKeyv(client, { namespace: 'cm2' })] });
    let calls = 0;
    const load = async () => {
      calls++;
      return { page: 'home' };
    };
    expect(await cache.wrap('page:home', load, 60_000)).toEqual({ page: 'home' });
    expect(await cache.wrap('page:home', load, 60_000)).toEqual({ page: 'home' });
    expect(calls).toBe(1);
  });

  it('clear() empties its namespace only, across caches, without flush_all', async () => {
    const a = createCache({ stores: [createKeyv(client, { namespace: 'cm3' })] });
    const sameNamespace = createCache({ stores: [createKeyv(client, { namespace: 'cm3' })] });
    const other = createCache({ stores: [createKeyv(client, { namespace: 'cm4' })] });
    await a.set('k', 'a');
    await other.set('k', 'other');
    await sameNamespace.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await other.get('k')).toBe('other');
  });

  it('works as the second tier behind an in-memory Keyv', async () => {
    const memory = new Keyv();
    const memcached = new Keyv({ store: new McKeyvStore(client), namespace: 'cm5' });
    const cache = createCache({ stores: [memory, memcached] });
    await cache.set('k', 'both');
    expect(await memcached.get('k')).toBe('both');
    await memory.clear();
    expect(await cache.get('k')).toBe('both'); // served by memcached
  });
});
