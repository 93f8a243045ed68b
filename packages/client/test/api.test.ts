import { defaultSerde, withAppFlags } from '@mc/serde';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { Client, InvalidArgumentError, SerdeError } from '../src/index.js';

const server = inject('memcached');
const clients: Client[] = [];
function client(options = {}): Client {
  const c = new Client(server, { keyPrefix: uniquePrefix('api'), ...options });
  clients.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('Client against a real memcached: every method', () => {
  it('set / get / delete, with misses', async () => {
    const c = client();
    expect(await c.get('k')).toBeUndefined();
    expect(await c.set('k', 'v')).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(await c.delete('k')).toBe(true);
    expect(await c.delete('k')).toBe(false);
    expect(await c.get('k')).toBeUndefined();
  });

  it('round-trips strings, bytes, integers, bigints and JSON through the default serde', async () => {
    const c = client();
    const big = 2n ** 64n + 5n;
    await c.setMany({ s: 'héllo', b: Buffer.from([0, 13, 10, 255]), i: 42, n: big, j: { a: [1, 'x'] } });
    const got = await c.getMany(['s', 'b', 'i', 'n', 'j', 'missing']);
    expect(got.get('s')).toBe('héllo');
    expect(Buffer.from(got.get('b') as Buffer)).toEqual(Buffer.from([0, 13, 10, 255]));
    expect(got.get('i')).toBe(42);
    expect(got.get('n')).toBe(big);
    expect(got.get('j')).toEqual({ a: [1, 'x'] });
    expect(got.has('missing')).toBe(false);
    expect(got.size).toBe(5);
  });

  it('getMany reads the keys once, when called: the caller may change its array meanwhile; any iterable', async () => {
    for (const keyPrefix of [uniquePrefix('api'), '']) {
      const c = client({ keyPrefix });
      const a = `${uniquePrefix('gm')}a`;
      const b = `${uniquePrefix('gm')}b`;
      await c.setMany({ [a]: 'A', [b]: 'B' });
      const keys = [a, b];
      const pending = c.getMany(keys);
      keys[0] = b;
      keys.push('other');
      expect([...(await pending)]).toEqual([
        [a, 'A'],
        [b, 'B'],
      ]);
      expect([...(await c.getMany(new Set([b, a])))]).toEqual([
        [b, 'B'],
        [a, 'A'],
      ]);
      function* gen() {
        yield a;
        yield `${a}-missing`;
      }
      expect([...(await c.getMany(gen()))]).toEqual([[a, 'A']]);
    }
  });

  it('add, replace, append, prepend', async () => {
    const c = client();
    expect(await c.replace('k', 'x')).toBe(false);
    expect(await c.append('k', 'x')).toBe(false);
    expect(await c.prepend('k', 'x')).toBe(false);
    expect(await c.add('k', 'mid')).toBe(true);
    expect(await c.add('k', 'again')).toBe(false);
    expect(await c.append('k', '-end')).toBe(true);
    expect(await c.prepend('k', 'start-')).toBe(true);
    expect(await c.get('k')).toBe('start-mid-end');
    expect(await c.replace('k', 'new')).toBe(true);
    expect(await c.get('k')).toBe('new');
  });

  it('gets / cas: stored, conflict (false), missing (undefined)', async () => {
    const c = client();
    expect(await c.gets('k')).toBeUndefined();
    expect(await c.cas('k', 'x', 1n)).toBeUndefined();
    await c.set('k', 'v1');
    const first = await c.gets<string>('k');
    expect(first?.value).toBe('v1');
    expect(typeof first?.cas).toBe('bigint');
    expect(await c.cas('k', 'v2', first!.cas)).toBe(true);
    expect(await c.cas('k', 'v3', first!.cas)).toBe(false);
    expect(await c.get('k')).toBe('v2');
    const many = await c.getsMany(['k', 'nope']);
    expect([...many.keys()]).toEqual(['k']);
    expect(many.get('k')!.cas).not.toBe(first!.cas);
  });

  it('incr / decr with bigint results, missing keys and 64-bit wrap', async () => {
    const c = client();
    expect(await c.incr('n', 1)).toBeUndefined();
    await c.set('n', 10);
    expect(await c.incr('n', 5)).toBe(15n);
    expect(await c.decr('n', 100)).toBe(0n);
    await c.set('n', '18446744073709551615');
    expect(await c.incr('n', 2n)).toBe(1n);
    await c.set('n', 9007199254740993n);
    expect(await c.incr('n', 1)).toBe(9007199254740994n);
    expect(await c.get('n')).toBe(9007199254740994n);
    await expect(c.incr('n', -1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('touch, gat and gats; expiry', async () => {
    const c = client();
    expect(await c.touch('k', 10)).toBe(false);
    await c.set('k', 'v', { expire: 1 });
    expect(await c.touch('k', 100)).toBe(true);
    expect(await c.gat('k', 100)).toBe('v');
    expect((await c.gats('k', 100))?.value).toBe('v');
    expect(await c.gat('missing', 1)).toBeUndefined();
    // An absolute Unix time in the past expires the item at once.
    await c.set('old', 'v', { expire: Math.floor(Date.now() / 1000) - 10 });
    expect(await c.get('old')).toBeUndefined();
    await expect(c.set('k', 'v', { expire: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.set('k', 'v', { expire: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('deleteMany and setMany failures', async () => {
    const c = client();
    await c.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    expect(await c.deleteMany(['a', 'b', 'c'])).toBe(true);
    expect((await c.getMany(['a', 'b'])).size).toBe(0);
  });

  it('stats are typed, version stays a string', async () => {
    const c = client();
    const s = await c.stats();
    expect(typeof s.pid).toBe('number');
    expect(typeof s.version).toBe('string');
    expect(typeof s.rusage_user).toBe('number');
    const settings = await c.stats('settings');
    expect(typeof settings.cas_enabled).toBe('boolean');
    expect(settings.item_size_max).toBe(16 * 1024 * 1024);
    expect(await c.version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('verbosity, cache_memlimit and the raw escape hatch', async () => {
    const c = client();
    expect(await c.verbosity(0)).toBe(true);
    const raw = await c.raw('stats detail dump', { endToken: 'END\r\n' });
    expect(raw.toString()).toMatch(/END\r\n$/);
    expect((await c.raw('version')).toString()).toMatch(/^VERSION /);
  });

  it('keyPrefix is applied and stripped; explicit flags replace those of the serde (pymemcache) and read back with withAppFlags', async () => {
    const prefix = uniquePrefix('pfx');
    const c = client({ keyPrefix: prefix });
    const bare = client({ keyPrefix: '' });
    await c.set('k', 'v');
    const got = await c.getMany(['k']);
    expect([...got.entries()]).toEqual([['k', 'v']]);
    expect(await bare.get(`${prefix}k`)).toBe('v');
    await c.set('f', 'v', { flags: 1 << 20 });
    // The stored flags are exactly the caller's (not ORed with TEXT's 0x10), as pymemcache stores them.
    const raw = await bare.raw(`mg ${prefix}f f`);
    expect(raw.toString()).toBe('HD f1048576\r\n');
    // The default serde refuses bits it does not know (a value it cannot interpret is never garbage)...
    await expect(c.get('f')).rejects.toBeInstanceOf(SerdeError);
    await expect(c.get('f')).rejects.toThrow(/0x100000/);
    // ...and a serde told about the application's bits gives the bytes back, as pymemcache does.
    const app = client({ keyPrefix: prefix, serde: withAppFlags(defaultSerde, { mask: 1 << 20 }) });
    expect(await app.get('f')).toEqual(Buffer.from('v'));
    expect(await app.get('k')).toBe('v');
    await app.set('g', Buffer.from([1, 2]), { flags: 1 << 20 });
    expect(await app.get('g')).toEqual(Buffer.from([1, 2]));
  });

  it('values of 1 MiB and 16 MiB', async () => {
    const c = client({ timeout: 20_000 });
    const one = Buffer.alloc(1024 * 1024, 0x61);
    one[12345] = 0x0d;
    await c.set('one', one);
    expect(Buffer.compare((await c.get<Buffer>('one'))!, one)).toBe(0);
    const big = Buffer.alloc(16 * 1024 * 1024 - 1024, 7);
    big[big.length - 1] = 9;
    expect(await c.set('big', big)).toBe(true);
    const back = await c.get<Buffer>('big');
    expect(back!.length).toBe(big.length);
    expect(back![big.length - 1]).toBe(9);
  });

  it('large values read in place, many in flight, each byte right (slab reads and direct reads)', async () => {
    const c = client({ timeout: 20_000 });
    // Sizes around the in-place threshold (16 KiB) and the slab (64 KiB), each with its own pattern.
    const sizes = [15_000, 16_400, 40_000, 65_530, 70_000, 100 * 1024, 300_000, 1_000_003];
    const values = sizes.map((n, k) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = (i * (k + 3) + k) & 0xff;
      return b;
    });
    await Promise.all(values.map((v, k) => c.set(`big${k}`, v)));
    for (let round = 0; round < 3; round++) {
      const got = await Promise.all(
        Array.from({ length: 40 }, (_, i) => c.get<Buffer>(`big${(i + round) % sizes.length}`)),
      );
      got.forEach((v, i) => {
        expect(Buffer.compare(v!, values[(i + round) % sizes.length]!)).toBe(0);
      });
      const many = await c.getMany<Buffer>(sizes.map((_, k) => `big${k}`));
      sizes.forEach((_, k) => {
        expect(Buffer.compare(many.get(`big${k}`)!, values[k]!)).toBe(0);
      });
    }
  });

  it('10 000 concurrent requests on one socket, every value correct', async () => {
    const c = client({ timeout: 20_000 });
    const n = 10_000;
    await Promise.all(Array.from({ length: n }, (_, i) => c.set(`k${i}`, `v${i}`)));
    const values = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`k${i % 2 ? i : n - 1 - i}`)));
    values.forEach((v, i) => {
      expect(v).toBe(`v${i % 2 ? i : n - 1 - i}`);
    });
  });

  it('batched gets: duplicates, misses and other commands keep their order', async () => {
    const c = client();
    await c.set('a', 'A');
    const [a1, miss, a2, , a3] = await Promise.all([
      c.get('a'),
      c.get('zz'),
      c.get('a'),
      c.set('a', 'B'),
      c.get('a'),
    ]);
    expect([a1, miss, a2, a3]).toEqual(['A', undefined, 'A', 'B']);
  });

  it('noreply resolves at once and the stream stays in sync', async () => {
    const c = client({ defaultNoreply: true });
    expect(await c.set('k', 'v')).toBe(true);
    expect(await c.incr('k', 1, { noreply: true })).toBeUndefined();
    expect(await c.get('k')).toBe('v');
    expect(await c.delete('k', { noreply: false })).toBe(true);
  });

  it('defaultNoreply does not apply to cas, incr and decr (pymemcache), an explicit noreply does', async () => {
    const c = client({ defaultNoreply: true });
    expect(await c.set('n', 10)).toBe(true);
    expect(await c.incr('n', 5)).toBe(15n);
    expect(await c.decr('n', 1)).toBe(14n);
    const g = await c.gets('n');
    expect(await c.cas('n', 1, g!.cas + 1000n)).toBe(false); // a stale token is reported, not hidden
    expect(await c.cas('n', 2, g!.cas)).toBe(true);
    expect(await c.cas('missing', 2, g!.cas)).toBeUndefined();
    expect(await c.incr('n', 1, { noreply: true })).toBeUndefined();
    expect(await c.get('n')).toBe(3);
  });
});

describe('text values are encoded once, into the output buffer', () => {
  it('strings, JSON and integers round-trip, with and without noreply, with explicit flags too', async () => {
    const c = client({ allowUnicodeKeys: true });
    const big = 'ü'.repeat(9000); // 18,000 bytes of UTF-8: past the in-place limit, its own Buffer
    expect(await c.set('s', 'héllo ✓')).toBe(true);
    expect(await c.set('j', { a: 'é' })).toBe(true);
    expect(await c.set('big', big)).toBe(true);
    await c.set('nr1', 'noreply ✓', { noreply: true });
    await c.set('nr2', 7, { noreply: true });
    await c.set('fl', 'flagged', { flags: 16 | (1 << 20) });
    expect(await c.getMany(['s', 'j', 'big', 'nr1', 'nr2'])).toEqual(
      new Map<string, unknown>([
        ['s', 'héllo ✓'],
        ['j', { a: 'é' }],
        ['big', big],
        ['nr1', 'noreply ✓'],
        ['nr2', 7],
      ]),
    );
    const reader = client({
      keyPrefix: c.options.keyPrefix,
      serde: withAppFlags(defaultSerde, { mask: 1 << 20 }),
    });
    expect(Buffer.from((await reader.get<Buffer>('fl'))!).toString()).toBe('flagged');
  });
});
