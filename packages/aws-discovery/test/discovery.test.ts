import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Client } from '@mc/client';
import {
  type FakeConfigEndpoint,
  type MemcachedProcess,
  startFakeConfigEndpoint,
  startMemcached,
} from '@mc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import {
  type ClusterChange,
  DiscoveryError,
  discover,
  ElastiCacheClient,
  MalformedConfigError,
} from '../src/index.js';

let servers: MemcachedProcess[] = [];
beforeAll(async () => {
  servers = await Promise.all([startMemcached(), startMemcached(), startMemcached()]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});
const node = (i: number) => ({
  hostname: `node-${i}.example.invalid`,
  ip: '127.0.0.1',
  port: servers[i]!.port!,
});

/** Waits (bounded) until cond() holds. */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('discover (one shot)', () => {
  let ep: FakeConfigEndpoint;
  beforeAll(async () => {
    ep = await startFakeConfigEndpoint({ version: 7, nodes: [] });
  });
  afterAll(() => ep.close());

  it('reads config get cluster, and falls back to the legacy command on ERROR', async () => {
    ep.nodes = [node(0), node(1)];
    expect(await discover(ep.address)).toEqual({ version: 7, nodes: [node(0), node(1)], legacy: false });
    ep.mode = 'legacy-only';
    expect(await discover(ep.address)).toMatchObject({ version: 7, legacy: true });
    expect(await discover(ep.address, { legacy: true })).toMatchObject({ version: 7, legacy: true });
    ep.mode = 'ok';
  });
});

describe('ElastiCacheClient', () => {
  let ep: FakeConfigEndpoint;
  let client: ElastiCacheClient;
  const changes: ClusterChange[] = [];
  const errors: Error[] = [];
  const published: unknown[] = [];
  const onPublish = (m: unknown) => published.push(m);
  const prefix = uniquePrefix('aws');

  beforeAll(async () => {
    subscribe('mc:aws-discovery:change', onPublish);
    ep = await startFakeConfigEndpoint({ version: 1, nodes: [node(0)] });
    client = new ElastiCacheClient(ep.address, {
      pollInterval: 30,
      addressing: 'ip',
      keyPrefix: prefix,
      timeout: 1000,
    });
    client.on('change', (c: ClusterChange) => changes.push(c));
    client.on('error', (e: Error) => errors.push(e));
  });
  afterAll(async () => {
    unsubscribe('mc:aws-discovery:change', onPublish);
    await client.close();
    await ep.close();
  });

  it('starts from the endpoint and serves requests', async () => {
    await client.start();
    expect(client.configVersion).toBe(1);
    expect(await client.set('a', 1)).toBe(true);
    expect(await client.get('a')).toBe(1);
    expect(changes[0]).toMatchObject({ version: 1, added: [node(0)], removed: [] });
    expect(published[0]).toMatchObject({ version: 1, added: [node(0)] });
  });

  it('a node added: keys land on the new node, and no request fails during the change', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    let failures = 0;
    let running = true;
    const load = (async () => {
      for (let i = 0; running && i < 5000; i++) {
        await client.set(keys[i % keys.length]!, i).catch(() => failures++);
      }
    })();
    ep.nodes = [node(0), node(1)];
    ep.version = 2;
    await until(() => client.configVersion === 2);
    await new Promise((r) => setTimeout(r, 50));
    running = false;
    await load;
    expect(failures).toBe(0);
    await client.setMany(Object.fromEntries(keys.map((k) => [k, k])));
    const direct = new Client(servers[1]!.address, { keyPrefix: prefix });
    const onNew = await direct.getMany(keys);
    await direct.close();
    expect(onNew.size).toBeGreaterThan(5);
    expect(changes.at(-1)).toMatchObject({ version: 2, added: [node(1)], removed: [] });
  });

  it('the same version with different text changes nothing', async () => {
    ep.nodes = [node(0), node(1), node(2)];
    const polled = ep.requests;
    await until(() => ep.requests > polled + 2);
    expect(client.configVersion).toBe(2);
    expect(client.nodes).toEqual([node(0), node(1)]);
  });

  it('a node removed: its keys move to the others; connections to unchanged nodes stay', async () => {
    ep.nodes = [node(0)];
    ep.version = 3;
    await until(() => client.configVersion === 3);
    expect(client.hashClient.servers).toEqual([`127.0.0.1:${servers[0]!.port}`]);
    expect(changes.at(-1)).toMatchObject({ version: 3, added: [], removed: [node(1)] });
    expect(await client.set('after-remove', 'x')).toBe(true);
    expect(await client.get('after-remove')).toBe('x');
  });

  it('a malformed reply gives a typed error and the last good list stays', async () => {
    const before = errors.length;
    ep.mode = 'malformed';
    await until(() => errors.length > before);
    expect(errors.at(-1)).toBeInstanceOf(MalformedConfigError);
    expect(client.configVersion).toBe(3);
    expect(await client.get('after-remove')).toBe('x');
    ep.mode = 'ok';
  });

  it('the endpoint down: a typed error, the cluster keeps working, and polling resumes when it is back', async () => {
    const before = errors.length;
    await ep.down();
    await until(() => errors.length > before);
    expect(errors.at(-1)).toBeInstanceOf(DiscoveryError);
    expect(await client.get('after-remove')).toBe('x');
    await ep.up();
    ep.nodes = [node(0), node(2)];
    ep.version = 4;
    await until(() => client.configVersion === 4);
    expect(client.nodes).toEqual([node(0), node(2)]);
  });
});

describe('lifecycle', () => {
  it('close() stops the poller and leaves no timer', async () => {
    const ep = await startFakeConfigEndpoint({ version: 1, nodes: [node(0)] });
    const c = new ElastiCacheClient(ep.address, { pollInterval: 10, addressing: 'ip' });
    await c.start();
    await c.close();
    const after = ep.requests;
    await new Promise((r) => setTimeout(r, 60));
    expect(ep.requests).toBe(after);
    await ep.close();
  });

  it('start() rejects with a typed error when the endpoint is unreachable at first', async () => {
    const ep = await startFakeConfigEndpoint({ version: 1, nodes: [node(0)] });
    await ep.down();
    const c = new ElastiCacheClient(ep.address, { connectTimeout: 300 });
    await expect(c.start()).rejects.toBeInstanceOf(DiscoveryError);
    await c.close();
  });

  it("'hostname-or-ip' uses the hostname when it resolves and the IP otherwise", async () => {
    const ep = await startFakeConfigEndpoint({
      version: 1,
      nodes: [
        { hostname: 'localhost', ip: '127.0.0.9', port: servers[0]!.port! },
        { hostname: 'no-such-node.invalid', ip: '127.0.0.1', port: servers[1]!.port! },
      ],
    });
    const c = new ElastiCacheClient(ep.address, { lookupTimeout: 2000 });
    await c.start();
    expect(c.hashClient.servers.sort()).toEqual(
      [`127.0.0.1:${servers[1]!.port}`, `localhost:${servers[0]!.port}`].sort(),
    );
    await c.close();
    await ep.close();
  });
});
