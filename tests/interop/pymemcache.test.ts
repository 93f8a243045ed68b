import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Client } from '@mc/client';
import { defaultSerde, FLAGS, SerdeError, withCodec, zlibCodec } from '@mc/serde';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../helpers.js';
import { rawGet, rawSet } from './raw-item.js';

// Debian's python3-pymemcache is installed for /usr/bin/python3 (scripts/bootstrap.sh); the python3
// first on PATH may be another interpreter that does not see it.
const PYTHON = '/usr/bin/python3';
const peer = join(import.meta.dirname, 'pymemcache_peer.py');
const server = inject('memcached');
const [host, port] = server.split(':') as [string, string];

function python(mode: 'write' | 'read', prefix: string): string {
  return execFileSync(PYTHON, [peer, mode, host, port, prefix], { encoding: 'utf8' });
}

// The values pymemcache_peer.py writes (VALUES there), as mc holds them.
const values = {
  str: 'héllo from python',
  bytes: Buffer.from('0001ff726177', 'hex'),
  int: 42,
  negative: -17,
  bigint: 2n ** 64n + 5n,
  zlib_str: 'compress me '.repeat(200),
  zlib_bytes: Buffer.alloc(1000, 7),
} as const;
type Name = keyof typeof values;
const names = Object.keys(values) as Name[];
const plainNames = names.filter((n) => !n.startsWith('zlib_'));

// minSize 401: pymemcache's CompressedSerde compresses values of more than 400 bytes.
const serde = withCodec(defaultSerde, zlibCodec(), { minSize: 401 });

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
function client(prefix: string): Client {
  const c = new Client(server, { keyPrefix: prefix, serde });
  clients.push(c);
  return c;
}

describe('values exchanged with pymemcache (Debian python3-pymemcache, /usr/bin/python3)', () => {
  it('stores str, bytes and int as exactly the bytes and flags pymemcache writes; reads its zlib values', async () => {
    const prefix = uniquePrefix('py2raw');
    python('write', prefix);
    const items = await rawGet(
      server,
      [...names, 'pickle'].map((n) => prefix + n),
    );
    for (const name of plainNames) {
      const stored = items.get(prefix + name);
      const mine = defaultSerde.serialize(name, values[name]);
      expect({ name, flags: stored?.flags, bytes: stored?.bytes.toString('hex') }).toEqual({
        name,
        flags: mine.flags,
        bytes: Buffer.from(mine.bytes).toString('hex'),
      });
      expect(defaultSerde.deserialize(name, stored?.bytes ?? Buffer.alloc(0), stored?.flags ?? -1)).toEqual(
        values[name],
      );
    }
    expect(items.get(`${prefix}int`)?.flags).toBe(FLAGS.INTEGER);
    expect(items.get(`${prefix}str`)?.flags).toBe(FLAGS.TEXT);
    expect(items.get(`${prefix}bytes`)?.flags).toBe(FLAGS.BYTES);
    // Compressed bytes may differ between zlib builds (Node bundles its own); the format may not.
    for (const name of ['zlib_str', 'zlib_bytes'] as const) {
      const stored = items.get(prefix + name);
      const mine = serde.serialize(name, values[name]);
      expect(stored?.flags).toBe(mine.flags);
      expect(inflateSync(stored?.bytes ?? Buffer.alloc(0))).toEqual(inflateSync(mine.bytes));
      expect(serde.deserialize(name, stored?.bytes ?? Buffer.alloc(0), stored?.flags ?? -1)).toEqual(
        values[name],
      );
    }
    expect(items.get(`${prefix}zlib_str`)?.flags).toBe(FLAGS.TEXT | FLAGS.COMPRESSED);
    expect(items.get(`${prefix}zlib_bytes`)?.flags).toBe(FLAGS.COMPRESSED);
  });

  it('mc reads what pymemcache wrote; a pickle is refused by name', async () => {
    const prefix = uniquePrefix('py2mc');
    python('write', prefix);
    const c = client(prefix);
    for (const name of names)
      expect({ name, value: await c.get(name) }).toEqual({ name, value: values[name] });
    expect(await c.get('bigint')).toBe(2n ** 64n + 5n);
    const pickle = await c.get('pickle').catch((e: unknown) => e);
    expect(pickle).toBeInstanceOf(SerdeError);
    expect((pickle as SerdeError).message).toMatch(/flags 1 = 0x1 \(PICKLE\).*pickled by Python/);
  });

  it('pymemcache reads what mc wrote, with the same types', async () => {
    const prefix = uniquePrefix('mc2py');
    const c = client(prefix);
    for (const name of names) await c.set(name, values[name]);
    await c.set('json', { a: [1, 'b'] });
    const got = JSON.parse(python('read', prefix));
    expect(got).toEqual({
      str: ['str', values.str],
      bytes: ['bytes', values.bytes.toString('hex')],
      int: ['int', '42'],
      negative: ['int', '-17'],
      bigint: ['int', (2n ** 64n + 5n).toString()],
      zlib_str: ['str', values.zlib_str],
      zlib_bytes: ['bytes', values.zlib_bytes.toString('hex')],
      // pymemcache hands flags it does not know back as the stored bytes: mc's JSON text.
      json: ['bytes', Buffer.from('{"a":[1,"b"]}').toString('hex')],
    });
  });

  it('pymemcache reads bytes and flags that mc serialized, stored with no client in between', async () => {
    const prefix = uniquePrefix('raw2py');
    for (const name of names) {
      const { bytes, flags } = serde.serialize(name, values[name]);
      await rawSet(server, prefix + name, { flags, bytes: Buffer.from(bytes) });
    }
    await rawSet(server, `${prefix}json`, { flags: FLAGS.JSON, bytes: Buffer.from('{"a":[1,"b"]}') });
    const got = JSON.parse(python('read', prefix)) as Record<string, [string, string]>;
    expect(got.str).toEqual(['str', values.str]);
    expect(got.bigint).toEqual(['int', (2n ** 64n + 5n).toString()]);
    expect(got.zlib_str).toEqual(['str', values.zlib_str]);
    expect(got.zlib_bytes).toEqual(['bytes', values.zlib_bytes.toString('hex')]);
  });
});
