import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { COMMAND_LIST, type CommandName, type MemcacheClient } from '@mc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What a contract run needs from the client under test. */
export interface ContractSubject {
  client: MemcacheClient;
  /** Moves the client's clock (mocks). Without it, expiry is tested by waiting ~2 s. */
  advanceTime?: (seconds: number) => void | Promise<void>;
  cleanup?: () => Promise<void>;
}

/** What the run may do. */
export interface ContractOptions {
  /**
   * Whether the run owns its servers: flushAll, verbosity and cacheMemlimit are then called for real
   * (never against a shared server). Default false.
   */
  canFlush?: boolean;
  /**
   * The client runs with ignoreExc (HashClient's, pymemcache's): server errors and serde errors are
   * then expected as the command's miss value instead of a rejection. Bad keys still reject.
   */
  ignoreExc?: boolean;
}

/**
 * Which contract test checks each command of the command table. The suite fails when the table has a
 * row this map does not name, so a new command is checked on every client from the day it is added.
 */
export const CONTRACT_COVERAGE: Readonly<Record<CommandName, string>> = {
  set: 'round-trips',
  add: 'add/replace',
  replace: 'add/replace',
  append: 'append/prepend',
  prepend: 'append/prepend',
  cas: 'gets/cas',
  setMany: 'multi-key',
  get: 'round-trips',
  gets: 'gets/cas',
  gat: 'touch/gat',
  gats: 'touch/gat',
  getMany: 'multi-key',
  getsMany: 'multi-key',
  delete: 'delete',
  deleteMany: 'delete',
  incr: 'incr/decr',
  decr: 'incr/decr',
  touch: 'touch/gat',
  metaGet: 'meta',
  metaGetMany: 'meta',
  metaSet: 'meta',
  metaDelete: 'invalidate',
  metaArithmetic: 'meta',
  invalidate: 'invalidate',
  metaNoop: 'meta',
  getOrLoad: 'getOrLoad',
  flushAll: 'flushAll (owned servers)',
  verbosity: 'server-level',
  cacheMemlimit: 'server-level (owned servers)',
  shutdown: 'server-level (exists; refused or owned)',
  stats: 'server-level',
  version: 'server-level',
  raw: 'server-level',
  quit: 'lifecycle',
  close: 'lifecycle',
};

/** Answers of a client of one server, or the per-server Map of a client of many: each answer. */
function answers<T>(r: T | Map<string, T>): T[] {
  return r instanceof Map ? [...r.values()] : [r];
}

/**
 * The MemcacheClient contract: every method with the expectations of a real memcached 1.6, written
 * once and run against every client in mc (and yours). `factory(prefix)` gets a unique key prefix to
 * use as keyPrefix, so runs against a shared server never see each other's keys.
 */
export function describeMemcacheClientContract(
  name: string,
  factory: (prefix: string) => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  describe(`MemcacheClient contract: ${name}`, () => {
    let s: ContractSubject;
    let c: MemcacheClient;
    beforeAll(async () => {
      s = await factory(`contract:${randomBytes(5).toString('hex')}:`);
      c = s.client;
    });
    afterAll(async () => {
      await s?.client.close();
      await s?.cleanup?.();
    });
    const wait = async (seconds: number) => {
      if (s.advanceTime) await s.advanceTime(seconds);
      else await sleep(seconds * 1000);
    };

    it('has every command of the command table, and each one is covered by a contract test', () => {
      for (const spec of COMMAND_LIST) {
        expect(typeof (c as unknown as Record<string, unknown>)[spec.name], spec.name).toBe('function');
        expect(CONTRACT_COVERAGE[spec.name], `no contract test names ${spec.name}`).toBeTypeOf('string');
      }
      expect(typeof c[Symbol.asyncDispose]).toBe('function');
    });

    it('server-level: stats, version, raw and verbosity answer per server as memcached does', async () => {
      const stats = answers(await c.stats());
      expect(stats.length).toBeGreaterThan(0);
      for (const st of stats) {
        expect(typeof st.pid).toBe('number');
        expect(typeof st.version).toBe('string');
        expect(typeof st.curr_items === 'number' || typeof st.curr_items === 'bigint').toBe(true);
        expect(typeof st.limit_maxbytes === 'number' || typeof st.limit_maxbytes === 'bigint').toBe(true);
      }
      for (const st of answers(await c.stats('settings'))) expect(st.maxbytes).toBeDefined();
      for (const v of answers(await c.version())) expect(v).toMatch(/^\d+\.\d+\.\d+/);
      for (const r of answers(await c.raw('version'))) expect(Buffer.from(r).toString()).toMatch(/^VERSION /);
      expect(await c.verbosity(0)).toBe(true);
      expect(typeof c.shutdown).toBe('function');
    });

    if (options.canFlush)
      it('server-level (owned servers): cacheMemlimit changes limit_maxbytes', async () => {
        expect(await c.cacheMemlimit(100)).toBe(true);
        for (const st of answers(await c.stats())) expect(Number(st.limit_maxbytes)).toBe(100 * 1024 * 1024);
      });

    it('get misses are undefined; set then get round-trips values of every default-serde kind', async () => {
      expect(await c.get('nothing')).toBeUndefined();
      const values: Record<string, unknown> = {
        str: 'héllo wörld',
        int: -42,
        big: 2n ** 64n + 1n,
        obj: { a: [1, null, 'x'] },
      };
      for (const [k, v] of Object.entries(values)) expect(await c.set(k, v)).toBe(true);
      for (const [k, v] of Object.entries(values)) expect(await c.get(k)).toEqual(v);
      await c.set('bytes', Buffer.from([0, 13, 10, 255]));
      expect(Buffer.from((await c.get('bytes')) as Uint8Array)).toEqual(Buffer.from([0, 13, 10, 255]));
    });

    it('add only when missing, replace only when present', async () => {
      expect(await c.replace('ar', 1)).toBe(false);
      expect(await c.add('ar', 1)).toBe(true);
      expect(await c.add('ar', 2)).toBe(false);
      expect(await c.replace('ar', 3)).toBe(true);
      expect(await c.get('ar')).toBe(3);
    });

    it('append and prepend need an existing item', async () => {
      expect(await c.append('ap', 'x')).toBe(false);
      expect(await c.prepend('ap', 'x')).toBe(false);
      expect(await c.get('ap')).toBeUndefined();
      await c.set('ap', 'mid');
      expect(await c.append('ap', '>')).toBe(true);
      expect(await c.prepend('ap', '<')).toBe(true);
      expect(await c.get('ap')).toBe('<mid>');
    });

    it('gets and cas: stored, token mismatch, missing key', async () => {
      expect(await c.gets('cas')).toBeUndefined();
      expect(await c.cas('cas', 1, 12345n)).toBeUndefined();
      await c.set('cas', 'v1');
      const a = await c.gets<string>('cas');
      expect(a?.value).toBe('v1');
      expect(await c.cas('cas', 'v2', a!.cas)).toBe(true);
      expect(await c.cas('cas', 'v3', a!.cas)).toBe(false);
      const b = await c.gets<string>('cas');
      expect(b?.value).toBe('v2');
      expect(b?.cas).not.toBe(a?.cas);
    });

    it('getMany and getsMany return hits only; setMany returns the keys not stored', async () => {
      expect(await c.setMany({ m1: 1, m2: 2, m3: 3 })).toEqual([]);
      const got = await c.getMany(['m1', 'm2', 'm3', 'm4', 'm1']);
      expect(new Map([...got].sort())).toEqual(
        new Map([
          ['m1', 1],
          ['m2', 2],
          ['m3', 3],
        ]),
      );
      const withCas = await c.getsMany(['m2', 'zz']);
      expect([...withCas.keys()]).toEqual(['m2']);
      expect(typeof withCas.get('m2')?.cas).toBe('bigint');
      expect((await c.getMany([])).size).toBe(0);
    });

    it('delete and deleteMany', async () => {
      await c.setMany([
        ['d1', 1],
        ['d2', 2],
        ['d3', 3],
      ]);
      expect(await c.delete('d1')).toBe(true);
      expect(await c.delete('d1')).toBe(false);
      expect(await c.deleteMany(['d2', 'd3', 'd4'])).toBe(true);
      expect((await c.getMany(['d1', 'd2', 'd3'])).size).toBe(0);
    });

    it('incr and decr: bigint results, missing keys, wrap at 2^64, stop at 0', async () => {
      expect(await c.incr('n', 1)).toBeUndefined();
      expect(await c.decr('n', 1)).toBeUndefined();
      await c.set('n', 10);
      expect(await c.incr('n', 5)).toBe(15n);
      expect(await c.decr('n', 6)).toBe(9n);
      expect(await c.get('n')).toBe(9);
      expect(await c.decr('n', 100)).toBe(0n);
      await c.set('n', 18446744073709551615n);
      expect(await c.incr('n', 2)).toBe(1n);
      await c.set('n', 9007199254740992n);
      expect(await c.incr('n', 1n)).toBe(9007199254740993n);
      expect(await c.get('n')).toBe(9007199254740993n);
    });

    it('incr on a non-numeric value is a CLIENT_ERROR', async () => {
      await c.set('text', 'abc');
      if (options.ignoreExc) expect(await c.incr('text', 1)).toBeUndefined();
      else await expect(c.incr('text', 1)).rejects.toMatchObject({ code: 'MC_ERR_CLIENT_REPLY' });
    });

    it('touch, gat and gats', async () => {
      expect(await c.touch('t', 100)).toBe(false);
      expect(await c.gat('t', 100)).toBeUndefined();
      await c.set('t', 'v', { expire: 100 });
      expect(await c.touch('t', 200)).toBe(true);
      expect(await c.gat('t', 300)).toBe('v');
      expect((await c.gats('t', 300))?.value).toBe('v');
    });

    it('expiry: relative seconds, absolute Unix times, and gat extending it', async () => {
      const now = Math.floor(Date.now() / 1000);
      // 2 s, not 1: memcached's clock ticks once a second, so an item set to expire in 1 s can
      // expire at the next tick, which a loaded machine may reach before the gat below.
      await c.set('e-rel', 'v', { expire: 2 });
      await c.set('e-keep', 'v', { expire: 2 });
      await c.set('e-never', 'v');
      await c.set('e-past', 'v', { expire: now - 100 });
      expect(await c.get('e-past')).toBeUndefined();
      expect(await c.gat('e-keep', 100)).toBe('v');
      await wait(3.2);
      expect(await c.get('e-rel')).toBeUndefined();
      expect(await c.get('e-keep')).toBe('v');
      expect(await c.get('e-never')).toBe('v');
    });

    it('noreply resolves without waiting and the next reply is still the right one', async () => {
      expect(await c.set('nr', 'a', { noreply: true })).toBe(true);
      expect(await c.delete('nr-missing', { noreply: true })).toBe(true);
      expect(await c.get('nr')).toBe('a');
    });

    it('meta: metaSet/metaGet with typed results, metaGetMany with misses, metaArithmetic, metaNoop', async () => {
      expect(await c.metaGet('mg-none')).toBeUndefined();
      const set = await c.metaSet('mg', { v: 1 }, { ttl: 100, returnCas: true });
      expect(set).toMatchObject({ stored: true, code: 'HD' });
      const got = await c.metaGet<{ v: number }>('mg', { cas: true, ttl: true });
      expect(got?.value).toEqual({ v: 1 });
      expect(got?.cas).toBe(set.cas);
      expect(got?.ttl).toBeGreaterThan(90);
      expect((await c.metaSet('mg', 2, { compareCas: set.cas! + 1000n })).code).toBe('EX');
      expect((await c.metaSet('mg', 2, { mode: 'add' })).code).toBe('NS');
      await c.metaSet('mg2', 'two');
      const many = await c.metaGetMany(['mg', 'mg-none', 'mg2']);
      expect([...many.keys()].sort()).toEqual(['mg', 'mg2']);
      expect(many.get('mg2')?.value).toBe('two');
      expect(await c.metaArithmetic('ma')).toBeUndefined();
      expect((await c.metaArithmetic('ma', { vivify: 0, initial: 5n }))?.value).toBe(5n);
      expect((await c.metaArithmetic('ma', { delta: 3 }))?.value).toBe(8n);
      expect((await c.metaArithmetic('ma', { mode: 'decr', delta: 100 }))?.value).toBe(0n);
      expect((await c.metaDelete('mg')).deleted).toBe(true);
      expect((await c.metaDelete('mg')).code).toBe('NF');
      await c.metaNoop();
    });

    it('meta: binary keys round-trip', async () => {
      const key = Uint8Array.from([0, 10, 13, 32, 255]);
      expect((await c.metaSet(key, 'bin')).stored).toBe(true);
      expect((await c.metaGet(key))?.value).toBe('bin');
    });

    it('getOrLoad: 20 concurrent callers on a missing key run the loader once', async () => {
      let loads = 0;
      const loader = async () => {
        loads++;
        await sleep(20);
        return 'loaded';
      };
      const all = await Promise.all(
        Array.from({ length: 20 }, () => c.getOrLoad('gol', loader, { ttl: 60, waitMs: 10 })),
      );
      expect(loads).toBe(1);
      expect(all.every((v) => v === 'loaded')).toBe(true);
      expect(await c.get('gol')).toBe('loaded');
    });

    it('invalidate: readers get the stale value and exactly one recomputes', async () => {
      await c.set('swr', 'old');
      expect(await c.invalidate('swr', 30)).toBe(true);
      const first = await c.metaGet('swr');
      expect(first).toMatchObject({ value: 'old', stale: true, won: true });
      expect(await c.metaGet('swr')).toMatchObject({ value: 'old', stale: true, alreadyWon: true });
      await c.invalidate('swr', 30);
      let recomputes = 0;
      const recompute = () => {
        recomputes++;
        return 'new';
      };
      const got = await Promise.all(
        Array.from({ length: 5 }, () => c.getOrLoad('swr', recompute, { ttl: 60 })),
      );
      expect(recomputes).toBe(1);
      // Readers served before the recompute landed got the stale value; later ones the new value.
      expect(got.filter((v) => v === 'old').length).toBeGreaterThanOrEqual(1);
      expect(got.every((v) => v === 'old' || v === 'new')).toBe(true);
      expect(await c.get('swr')).toBe('new');
    });

    it('getOrLoad: a loader that throws releases the lease', async () => {
      await expect(c.getOrLoad('gol-fail', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await c.getOrLoad('gol-fail', () => 'ok', { ttl: 60 })).toBe('ok');
    });

    it('bad keys and arguments are typed errors', async () => {
      for (const key of ['', 'a b', 'a\r\nb', 'x'.repeat(251)]) {
        await expect(c.get(key)).rejects.toMatchObject({ code: 'MC_ERR_INVALID_KEY' });
        await expect(c.set(key, 1)).rejects.toMatchObject({ code: 'MC_ERR_INVALID_KEY' });
      }
      await expect(c.set('k', 1, { expire: -1 })).rejects.toMatchObject({ code: 'MC_ERR_INVALID_ARGUMENT' });
      await expect(c.incr('k', -1)).rejects.toMatchObject({ code: 'MC_ERR_INVALID_ARGUMENT' });
      if (options.ignoreExc) expect(await c.set('k', undefined)).toBe(false);
      else await expect(c.set('k', undefined)).rejects.toMatchObject({ code: 'MC_ERR_SERDE' });
    });

    it('a value over the item size limit is a SERVER_ERROR and nothing is stored', async () => {
      if (options.ignoreExc) expect(await c.set('huge', Buffer.alloc(17 * 1024 * 1024))).toBe(false);
      else
        await expect(c.set('huge', Buffer.alloc(17 * 1024 * 1024))).rejects.toMatchObject({
          code: 'MC_ERR_SERVER',
        });
      expect(await c.get('huge')).toBeUndefined();
    });

    it('lifecycle: quit() leaves the client usable (the next call reconnects)', async () => {
      await c.set('life', 'before');
      await c.quit();
      expect(await c.get('life')).toBe('before');
    });

    // Only where the caller owns the server: flush_all would empty a shared one for everybody.
    if (options.canFlush)
      it('flushAll empties the cache', async () => {
        await c.set('f', 1);
        expect(await c.flushAll()).toBe(true);
        expect(await c.get('f')).toBeUndefined();
      });
  });
}
