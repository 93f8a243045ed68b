import { AuthError, Client, UnsupportedCommandError } from '@mc/client';
import { HashClient } from '@mc/hash';
import { PooledClient } from '@mc/pool';
import {
  type MemcachedProcess,
  type SaslMemcachedProcess,
  startBinaryMemcached,
  startSaslMemcached,
} from '@mc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from './helpers.js';

// `protocol: 'binary'` is a Client option, so PooledClient and HashClient speak it too.
let sasl: SaslMemcachedProcess;
let binary: MemcachedProcess[] = [];
beforeAll(async () => {
  [sasl, ...binary] = await Promise.all([
    startSaslMemcached({ users: { app: 's3cret' } }),
    startBinaryMemcached(),
    startBinaryMemcached(),
  ]);
});
afterAll(async () => {
  await Promise.all([sasl, ...binary].map((s) => s?.stop()));
});

describe("Client({ protocol: 'binary' }) and the layers above it", () => {
  it('Client with SASL: every common command, and a wrong password is an AuthError', async () => {
    const c = new Client(sasl.address, {
      protocol: 'binary',
      sasl: { username: 'app', password: 's3cret' },
      keyPrefix: uniquePrefix('bin'),
    });
    expect(await c.set('a', { x: 1 })).toBe(true);
    expect(await c.get('a')).toEqual({ x: 1 });
    expect(await c.add('a', 2)).toBe(false);
    expect(await c.set('n', 41)).toBe(true);
    expect(await c.incr('n', 1)).toBe(42n);
    const many = await c.getMany(['a', 'n', 'missing']);
    expect([...many.keys()].sort()).toEqual(['a', 'n']);
    const g = await c.gets('a');
    expect(await c.cas('a', 3, g!.cas)).toBe(true);
    expect(await c.delete('a')).toBe(true);
    expect(await c.get('a')).toBeUndefined();
    await expect(c.metaGet('n')).rejects.toBeInstanceOf(UnsupportedCommandError);
    expect(await c.listMechanisms()).toContain('PLAIN');
    expect(c.pendingCount).toBe(0);
    await c.close();

    const wrong = new Client(sasl.address, {
      protocol: 'binary',
      sasl: { username: 'app', password: 'nope' },
    });
    await expect(wrong.get('a')).rejects.toBeInstanceOf(AuthError);
    await wrong.close();
  });

  it('sasl without protocol binary is refused before any connection', () => {
    expect(() => new Client(sasl.address, { sasl: { username: 'app', password: 's3cret' } })).toThrow(
      /protocol: 'binary'/,
    );
  });

  it('PooledClient and HashClient over binary servers', async () => {
    const prefix = uniquePrefix('binl');
    const pool = new PooledClient(binary[0]!.address, {
      protocol: 'binary',
      keyPrefix: prefix,
      pipelineThreshold: 2,
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.set(`p${i}`, i)));
    expect((await pool.getMany(Array.from({ length: 50 }, (_, i) => `p${i}`))).size).toBe(50);
    expect(pool.connectionCount).toBeGreaterThan(1);
    await pool.close();

    const hc = new HashClient(
      binary.map((b) => b.address),
      { protocol: 'binary', keyPrefix: prefix },
    );
    await Promise.all(Array.from({ length: 50 }, (_, i) => hc.set(`h${i}`, `v${i}`)));
    const got = await hc.getMany(Array.from({ length: 50 }, (_, i) => `h${i}`));
    expect(got.size).toBe(50);
    expect(got.get('h7')).toBe('v7');
    const versions = await hc.version();
    expect(versions.size).toBe(2);
    // Both servers hold some of the keys: the ring spreads them.
    const direct = binary.map((b) => new Client(b.address, { protocol: 'binary', keyPrefix: prefix }));
    const counts = await Promise.all(
      direct.map(async (d) => (await d.getMany(Array.from({ length: 50 }, (_, i) => `h${i}`))).size),
    );
    expect(counts[0]! + counts[1]!).toBe(50);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    await Promise.all([hc.close(), ...direct.map((d) => d.close())]);
  });
});
