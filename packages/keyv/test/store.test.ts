import { Client, type MemcacheClient, UnknownCommandError } from '@mc/client';
import Keyv from 'keyv';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createKeyv, generationKey, HASHED_KEY_LENGTH, McKeyvStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

const server = inject('memcached');
const clients: MemcacheClient[] = [];

/** A client of its own (its own connection, as another process would have) under a shared prefix. */
function client(prefix: string, options: ConstructorParameters<typeof Client>[1] = {}): Client {
  const c = new Client(server, { keyPrefix: prefix, ...options });
  clients.push(c);
  return c;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('clear() and namespaces', () => {
  it('a clear() by another process is seen at once, without flush_all, and only in its namespace', async () => {
    const prefix = uniquePrefix();
    const a = createKeyv(client(prefix), { namespace: 'sessions' });
    const b = createKeyv(client(prefix), { namespace: 'sessions' });
    const other = createKeyv(client(prefix), { namespace: 'pages' });
    const raw = client(prefix);
    await raw.set('outside', 'kept');
    await a.set('s1', { user: 1 });
    await other.set('s1', 'page');
    expect(await b.get('s1')).toEqual({ user: 1 });

    await b.clear();
    expect(await a.get('s1')).toBeUndefined();
    expect(await a.has('s1')).toBe(false);
    expect(await other.get('s1')).toBe('page');
    expect(await raw.get('outside')).toBe('kept');
  });

  it('a write racing a clear() elsewhere lands in the new generation', async () => {
    const prefix = uniquePrefix();
    const a = createKeyv(client(prefix));
    const b = createKeyv(client(prefix));
    expect(await a.get('k')).toBeUndefined(); // a now knows the generation
    await b.clear();
    await a.set('k', 'after clear');
    expect(await b.get('k')).toBe('after clear');
  });

  it('with generationMaxAge, a clear() elsewhere is seen once the cached generation is old', async () => {
    const prefix = uniquePrefix();
    const cached = createKeyv(client(prefix), { store: { generationMaxAge: 60_000 } });
    const b = createKeyv(client(prefix));
    await cached.set('k', 'v');
    await b.clear();
    // Trusted for a minute: the cached store still reads its old generation.
    expect(await cached.get('k')).toBe('v');
    expect(await b.get('k')).toBeUndefined();
    // Its own clear() is seen at once.
    await cached.clear();
    expect(await cached.get('k')).toBeUndefined();
  });

  it('old entries never come back when the generation key is evicted', async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const a = createKeyv(client(prefix));
    await a.set('k', 'v');
    const before = await raw.get<string>(generationKey('keyv', 250 - prefix.length));
    expect(typeof before).toBe('string');
    await raw.delete(generationKey('keyv', 250 - prefix.length)); // as an eviction would
    const fresh = createKeyv(client(prefix));
    expect(await fresh.get('k')).toBeUndefined();
    const after = await raw.get<string>(generationKey('keyv', 250 - prefix.length));
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // The store that knew the old generation sees the new one on its next call.
    expect(await a.get('k')).toBeUndefined();
  });

  it('two stores starting a namespace at once agree on one generation (add, not set)', async () => {
    const prefix = uniquePrefix();
    const stores = Array.from({ length: 5 }, () => createKeyv(client(prefix)));
    await Promise.all(stores.map((s, i) => s.set(`k${i}`, i)));
    for (const s of stores) expect(await s.get(['k0', 'k1', 'k2', 'k3', 'k4'])).toEqual([0, 1, 2, 3, 4]);
  });

  it('an unnamed namespace works too', async () => {
    const prefix = uniquePrefix();
    const keyv = new Keyv({ store: new McKeyvStore(client(prefix)), namespace: undefined });
    await keyv.set('k', 'v');
    expect(await keyv.get('k')).toBe('v');
    await keyv.clear();
    expect(await keyv.get('k')).toBeUndefined();
  });
});

describe('keys memcached refuses', () => {
  const awkward = [
    'with space',
    'line\r\nbreak',
    '\u0000\u0001',
    '100%',
    'caf\u00e9 \u{1f600}',
    'x'.repeat(400),
    'x\ud800',
  ];

  it.each(awkward)('stores, reads, lists and deletes %j', async (key) => {
    const keyv = createKeyv(client(uniquePrefix()));
    expect(await keyv.set(key, { key })).toBe(true);
    expect(await keyv.get(key)).toEqual({ key });
    expect(await keyv.has(key)).toBe(true);
    expect(await keyv.get([key, 'missing'])).toEqual([{ key }, undefined]);
    expect(await keyv.delete(key)).toBe(true);
    expect(await keyv.get(key)).toBeUndefined();
  });

  it('stores escaped keys readably: <namespace>:<generation>:<escaped key>', async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const keyv = createKeyv(raw, { namespace: 'app' });
    await keyv.set('a b', 1);
    const gen = await raw.get<string>('app:%gen');
    expect(await raw.get(`app:${gen}:a%20b`)).toBeTypeOf('string');
  });

  it("counts the client's keyPrefix towards 250 bytes", async () => {
    const prefix = `${uniquePrefix()}${'p'.repeat(180)}`;
    const c = client(prefix);
    const store = new McKeyvStore(c);
    expect(store.maxKeyLength).toBe(250 - prefix.length);
    const keyv = new Keyv({ store });
    await keyv.set('k'.repeat(100), 'long');
    expect(await keyv.get('k'.repeat(100))).toBe('long');
  });

  it('counts the keyPrefix of a client it makes from an address too', async () => {
    const prefix = uniquePrefix();
    const store = new McKeyvStore(server, { clientOptions: { keyPrefix: prefix } });
    expect(store.maxKeyLength).toBe(250 - prefix.length);
    await store.set('k'.repeat(240), 'v');
    expect(await store.get('k'.repeat(240))).toBe('v');
    await store.disconnect();
  });

  it('refuses a negative or NaN generationMaxAge', () => {
    for (const bad of [-1, Number.NaN])
      expect(() => new McKeyvStore(client(uniquePrefix()), { generationMaxAge: bad })).toThrow(
        expect.objectContaining({ code: 'MC_ERR_INVALID_ARGUMENT' }),
      );
  });

  it('refuses a maxKeyLength too small for a hashed key', () => {
    expect(() => new McKeyvStore(client(uniquePrefix()), { maxKeyLength: HASHED_KEY_LENGTH - 1 })).toThrow(
      expect.objectContaining({ code: 'MC_ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('TTLs', () => {
  it('gives memcached whole seconds, rounded up plus one', async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const keyv = createKeyv(raw, { namespace: 'ttl' });
    await keyv.set('short', 'v', 1);
    const gen = await raw.get<string>('ttl:%gen');
    const item = await raw.metaGet(`ttl:${gen}:short`, { ttl: true, value: false });
    // exptime 2: memcached reports 1 or 2 depending on where its clock is in the second.
    expect(item?.ttl).toBeGreaterThanOrEqual(1);
    expect(item?.ttl).toBeLessThanOrEqual(2);
    // memcached still holds it, but Keyv hides it after its exact expiry (1 ms; the round trips above
    // can take less, so wait past it).
    await new Promise((r) => setTimeout(r, 5));
    expect(await keyv.get('short')).toBeUndefined();
  });

  it('sends a Unix time beyond 30 days, which memcached reads back as the same remaining time', async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const keyv = createKeyv(raw, { namespace: 'ttl' });
    const days40 = 40 * 24 * 3600;
    await keyv.set('long', 'v', days40 * 1000);
    const gen = await raw.get<string>('ttl:%gen');
    const item = await raw.metaGet(`ttl:${gen}:long`, { ttl: true, value: false });
    expect(Math.abs((item?.ttl ?? 0) - days40)).toBeLessThanOrEqual(5);
  });

  it('deletes the entry for a negative ttl', async () => {
    const store = new McKeyvStore(client(uniquePrefix()));
    await store.set('k', 'v');
    expect(await store.set('k', 'v2', -1)).toBe(true);
    expect(await store.get('k')).toBeUndefined();
  });

  it('keeps an entry without ttl', async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const keyv = createKeyv(raw, { namespace: 'ttl' });
    await keyv.set('forever', 'v');
    const gen = await raw.get<string>('ttl:%gen');
    expect((await raw.metaGet(`ttl:${gen}:forever`, { ttl: true, value: false }))?.ttl).toBe(-1);
  });
});

describe('multi-key calls', () => {
  it('setMany stores each entry with its own ttl and says which were stored', async () => {
    const store = new McKeyvStore(client(uniquePrefix()));
    await store.set('gone', 'old');
    const results = await store.setMany([
      { key: 'a', value: '1' },
      { key: 'b', value: '2', ttl: 60_000 },
      { key: 'c', value: '3', ttl: 60_000 },
      { key: 'gone', value: 'x', ttl: -1 },
    ]);
    expect(results).toEqual([true, true, true, true]);
    expect(await store.getMany(['a', 'b', 'missing', 'c', 'gone'])).toEqual([
      '1',
      '2',
      undefined,
      '3',
      undefined,
    ]);
  });

  it('Keyv.setMany and getMany go through them', async () => {
    const keyv = createKeyv(client(uniquePrefix()));
    expect(
      await keyv.setMany([
        { key: 'x', value: { n: 1 } },
        { key: 'y', value: [2], ttl: 10_000 },
      ]),
    ).toEqual([true, true]);
    expect(await keyv.getMany(['x', 'nope', 'y'])).toEqual([{ n: 1 }, undefined, [2]]);
    expect(await keyv.getMany([])).toEqual([]);
  });

  it('deleteMany is true only when every key existed', async () => {
    const store = new McKeyvStore(client(uniquePrefix()));
    await store.setMany([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(await store.deleteMany(['a', 'b'])).toBe(true);
    await store.set('a', '1');
    expect(await store.deleteMany(['a', 'b'])).toBe(false);
    expect(await store.getMany(['a', 'b'])).toEqual([undefined, undefined]);
  });

  it('has and hasMany answer without fetching values', async () => {
    const store = new McKeyvStore(client(uniquePrefix()));
    await store.set('here', 'v');
    expect(await store.has('here')).toBe(true);
    expect(await store.hasMany(['here', 'not'])).toEqual([true, false]);
  });

  it('has falls back to get where meta commands are refused (a proxy, an old server)', async () => {
    const c = client(uniquePrefix());
    let metaCalls = 0;
    const noMeta = new Proxy(c, {
      get(target, prop, receiver) {
        if (prop === 'metaGet')
          return async () => {
            metaCalls++;
            throw new UnknownCommandError('ERROR');
          };
        return Reflect.get(target, prop, receiver);
      },
    });
    const store = new McKeyvStore(noMeta);
    await store.set('k', 'v');
    expect(await store.has('k')).toBe(true);
    expect(await store.has('nope')).toBe(false);
    expect(metaCalls).toBe(1);
  });
});

describe('values', () => {
  it("stores Keyv's serialized string as a UTF-8 text value", async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const keyv = createKeyv(raw, { namespace: 'v' });
    await keyv.set('k', { a: 1 });
    const gen = await raw.get<string>('v:%gen');
    expect(JSON.parse((await raw.get<string>(`v:${gen}:k`))!)).toEqual({ value: { a: 1 } });
  });

  it('reads values another client wrote without flags (as memjs does) as strings', async () => {
    const prefix = uniquePrefix();
    const raw = client(prefix);
    const keyv = createKeyv(raw, { namespace: 'v' });
    await keyv.set('warm', 'up'); // creates the generation
    const gen = await raw.get<string>('v:%gen');
    await raw.set(`v:${gen}:k`, Buffer.from(JSON.stringify({ value: 'from memjs' })));
    expect(await keyv.get('k')).toBe('from memjs');
  });

  it("lets the client's serde store Keyv's record when Keyv's serializer is off", async () => {
    const keyv = createKeyv(client(uniquePrefix()), { serialize: undefined, deserialize: undefined });
    await keyv.set('k', { nested: [1, 'two'] }, 60_000);
    expect(await keyv.get('k')).toEqual({ nested: [1, 'two'] });
    const raw = await keyv.getRaw('k');
    expect(raw?.expires).toBeTypeOf('number');
  });

  it('a setMany with a value memcached refuses fails as a whole: Keyv says false for each', async () => {
    const keyv = createKeyv(client(uniquePrefix()));
    const errors: unknown[] = [];
    keyv.on('error', (e: unknown) => errors.push(e));
    const results = await keyv.setMany([
      { key: 'ok', value: 'v' },
      { key: 'big', value: 'x'.repeat(17 * 1024 * 1024) },
    ]);
    expect(results).toEqual([false, false]);
    expect(errors[0]).toMatchObject({ code: 'MC_ERR_SERVER' });
  });

  it('a failing call reaches Keyv as an error, and set resolves false', async () => {
    const keyv = createKeyv(client(uniquePrefix()));
    const errors: unknown[] = [];
    keyv.on('error', (e: unknown) => errors.push(e));
    expect(await keyv.set('big', 'x'.repeat(17 * 1024 * 1024))).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'MC_ERR_SERVER' });
  });
});

describe('disconnect()', () => {
  it('quits a client the store made from an address', async () => {
    const store = new McKeyvStore(server, { clientOptions: { keyPrefix: uniquePrefix() } });
    const quit = vi.spyOn(store.client, 'quit');
    await store.set('k', 'v');
    await new Keyv({ store }).disconnect();
    expect(quit).toHaveBeenCalledOnce();
  });

  it('leaves a client it was given open', async () => {
    const c = client(uniquePrefix());
    const quit = vi.spyOn(c, 'quit');
    const keyv = createKeyv(c);
    await keyv.set('k', 'v');
    await keyv.disconnect();
    expect(quit).not.toHaveBeenCalled();
    expect(await keyv.get('k')).toBe('v');
  });
});
