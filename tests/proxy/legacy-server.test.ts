import { Client, UnknownCommandError } from '@mc/client';
import { type LegacyServer, startLegacyServer } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../helpers.js';
import { NOREPLY_FENCE_FIXED } from './status.js';

// A fake memcached 1.5 (packages/testing/src/legacy-server.ts): the text protocol works, every meta
// command (mn, mg, ms, md, ma, me) answers ERROR, as on a server older than 1.6.

let server: LegacyServer;
const clients: Client[] = [];
beforeAll(async () => {
  server = await startLegacyServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

function client(options = {}): Client {
  const c = new Client(server.address, { keyPrefix: uniquePrefix('legacy'), timeout: 2000, ...options });
  clients.push(c);
  return c;
}

describe('Client against a memcached 1.5 (fake): the text protocol', () => {
  it('set / get / getMany / delete', async () => {
    const c = client();
    expect(await c.get('k')).toBeUndefined();
    expect(await c.set('k', 'v')).toBe(true);
    expect(await c.set('o', { x: 1 })).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(await c.getMany(['k', 'o', 'none'])).toEqual(
      new Map<string, unknown>([
        ['k', 'v'],
        ['o', { x: 1 }],
      ]),
    );
    expect(await c.delete('k')).toBe(true);
    expect(await c.delete('k')).toBe(false);
  });

  it('gets / cas, add / replace / append / prepend', async () => {
    const c = client();
    await c.set('c', 'a');
    const t = await c.gets('c');
    expect(await c.cas('c', 'b', t!.cas)).toBe(true);
    expect(await c.cas('c', 'z', t!.cas)).toBe(false);
    expect(await c.cas('none', 'z', 1n)).toBeUndefined();
    expect(await c.add('c', 'x')).toBe(false);
    expect(await c.replace('c', Buffer.from('m'))).toBe(true);
    expect(await c.append('c', Buffer.from('>'))).toBe(true);
    expect(await c.prepend('c', Buffer.from('<'))).toBe(true);
    expect(Buffer.from((await c.get('c')) as Uint8Array).toString()).toBe('<m>');
  });

  it('incr / decr (64-bit wrap, floor at 0), touch, gat, version', async () => {
    const c = client();
    await c.set('n', 5);
    expect(await c.incr('n', 2n ** 64n - 6n)).toBe(2n ** 64n - 1n);
    expect(await c.incr('n', 1)).toBe(0n);
    expect(await c.decr('n', 3)).toBe(0n);
    expect(await c.incr('none', 1)).toBeUndefined();
    expect(await c.touch('n', 100)).toBe(true);
    expect(await c.gat('n', 100)).toBe(0);
    expect(await c.version()).toBe('1.5.22');
  });

  it('an absolute expiry is kept; a too large value is a ServerError and the stream stays in step', async () => {
    const c = client();
    await c.set('e', 1, { expire: 2 ** 31 - 1 });
    expect(await c.get('e')).toBe(1);
    await expect(c.set('huge', Buffer.alloc(2 * 1024 * 1024))).rejects.toMatchObject({
      code: 'MC_ERR_SERVER',
    });
    expect(await c.get('e')).toBe(1);
  });

  it('meta commands answer ERROR: UnknownCommandError, and the connection stays usable', async () => {
    const c = client();
    await c.set('m', 'v');
    await expect(c.metaGet('m')).rejects.toBeInstanceOf(UnknownCommandError);
    await expect(c.metaNoop()).rejects.toBeInstanceOf(UnknownCommandError);
    expect(await c.get('m')).toBe('v');
    expect(server.commands).toContain('mg');
    expect(server.commands).toContain('mn');
  });
});

describe.runIf(NOREPLY_FENCE_FIXED || process.env.MC_RUN_GATED === '1')(
  'noreply against memcached 1.5 (gated: tests/proxy/status.ts)',
  () => {
    it('a noreply burst followed by a read stays in sync', async () => {
      const c = client();
      for (let i = 0; i < 50; i++) await c.set(`nr${i}`, i, { noreply: true });
      expect(await c.get('nr49')).toBe(49);
      const all = await c.getMany(Array.from({ length: 50 }, (_, i) => `nr${i}`));
      expect(all.size).toBe(50);
    });

    it('noreply delete and incr, then reads, with no meta command on the wire', async () => {
      const c = client();
      const before = server.commands.length;
      await c.set('d', 'x');
      await c.set('n', 1);
      await c.delete('d', { noreply: true });
      await c.incr('n', 41, { noreply: true });
      expect(await c.get('d')).toBeUndefined();
      expect(await c.get('n')).toBe(42);
      expect(server.commands.slice(before).filter((cmd) => cmd.startsWith('m'))).toEqual([]);
    });
  },
);
