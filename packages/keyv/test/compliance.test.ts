/*
 * Keyv's own compliance suite (@keyv/test-suite), against real memcached, through each kind of mc
 * client (and MockClient). The iterator tests are not run: memcached cannot list keys (see the README).
 */

import { keyvApiTests, keyvNamespaceTest, keyvValueTests } from '@keyv/test-suite';
import { Client, type MemcacheClient, RetryingClient } from '@mc/client';
import { HashClient } from '@mc/hash';
import { PooledClient } from '@mc/pool';
import { type MemcachedProcess, MockClient, startMemcached } from '@mc/testing';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { McKeyvStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

const server = inject('memcached');
let second: MemcachedProcess;
const clients: MemcacheClient[] = [];

beforeAll(async () => {
  second = await startMemcached();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await second?.stop();
});

const kinds: Array<[string, () => MemcacheClient]> = [
  ['Client', () => new Client(server, { keyPrefix: uniquePrefix() })],
  ['Client without merged gets', () => new Client(server, { keyPrefix: uniquePrefix(), batchGets: false })],
  ['PooledClient', () => new PooledClient(server, { keyPrefix: uniquePrefix(), maxPoolSize: 2 })],
  [
    'HashClient over two servers',
    () => new HashClient([server, second.address], { keyPrefix: uniquePrefix() }),
  ],
  [
    'RetryingClient over a Client',
    () => new RetryingClient(new Client(server, { keyPrefix: uniquePrefix() })),
  ],
  // No server: what an application's own tests would use.
  ['MockClient', () => new MockClient()],
];

describe.each(kinds)('@keyv/test-suite through %s', (_name, make) => {
  let client: MemcacheClient | undefined;
  // Each Keyv gets its own store (Keyv sets the store's namespace); they share one client.
  const store = () => {
    if (client === undefined) {
      client = make();
      clients.push(client);
    }
    return new McKeyvStore(client);
  };
  keyvApiTests(vitest, Keyv, store);
  keyvValueTests(vitest, Keyv, store);
  keyvNamespaceTest(vitest, Keyv, store);
});
