import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@mc/client';
import { defaultSerde, withCodec, zlibCodec } from '@mc/serde';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../helpers.js';

// Debian's python3-pymemcache is installed for /usr/bin/python3 (scripts/bootstrap.sh); the python3
// first on PATH may be another interpreter that does not see it.
const PYTHON = '/usr/bin/python3';
const peer = join(import.meta.dirname, 'pymemcache_peer.py');
const [host, port] = inject('memcached').split(':') as [string, string];

function python(mode: 'write' | 'read', prefix: string): string {
  return execFileSync(PYTHON, [peer, mode, host, port, prefix], { encoding: 'utf8' });
}

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
function client(prefix: string): Client {
  const c = new Client(inject('memcached'), {
    keyPrefix: prefix,
    serde: withCodec(defaultSerde, zlibCodec()),
  });
  clients.push(c);
  return c;
}

describe('values exchanged with pymemcache', () => {
  it('mc reads what pymemcache wrote: str, bytes, int, int past 2^64, zlib-compressed', async () => {
    const prefix = uniquePrefix('py2mc');
    python('write', prefix);
    const c = client(prefix);
    expect(await c.get('str')).toBe('héllo from python');
    expect(Buffer.from((await c.get('bytes')) as Buffer)).toEqual(Buffer.from('0001ff726177', 'hex'));
    expect(await c.get('int')).toBe(42);
    expect(await c.get('bigint')).toBe(2n ** 64n + 5n);
    expect(await c.get('zlib')).toBe('compress me '.repeat(200));
  });

  it('pymemcache reads what mc wrote', async () => {
    const prefix = uniquePrefix('mc2py');
    const c = client(prefix);
    await c.set('str', 'héllo from python');
    await c.set('bytes', Buffer.from('0001ff726177', 'hex'));
    await c.set('int', 42);
    await c.set('bigint', 2n ** 64n + 5n);
    await c.set('zlib', 'compress me '.repeat(200));
    const got = JSON.parse(python('read', prefix));
    expect(got).toEqual({
      str: 'héllo from python',
      bytes: '0001ff726177',
      int: 42,
      bigint: (2n ** 64n + 5n).toString(),
      zlib: 'compress me '.repeat(200),
    });
  });
});
