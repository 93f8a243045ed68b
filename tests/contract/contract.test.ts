import { Client, FallbackClient, RetryingClient } from '@mc/client';
import { HashClient } from '@mc/hash';
import { PooledClient } from '@mc/pool';
import { type MemcachedProcess, MockClient, startMemcached } from '@mc/testing';
import { inject } from 'vitest';
import { describeMemcacheClientContract } from '../../packages/testing/src/contract/index.js';

const shared = inject('memcached');

describeMemcacheClientContract('Client (real memcached)', async (prefix) => ({
  client: new Client(shared, { keyPrefix: prefix }),
}));

describeMemcacheClientContract('PooledClient', async (prefix) => ({
  client: new PooledClient(shared, { keyPrefix: prefix, maxPoolSize: 3 }),
}));

describeMemcacheClientContract(
  'PooledClient spreading over 4 connections (pipelineThreshold 1)',
  async (prefix) => ({
    client: new PooledClient(shared, { keyPrefix: prefix, maxPoolSize: 4, pipelineThreshold: 1 }),
  }),
);

describeMemcacheClientContract(
  'HashClient over one server with usePooling and ignoreExc',
  async (prefix) => ({
    client: new HashClient([shared], { keyPrefix: prefix, usePooling: true, ignoreExc: true }),
  }),
  { ignoreExc: true },
);

describeMemcacheClientContract(
  'RetryingClient wrapping FallbackClient wrapping PooledClient',
  async (prefix) => ({
    client: new RetryingClient(
      new FallbackClient([
        new PooledClient(shared, { keyPrefix: prefix, maxPoolSize: 2 }),
        new Client(shared, { keyPrefix: `${prefix}old:`, ignoreExc: true }),
      ]),
    ),
  }),
);

describeMemcacheClientContract(
  'HashClient over three real servers',
  async (prefix) => {
    const servers: MemcachedProcess[] = await Promise.all(
      [1, 2, 3].map(() => startMemcached({ args: ['-I', '2m'] })),
    );
    return {
      client: new HashClient(
        servers.map((s) => s.address),
        { keyPrefix: prefix },
      ),
      cleanup: async () => {
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  },
  { canFlush: true },
);

describeMemcacheClientContract('RetryingClient wrapping Client', async (prefix) => ({
  client: new RetryingClient(new Client(shared, { keyPrefix: prefix }), { attempts: 3 }),
}));

describeMemcacheClientContract('FallbackClient wrapping Client', async (prefix) => ({
  client: new FallbackClient([
    new Client(shared, { keyPrefix: prefix }),
    new Client(shared, { keyPrefix: `${prefix}old:` }),
  ]),
}));

describeMemcacheClientContract(
  'MockClient',
  async (prefix) => {
    const mock = new MockClient({ keyPrefix: prefix });
    return { client: mock, advanceTime: (s) => mock.advance(s) };
  },
  { canFlush: true },
);
