import { recordingServer } from '@mc/testing';
import { describe, expect, it } from 'vitest';
import { Client, InvalidArgumentError, parseServer } from '../src/index.js';

describe('server specs', () => {
  it.each([
    ['127.0.0.1:11311', { host: '127.0.0.1', port: 11311 }],
    ['cache.local', { host: 'cache.local', port: 11211 }],
    ['[::1]:11311', { host: '::1', port: 11311 }],
    ['[::1]', { host: '::1', port: 11211 }],
    ['/run/memcached.sock', { path: '/run/memcached.sock' }],
    ['unix:/tmp/m.sock', { path: '/tmp/m.sock' }],
    [
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 1 },
    ],
    [{ host: '[::1]' }, { host: '::1', port: 11211 }],
    [{ path: '/x.sock' }, { path: '/x.sock' }],
  ] as const)('%j', (spec, expected) => {
    expect(parseServer(spec)).toEqual(expected);
  });

  it.each(['', 'host:0', 'host:99999', 'host:abc', '[::1', {}])('rejects %j', (spec) => {
    expect(() => parseServer(spec as never)).toThrow(InvalidArgumentError);
  });
});

describe('lazy, single-flight connect', () => {
  it('does not connect before the first call, and 50 concurrent first calls open one socket', async () => {
    const server = await recordingServer();
    const c = new Client(server.address, { timeout: 200 });
    await new Promise((r) => setTimeout(r, 20));
    expect(server.connections).toBe(0);
    await Promise.allSettled(Array.from({ length: 50 }, (_, i) => c.get(`k${i}`)));
    expect(server.connections).toBe(1);
    await c.close();
    await server.close();
  });
});
