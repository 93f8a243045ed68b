import { Client, ConnectionClosedError, isMemcacheError, type MemcacheError } from '@mc/client';
import { type MemcachedProcess, startMemcached } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import { HashClient, KetamaHash, RendezvousHash } from '../src/index.js';

let servers: MemcachedProcess[] = [];
beforeAll(async () => {
  servers = await Promise.all([startMemcached(), startMemcached(), startMemcached()]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const addrs = () => servers.map((s) => s.address);

describe('HashClient over three real memcached processes', () => {
  it('each key goes to the server its hasher picks', async () => {
    const prefix = uniquePrefix('hash');
    const hc = new HashClient(addrs(), { keyPrefix: prefix });
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    await hc.setMany(Object.fromEntries(keys.map((k) => [k, k])));
    const ring = new RendezvousHash(addrs());
    for (const s of servers) {
      const direct = new Client(s.address, { keyPrefix: prefix });
      const here = await direct.getMany(keys);
      for (const k of keys) expect(here.has(k)).toBe(ring.getNode(k) === s.address);
      await direct.close();
    }
    await hc.close();
  });

  it('every operation, with multi-key calls split and merged', async () => {
    const hc = new HashClient(addrs(), {
      keyPrefix: uniquePrefix('hash'),
      hasher: KetamaHash.libmemcachedWeighted([]),
    });
    expect(await hc.set('a', 1)).toBe(true);
    expect(await hc.get('a')).toBe(1);
    expect(await hc.add('a', 2)).toBe(false);
    expect(await hc.replace('a', 3)).toBe(true);
    expect(await hc.append('s', 'x')).toBe(false);
    await hc.set('s', 'mid');
    expect(await hc.append('s', '>')).toBe(true);
    expect(await hc.prepend('s', '<')).toBe(true);
    expect(await hc.get('s')).toBe('<mid>');
    const g = await hc.gets('a');
    expect(await hc.cas('a', 4, g!.cas)).toBe(true);
    expect(await hc.cas('a', 5, g!.cas)).toBe(false);
    expect(await hc.incr('a', 10)).toBe(14n);
    expect(await hc.decr('a', 20)).toBe(0n);
    expect(await hc.touch('a', 100)).toBe(true);
    expect(await hc.gat('a', 100)).toBe(0);
    expect((await hc.gats('a', 100))?.value).toBe(0);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, i]));
    expect(await hc.setMany(many)).toEqual([]);
    const got = await hc.getMany([...Object.keys(many), 'nope']);
    expect(got.size).toBe(50);
    expect(got.get('m42')).toBe(42);
    expect((await hc.getsMany(['m1', 'm2'])).get('m2')?.value).toBe(2);
    expect(await hc.deleteMany(Object.keys(many))).toBe(true);
    expect((await hc.getMany(Object.keys(many))).size).toBe(0);
    expect(await hc.delete('a')).toBe(true);
    const stats = await hc.stats();
    expect([...stats.keys()].sort()).toEqual(
      addrs()
        .map((a) => a)
        .sort(),
    );
    expect((await hc.version()).size).toBe(3);
    await hc.close();
  });

  it('routes meta calls like the rest, getOrLoad included', async () => {
    const prefix = uniquePrefix('hmeta');
    const hc = new HashClient(addrs(), { keyPrefix: prefix });
    const keys = Array.from({ length: 12 }, (_, i) => `mk${i}`);
    for (const k of keys) expect((await hc.metaSet(k, k)).stored).toBe(true);
    const ring = new RendezvousHash(addrs());
    for (const k of keys) {
      const direct = new Client(ring.getNode(k)!, { keyPrefix: prefix });
      expect((await direct.metaGet(k))?.value).toBe(k);
      await direct.close();
    }
    let loads = 0;
    const vals = await Promise.all(
      Array.from({ length: 10 }, () => hc.getOrLoad('lazy', () => ++loads, { waitMs: 5 })),
    );
    expect(loads).toBe(1);
    expect(vals.every((v) => v === 1)).toBe(true);
    await hc.close();
  });

  it('addServer and removeServer at run time', async () => {
    const hc = new HashClient(addrs().slice(0, 2), { keyPrefix: uniquePrefix('hash') });
    hc.addServer(addrs()[2]!);
    expect(hc.servers.length).toBe(3);
    await hc.set('x', 1);
    await hc.removeServer(addrs()[2]!);
    expect(hc.servers.length).toBe(2);
    await hc.set('x', 2);
    expect(await hc.get('x')).toBe(2);
    // A server it does not have is a typed error, not a silent no-op.
    await expect(hc.removeServer('127.0.0.1:1')).rejects.toMatchObject({ code: 'MC_ERR_INVALID_ARGUMENT' });
    expect(hc.servers.length).toBe(2);
    await hc.close();
  });
});

describe('dead-server handling', () => {
  it('one server killed under load: nothing hangs; with ignoreExc its keys are misses, then fall over; it rejoins after deadTimeout', async () => {
    const victim = await startMemcached();
    const list = [servers[0]!.address, victim.address];
    const prefix = uniquePrefix('dead');
    const opts = {
      keyPrefix: prefix,
      timeout: 500,
      connectTimeout: 500,
      retryAttempts: 1,
      retryTimeout: 50,
      deadTimeout: 300,
    };
    const hc = new HashClient(list, { ...opts, ignoreExc: true });
    const strict = new HashClient(list, opts);
    const ring = new RendezvousHash(list);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const victimKeys = keys.filter((k) => ring.getNode(k) === victim.address);
    expect(victimKeys.length).toBeGreaterThan(5);
    await hc.setMany(Object.fromEntries(keys.map((k) => [k, k])));
    await strict.get(victimKeys[0]!);

    await victim.stop();
    // Under load: every request settles (bounded by the timeouts), none hangs.
    const started = Date.now();
    const results = await Promise.all(victimKeys.map((k) => hc.get(k)));
    expect(results.every((r) => r === undefined)).toBe(true);
    // Without ignoreExc the caller gets a typed error.
    const err = (await strict.get(victimKeys[0]!).catch((e) => e)) as MemcacheError;
    expect(isMemcacheError(err)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);

    // Keep failing until the server is marked dead; then its keys fall over to the survivor.
    for (let i = 0; i < 20 && !hc.deadServers.includes(victim.address); i++) {
      await new Promise((r) => setTimeout(r, 60));
      await hc.get(victimKeys[0]!);
    }
    expect(hc.deadServers).toEqual([victim.address]);
    expect(await hc.set(victimKeys[1]!, 'moved')).toBe(true);
    const survivor = new Client(servers[0]!.address, { keyPrefix: prefix });
    expect(await survivor.get(victimKeys[1]!)).toBe('moved');
    await survivor.close();

    // Restarted: it rejoins after deadTimeout and its keys go back to it.
    await victim.restart();
    await new Promise((r) => setTimeout(r, 350));
    let back = false;
    for (let i = 0; i < 20 && !back; i++) {
      back = (await hc.set(victimKeys[2]!, 'home')) && !hc.deadServers.includes(victim.address);
      if (!back) await new Promise((r) => setTimeout(r, 60));
    }
    expect(hc.deadServers).toEqual([]);
    const direct = new Client(victim.address, { keyPrefix: prefix });
    expect(await direct.get(victimKeys[2]!)).toBe('home');
    await direct.close();
    await hc.close();
    await strict.close();
    await victim.stop();
  });

  it('without ignoreExc a connection failure reaches the caller as a typed error', async () => {
    const victim = await startMemcached();
    const hc = new HashClient([victim.address], { timeout: 300, connectTimeout: 300 });
    await hc.set('k', 1);
    await victim.stop();
    const err = (await hc.get('k').catch((e) => e)) as MemcacheError;
    expect(err instanceof ConnectionClosedError || err?.code === 'MC_ERR_CONNECT').toBe(true);
    const again = (await hc.get('k').catch((e) => e)) as MemcacheError;
    expect(again.code).toBe('MC_ERR_SERVER_FAILED');
    await hc.close();
  });

  it('usePooling gives each server a PooledClient', async () => {
    const hc = new HashClient(addrs(), { usePooling: true, maxPoolSize: 2, keyPrefix: uniquePrefix('hp') });
    await Promise.all(Array.from({ length: 100 }, (_, i) => hc.set(`p${i}`, i)));
    const got = await hc.getMany(Array.from({ length: 100 }, (_, i) => `p${i}`));
    expect(got.size).toBe(100);
    await hc.close();
  });
});
