import { execFileSync } from 'node:child_process';
import { Client } from '@mc/client';
import { dumps, loads, pickleSerde } from '@mc/serde-pickle';
import { expect, inject, it } from 'vitest';

// packages/serde-pickle/README.md's examples, run against the shared test memcached, and the Python half of the first one.
it('README: Client + pickleSerde, and Python reads the item', async () => {
  const server = inject('memcached');
  const key = `readme:${process.pid}:${Date.now()}`;
  const client = new Client(server, { serde: pickleSerde() });
  await client.set(key, { name: 'Ada', langs: ['en', 'fr'], score: 9.5, admin: false, seen: null });
  expect(await client.get(key)).toEqual({
    name: 'Ada',
    langs: ['en', 'fr'],
    score: 9.5,
    admin: false,
    seen: null,
  });
  await client.close();
  const [host, port] = server.split(':');
  const printed = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `from pymemcache import serde
from pymemcache.client.base import Client
print(repr(Client(('${host}', ${port}), serde=serde.pickle_serde).get('${key}')))`,
    ],
    { encoding: 'utf8' },
  );
  expect(printed.trim()).toBe(
    "{'name': 'Ada', 'langs': ['en', 'fr'], 'score': 9.5, 'admin': False, 'seen': None}",
  );
  const bytes = dumps({ a: [1, 2n ** 70n] });
  expect(loads(bytes)).toEqual({ a: [1, 1180591620717411303424n] });
});
