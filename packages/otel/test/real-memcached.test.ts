/* @mc/otel with real mc clients against real memcached: the spans the Clients' tracing channel gives. */
import { randomBytes } from 'node:crypto';
import { Client, type MemcacheClient } from '@mc/client';
import { HashClient } from '@mc/hash';
import { PooledClient } from '@mc/pool';
import { freePort, type MemcachedProcess, stallServer, startMemcached } from '@mc/testing';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { instrumentMc, type McInstrumentation } from '../src/index.js';
import { memoryProvider, useAsyncContext } from './otel-helpers.js';

const server = inject('memcached');
const [host, port] = [
  server.slice(0, server.lastIndexOf(':')),
  Number(server.slice(server.lastIndexOf(':') + 1)),
];
const prefix = () => `otel:${randomBytes(6).toString('hex')}:`;

let mem = memoryProvider();
let instrumentation: McInstrumentation;
const clients: MemcacheClient[] = [];
function track<C extends MemcacheClient>(c: C): C {
  clients.push(c);
  return c;
}

beforeAll(() => useAsyncContext());
beforeEach(() => {
  mem = memoryProvider();
  instrumentation = instrumentMc({ tracerProvider: mem.provider, captureKeys: true });
});
afterEach(() => instrumentation.disable());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

const spans = () => mem.spans();

describe('spans from a Client', () => {
  it('one per command, with the conventions and the server it went to', async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    await client.set('a', '1');
    await client.set('b', '2');
    expect(await client.get('a')).toBe('1');
    expect(await client.get('missing')).toBeUndefined();
    expect([...(await client.getMany(['a', 'b', 'c'])).keys()]).toEqual(['a', 'b']);
    await client.delete('a');

    expect(spans().map((s) => s.name)).toEqual([
      `set ${host}:${port}`,
      `set ${host}:${port}`,
      `get ${host}:${port}`,
      `get ${host}:${port}`,
      `getMany ${host}:${port}`,
      `delete ${host}:${port}`,
    ]);
    for (const s of spans()) {
      expect(s.attributes).toMatchObject({
        'db.system.name': 'memcached',
        'server.address': host,
        'server.port': port,
      });
      expect(s.status.code).toBe(SpanStatusCode.UNSET);
    }
    const [, , hit, miss, many] = spans();
    expect(hit?.attributes).toMatchObject({
      'db.operation.name': 'get',
      'db.response.returned_rows': 1,
      'mc.keys': ['a'],
    });
    expect(miss?.attributes['db.response.returned_rows']).toBe(0);
    expect(many?.attributes).toMatchObject({
      'db.operation.name': 'getMany',
      'db.operation.batch.size': 3,
      'db.response.returned_rows': 2,
      'mc.keys': ['a', 'b', 'c'],
    });
  });

  it('a merged get: every caller has its own span with its own result', async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    await client.set('x', 'X');
    await client.set('y', 'Y');
    const before = spans().length;
    // Same tick: the Client sends one `get x y z`; each caller still gets its own span.
    const results = await Promise.all([client.get('x'), client.get('y'), client.get('z')]);
    expect(results).toEqual(['X', 'Y', undefined]);
    const gets = spans().slice(before);
    expect(gets).toHaveLength(3);
    expect(gets.map((s) => [s.attributes['mc.keys'], s.attributes['db.response.returned_rows']])).toEqual([
      [['x'], 1],
      [['y'], 1],
      [['z'], 0],
    ]);
    expect(new Set(gets.map((s) => s.spanContext().spanId)).size).toBe(3);
  });

  it('noreply calls are marked', async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    await client.set('n', 'v', { noreply: true });
    await client.get('n');
    expect(spans()[0]?.attributes['mc.noreply']).toBe(true);
    expect(spans()[1]?.attributes).not.toHaveProperty('mc.noreply');
  });

  it('a Unix socket server', async () => {
    const unix = await startMemcached({ unixSocket: true });
    try {
      const client = new Client(unix.path!);
      await client.set('k', 'v');
      await client.close();
      expect(spans()[0]?.name).toBe(`set ${unix.path}`);
      expect(spans()[0]?.attributes).toMatchObject({
        'server.address': unix.path,
        'network.transport': 'unix',
      });
    } finally {
      await unix.stop();
    }
  });
});

describe('failures', () => {
  it("memcached's error reply: SERVER_ERROR for a value too large", async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    await expect(client.set('big', 'x'.repeat(17 * 1024 * 1024))).rejects.toMatchObject({
      code: 'MC_ERR_SERVER',
    });
    const [span] = spans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      'error.type': 'MC_ERR_SERVER',
      'db.response.status_code': 'SERVER_ERROR',
    });
    expect(span?.events[0]?.name).toBe('exception');
  });

  it('CLIENT_ERROR: incr on a value that is not a number', async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    await client.set('word', 'abc');
    await expect(client.incr('word', 1)).rejects.toMatchObject({ code: 'MC_ERR_CLIENT_REPLY' });
    expect(spans()[1]?.attributes).toMatchObject({
      'db.operation.name': 'incr',
      'error.type': 'MC_ERR_CLIENT_REPLY',
      'db.response.status_code': 'CLIENT_ERROR',
    });
  });

  it('a timeout fails every caller of a merged get, each in its own span', async () => {
    const stall = await stallServer();
    try {
      const client = new Client(stall.address, { timeout: 50 });
      const calls = [client.get('a'), client.get('b')];
      const settled = await Promise.allSettled(calls);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      await client.close();
      expect(spans()).toHaveLength(2);
      for (const s of spans()) {
        expect(s.status.code).toBe(SpanStatusCode.ERROR);
        expect(s.attributes['error.type']).toMatch(/^MC_ERR_(TIMEOUT|CONNECTION_CLOSED)$/);
        expect(s.attributes['server.port']).toBe(stall.port);
      }
    } finally {
      await stall.close();
    }
  });

  it('a refused connection', async () => {
    const closedPort = await freePort();
    const client = new Client(`127.0.0.1:${closedPort}`, { connectTimeout: 500 });
    await expect(client.get('k')).rejects.toMatchObject({ code: 'MC_ERR_CONNECT' });
    await client.close();
    expect(spans()[0]?.attributes).toMatchObject({
      'error.type': 'MC_ERR_CONNECT',
      'server.port': closedPort,
    });
  });

  it('a key refused before anything is sent', async () => {
    const client = track(new Client(server));
    await expect(client.get('has space')).rejects.toMatchObject({ code: 'MC_ERR_INVALID_KEY' });
    expect(spans()[0]?.attributes['error.type']).toBe('MC_ERR_INVALID_KEY');
  });
});

describe('wrapping clients', () => {
  let second: MemcachedProcess;
  beforeAll(async () => {
    second = await startMemcached();
  });
  afterAll(async () => {
    await second.stop();
  });

  it('HashClient: a multi-key call gives one span per server, each naming it', async () => {
    const client = track(new HashClient([server, second.address], { keyPrefix: prefix() }));
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await client.setMany(keys.map((k) => [k, k] as const));
    const before = spans().length;
    const hits = await client.getMany(keys);
    expect(hits.size).toBe(20);
    const gets = spans().slice(before);
    expect(new Set(gets.map((s) => s.attributes['server.port']))).toEqual(new Set([port, second.port]));
    expect(gets).toHaveLength(2);
    // A server given one key has no batch size (the conventions start batches at two).
    const sent = gets.map(
      (s) =>
        (s.attributes['db.operation.batch.size'] as number | undefined) ??
        (s.attributes['mc.keys'] as string[]).length,
    );
    expect(sent.reduce((a, b) => a + b)).toBe(20);
    expect(gets.map((s) => s.attributes['db.response.returned_rows'])).toEqual(sent);
  });

  it("PooledClient: spans find the caller's span across the pool's awaits", async () => {
    const client = track(new PooledClient(server, { keyPrefix: prefix(), maxPoolSize: 2 }));
    const tracer = mem.provider.getTracer('app');
    await tracer.startActiveSpan('request', async (parent) => {
      await client.set('p', 'v');
      await client.get('p');
      parent.end();
    });
    const request = spans().find((s) => s.name === 'request');
    const children = spans().filter((s) => s.name !== 'request');
    expect(children.map((s) => s.attributes['db.operation.name'])).toEqual(['set', 'get']);
    for (const c of children) expect(c.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
  });
});

describe('getOrLoad', () => {
  it('one getOrLoad span, with the meta commands it makes as children', async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    const tracer = mem.provider.getTracer('app');
    const value = await tracer.startActiveSpan('request', async (parent) => {
      const v = await client.getOrLoad('page', async () => 'rendered', { ttl: 60 });
      parent.end();
      return v;
    });
    expect(value).toBe('rendered');
    const byName = (n: string) => spans().filter((s) => s.attributes['db.operation.name'] === n);
    const [lease] = byName('getOrLoad');
    const request = spans().find((s) => s.name === 'request');
    expect(lease?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    const inner = [...byName('metaGet'), ...byName('metaSet')];
    expect(inner.length).toBeGreaterThanOrEqual(2);
    for (const s of inner) expect(s.parentSpanContext?.spanId).toBe(lease?.spanContext().spanId);
  });
});

describe('disable()', () => {
  it('no spans after it', async () => {
    const client = track(new Client(server, { keyPrefix: prefix() }));
    instrumentation.disable();
    await client.set('k', 'v');
    expect(spans()).toHaveLength(0);
  });
});
