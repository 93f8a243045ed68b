import { Client, ConnectionClosedError } from '@mc/client';
import { KetamaHash } from '@mc/hash';
import { type MemcachedProcess, type NutcrackerProcess, startMemcached, startNutcracker } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../helpers.js';
import { NOREPLY_FENCE_FIXED } from './status.js';

// A real twemproxy (Debian's nutcracker 0.5.0) in front of two real memcached. What twemproxy 0.5
// forwards in the text protocol, as observed: get, gets (multi-key too), set, add, replace, append,
// prepend, cas, delete, incr, decr, touch, version (answered by a backend), quit. It does not know
// gat, gats, flush_all, stats, verbosity or any meta command (mn, mg, ms, ...): it closes the client
// connection on them, which mc reports as ConnectionClosedError.

let backends: MemcachedProcess[] = [];
let proxy: NutcrackerProcess;
let direct: Client[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  backends = await Promise.all([startMemcached(), startMemcached()]);
  proxy = await startNutcracker({ servers: backends.map((b) => b.address), hash: 'fnv1a_64' });
  direct = backends.map((b) => new Client(b.address));
});
afterAll(async () => {
  await Promise.all([...clients, ...direct].map((c) => c.close()));
  await proxy?.stop();
  await Promise.all(backends.map((b) => b.stop()));
});

function client(options = {}): { c: Client; prefix: string } {
  const prefix = uniquePrefix('proxy');
  const c = new Client(proxy.address, { keyPrefix: prefix, timeout: 2000, ...options });
  clients.push(c);
  return { c, prefix };
}

/** Which backend holds the (prefixed) key, read directly. */
async function holderOf(fullKey: string): Promise<number[]> {
  const found: number[] = [];
  for (const [i, d] of direct.entries()) if ((await d.get(fullKey)) !== undefined) found.push(i);
  return found;
}

describe('Client through twemproxy 0.5.0: every command it forwards', () => {
  it('set / get / delete, misses included', async () => {
    const { c } = client();
    expect(await c.get('k')).toBeUndefined();
    expect(await c.set('k', 'v')).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(await c.set('obj', { a: [1, 2] })).toBe(true);
    expect(await c.get('obj')).toEqual({ a: [1, 2] });
    expect(await c.delete('k')).toBe(true);
    expect(await c.delete('k')).toBe(false);
    expect(await c.get('k')).toBeUndefined();
  });

  it('puts each key on the backend that ketama (fnv1a_64, as KetamaHash.twemproxy) picks', async () => {
    const { c, prefix } = client();
    const ring = KetamaHash.twemproxy(
      backends.map((b) => ({ host: b.host!, port: b.port! })),
      'fnv1a_64',
    );
    // Keys for both backends (fnv1a_64 ketama can be lopsided for two random ports): bounded search.
    const keys: string[] = [];
    const wanted = new Map(backends.map((b) => [b.address, 0]));
    for (let i = 0; i < 5000 && [...wanted.values()].some((n) => n < 10); i++) {
      const node = ring.getNode(`${prefix}spread-${i}`)!;
      if (wanted.get(node)! < 10) {
        wanted.set(node, wanted.get(node)! + 1);
        keys.push(`spread-${i}`);
      }
    }
    expect([...wanted.values()]).toEqual([10, 10]);
    for (const k of keys) expect(await c.set(k, k)).toBe(true);
    for (const k of keys) {
      const holders = await holderOf(prefix + k);
      expect(holders).toHaveLength(1);
      expect(backends[holders[0]!]!.address).toBe(ring.getNode(prefix + k));
    }
  });

  it('getMany and getsMany across both backends (twemproxy splits and merges the multi-get)', async () => {
    const { c } = client();
    const entries = Array.from({ length: 30 }, (_, i) => [`m${i}`, i] as const);
    expect(await c.setMany(entries)).toEqual([]);
    const got = await c.getMany([...entries.map(([k]) => k), 'missing']);
    expect(new Map(got)).toEqual(new Map(entries));
    const withCas = await c.getsMany(['m0', 'm29', 'missing']);
    expect([...withCas.keys()].sort()).toEqual(['m0', 'm29']);
    expect(typeof withCas.get('m0')!.cas).toBe('bigint');
  });

  it('merged single gets through the proxy: keys on both backends, misses and a key asked twice', async () => {
    const { c } = client();
    const entries = Array.from({ length: 40 }, (_, i) => [`g${i}`, `v${i}`] as const);
    expect(await c.setMany(entries)).toEqual([]);
    const asked = [...entries.map(([k]) => k), 'nope', 'g3', 'g17', 'g3'];
    const got = await Promise.all(asked.map((k) => c.get(k)));
    expect(got).toEqual(asked.map((k) => (k === 'nope' ? undefined : `v${k.slice(1)}`)));
  });

  it('gets / cas: stored, EXISTS after another write, NOT_FOUND when missing', async () => {
    const { c } = client();
    await c.set('c', 1);
    const first = await c.gets<number>('c');
    expect(first?.value).toBe(1);
    expect(await c.cas('c', 2, first!.cas)).toBe(true);
    expect(await c.cas('c', 3, first!.cas)).toBe(false);
    expect(await c.get('c')).toBe(2);
    expect(await c.cas('nope', 1, 1n)).toBeUndefined();
  });

  it('add / replace / append / prepend', async () => {
    const { c } = client();
    expect(await c.add('a', 'x')).toBe(true);
    expect(await c.add('a', 'y')).toBe(false);
    expect(await c.replace('a', 'z')).toBe(true);
    expect(await c.replace('missing', 'z')).toBe(false);
    await c.set('s', Buffer.from('mid'));
    expect(await c.append('s', Buffer.from('>'))).toBe(true);
    expect(await c.prepend('s', Buffer.from('<'))).toBe(true);
    expect(Buffer.from((await c.get('s')) as Uint8Array).toString()).toBe('<mid>');
    expect(await c.append('missing', Buffer.from('x'))).toBe(false);
  });

  it('incr / decr with bigint results, touch', async () => {
    const { c } = client();
    await c.set('n', 10);
    expect(await c.incr('n', 5)).toBe(15n);
    expect(await c.decr('n', 20)).toBe(0n);
    expect(await c.incr('n', 2n ** 63n)).toBe(2n ** 63n);
    expect(await c.incr('missing', 1)).toBeUndefined();
    expect(await c.touch('n', 100)).toBe(true);
    expect(await c.touch('missing', 100)).toBe(false);
  });

  it('deleteMany across both backends; quit, after which the next call reconnects', async () => {
    const { c } = client();
    await c.setMany([
      ['x1', 1],
      ['x2', 2],
      ['x3', 3],
    ]);
    expect(await c.deleteMany(['x1', 'x2', 'x3'])).toBe(true);
    expect((await c.getMany(['x1', 'x2', 'x3'])).size).toBe(0);
    const q = new Client(proxy.address);
    await q.set('quit-check', 1);
    await q.quit();
    expect(await q.get('quit-check')).toBe(1);
    await q.close();
  });

  it('version is answered (by a backend)', async () => {
    const { c } = client();
    expect(await c.version()).toMatch(/^1\.6\./);
  });

  it('a value near the 1 MiB item limit goes through, and a too large one is a ServerError', async () => {
    const { c } = client();
    const big = Buffer.alloc(1000 * 1000, 7);
    expect(await c.set('big', big)).toBe(true);
    expect(Buffer.from((await c.get('big')) as Uint8Array).equals(big)).toBe(true);
    await expect(c.set('huge', Buffer.alloc(2 * 1024 * 1024))).rejects.toMatchObject({
      code: 'MC_ERR_SERVER',
    });
    expect(await c.get('big')).toBeDefined();
  });

  it('a command twemproxy does not forward closes the connection: ConnectionClosedError, then the client reconnects', async () => {
    const { c } = client();
    await c.set('g', 'v');
    await expect(c.gat('g', 10)).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await c.get('g')).toBe('v');
    await expect(c.metaGet('g')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await c.get('g')).toBe('v');
  });

  it('many concurrent requests on one socket stay matched to their callers', async () => {
    const { c } = client();
    const n = 200;
    await Promise.all(Array.from({ length: n }, (_, i) => c.set(`p${i}`, i)));
    const values = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`p${i}`)));
    expect(values).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

describe.runIf(NOREPLY_FENCE_FIXED || process.env.MC_RUN_GATED === '1')(
  'noreply through twemproxy (gated: tests/proxy/status.ts)',
  () => {
    it('a noreply burst followed by a read stays in sync', async () => {
      const { c } = client();
      for (let i = 0; i < 50; i++) await c.set(`nr${i}`, i, { noreply: true });
      expect(await c.get('nr49')).toBe(49);
      const all = await c.getMany(Array.from({ length: 50 }, (_, i) => `nr${i}`));
      expect(all.size).toBe(50);
    });

    it('noreply delete, incr and touch, then reads', async () => {
      const { c } = client();
      await c.set('d', 'x');
      await c.set('n', 1);
      await c.delete('d', { noreply: true });
      await c.incr('n', 41, { noreply: true });
      await c.touch('n', 100, { noreply: true });
      expect(await c.get('d')).toBeUndefined();
      expect(await c.get('n')).toBe(42);
    });

    it('defaultNoreply: a run of writes, then reads that see them', async () => {
      const { c } = client({ defaultNoreply: true });
      await Promise.all(Array.from({ length: 20 }, (_, i) => c.set(`dn${i}`, i)));
      expect(await c.get('dn19', {})).toBe(19);
    });
  },
);
