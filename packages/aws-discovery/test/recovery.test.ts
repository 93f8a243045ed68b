import { KetamaHash } from '@mc/hash';
import {
  type FakeConfigEndpoint,
  type MemcachedProcess,
  startFakeConfigEndpoint,
  startMemcached,
} from '@mc/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import {
  DISCOVERY_DEFAULTS,
  DiscoveryError,
  discoveryBackoff,
  ElastiCacheClient,
  MalformedConfigError,
  NoClusterError,
} from '../src/index.js';

let server: MemcachedProcess;
beforeAll(async () => {
  server = await startMemcached();
});
afterAll(() => server.stop());
const node = () => ({ hostname: 'node-0.example.invalid', ip: '127.0.0.1', port: server.port! });

/** Waits (bounded) until cond() holds. */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function downEndpoint(): Promise<FakeConfigEndpoint> {
  const ep = await startFakeConfigEndpoint({ version: 3, nodes: [node()] });
  await ep.down();
  cleanups.push(() => ep.close());
  return ep;
}

function client(ep: FakeConfigEndpoint, options = {}): { c: ElastiCacheClient; errors: Error[] } {
  const c = new ElastiCacheClient(ep.address, {
    addressing: 'ip',
    keyPrefix: uniquePrefix('aws-recovery'),
    connectTimeout: 500,
    discoveryRetryDelay: 10,
    discoveryRetryMaxDelay: 40,
    ...options,
  });
  const errors: Error[] = [];
  c.on('error', (e: Error) => errors.push(e));
  cleanups.push(() => c.close());
  return { c, errors };
}

describe('ElastiCacheClient with the configuration endpoint down at start', () => {
  it('keeps trying with backoff and serves once the endpoint is up, without a restart', async () => {
    const ep = await downEndpoint();
    const { c, errors } = client(ep);
    // start() still reports the failed first attempt, for callers who want to fail fast...
    await expect(c.start()).rejects.toBeInstanceOf(DiscoveryError);
    // ...and calls fail at once with a typed, retryable error that says why.
    const err = (await c.get('k').catch((e) => e)) as NoClusterError;
    expect(err).toBeInstanceOf(NoClusterError);
    expect(err).toMatchObject({ code: 'MC_ERR_NO_CLUSTER', retryable: true });
    expect(err.cause).toBeInstanceOf(DiscoveryError);
    // Discovery goes on by itself: more failed attempts are reported.
    await until(() => errors.length >= 3);
    expect(c.configVersion).toBeUndefined();

    await ep.up();
    await until(() => c.configVersion === 3);
    expect(await c.set('k', 'v')).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(c.nodes).toEqual([node()]);
    // Server-level commands answer per node, through the HashClient.
    const versions = (await c.version()) as Map<string, string>;
    expect([...versions.values()]).toHaveLength(1);
    expect([...versions.values()][0]).toMatch(/^1\.6\./);
  });

  it('a call made while the first attempt runs waits for it (the endpoint is up: it is served)', async () => {
    const ep = await startFakeConfigEndpoint({ version: 1, nodes: [node()] });
    cleanups.push(() => ep.close());
    const { c } = client(ep);
    // No start(): the first call starts discovery and waits for that one attempt.
    expect(await c.set('first', 1)).toBe(true);
    expect(await c.get('first')).toBe(1);
  });

  it('after recovery it polls at pollInterval: a new version is picked up', async () => {
    const ep = await downEndpoint();
    const { c } = client(ep, { pollInterval: 20 });
    await expect(c.start()).rejects.toBeInstanceOf(DiscoveryError);
    await ep.up();
    await until(() => c.configVersion === 3);
    ep.version = 4;
    await until(() => c.configVersion === 4);
  });

  it('a malformed reply at start is retried too, and the error is the typed one', async () => {
    const ep = await startFakeConfigEndpoint({ version: 2, nodes: [node()] });
    cleanups.push(() => ep.close());
    ep.mode = 'malformed';
    const { c, errors } = client(ep);
    await expect(c.start()).rejects.toBeInstanceOf(MalformedConfigError);
    await until(() => errors.length >= 2);
    expect(errors.every((e) => e instanceof MalformedConfigError)).toBe(true);
    ep.mode = 'ok';
    await until(() => c.configVersion === 2);
    expect(await c.set('m', 'v')).toBe(true);
  });

  it('with ignoreExc, calls without a node list are misses, not errors', async () => {
    const ep = await downEndpoint();
    const { c } = client(ep, { ignoreExc: true });
    expect(await c.get('k')).toBeUndefined();
    expect(await c.set('k', 'v')).toBe(false);
  });

  it('close() during the backoff stops it: no attempt is made after', async () => {
    const ep = await downEndpoint();
    const { c, errors } = client(ep);
    await expect(c.start()).rejects.toBeInstanceOf(DiscoveryError);
    await until(() => errors.length >= 2);
    await c.close();
    const seen = errors.length;
    await ep.up();
    const before = ep.requests;
    // Several backoff periods (max 40 ms) pass: a live retry loop would have asked by now.
    await new Promise((r) => setTimeout(r, 200));
    expect(ep.requests).toBe(before);
    expect(errors.length).toBe(seen);
    await expect(c.get('k')).rejects.toMatchObject({ code: 'MC_ERR_CLIENT_CLOSED' });
  });

  it('takes every HashClient option (pool ones included) and gives the endpoint only Client options', async () => {
    const ep = await startFakeConfigEndpoint({ version: 5, nodes: [node()] });
    cleanups.push(() => ep.close());
    const { c } = client(ep, { usePooling: true, maxPoolSize: 2, pipelineThreshold: 4, retryAttempts: 1 });
    await c.start();
    expect(await c.set('pooled', 'v')).toBe(true);
    expect(await c.get('pooled')).toBe('v');
  });

  it('refuses invalid timing options with a typed error that names them', () => {
    expect(() => new ElastiCacheClient('127.0.0.1:1', { discoveryRetryDelay: -1 })).toThrow(
      /ElastiCacheClient: option "discoveryRetryDelay" must be a non-negative finite number of ms, got -1/,
    );
    expect(() => new ElastiCacheClient('127.0.0.1:1', { discoveryRetryDelay: 0 })).toThrow(
      /ElastiCacheClient: option "discoveryRetryDelay" must be a finite number of ms >= 1, got 0/,
    );
    expect(() => new ElastiCacheClient('127.0.0.1:1', { pollIntervall: 5 } as never)).toThrow(
      'ElastiCacheClient: unknown option "pollIntervall" (did you mean "pollInterval"?)',
    );
    expect(() => new ElastiCacheClient('127.0.0.1:1', { timeout: '300' as never })).toThrow(
      'ElastiCacheClient: option "timeout" must be a non-negative finite number of ms, got "300" (string)',
    );
    expect(() => new ElastiCacheClient('127.0.0.1:1', { addressing: 'dns' as never })).toThrow(
      /option "addressing" must be one of 'ip', 'hostname', 'hostname-or-ip'/,
    );
    expect(
      () => new ElastiCacheClient('127.0.0.1:1', { hasher: KetamaHash.libmemcached([]) as never }),
    ).toThrow(/option "hasher" must be a function/);
    expect(() => new ElastiCacheClient('127.0.0.1:1', { retryAttempts: -1 })).toThrow(
      /ElastiCacheClient: option "retryAttempts" must be an integer >= 0/,
    );
    expect(() => new ElastiCacheClient('127.0.0.1:1', { pollInterval: '5' as unknown as number })).toThrow(
      /option "pollInterval" .* got "5" \(string\)/,
    );
    expect(
      () => new ElastiCacheClient('127.0.0.1:1', { discoveryRetryDelay: 100, discoveryRetryMaxDelay: 50 }),
    ).toThrow(/option "discoveryRetryMaxDelay" must be a finite number of ms >= 100/);
  });
});

describe('discoveryBackoff', () => {
  it('doubles from the initial delay, is capped, and keeps 50-100 % of the nominal delay', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 10, 100, 10_000].map((f) => discoveryBackoff(f, 100, 1000, high))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000, 1000,
    ]);
    expect([0, 1, 2, 3, 4, 10].map((f) => discoveryBackoff(f, 100, 1000, low))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
  });

  it('has documented defaults: bounded at 30 s', () => {
    expect(DISCOVERY_DEFAULTS).toEqual({
      pollInterval: 60_000,
      discoveryRetryDelay: 500,
      discoveryRetryMaxDelay: 30_000,
    });
    expect(discoveryBackoff(1000, 500, 30_000)).toBeLessThanOrEqual(30_000);
  });
});
