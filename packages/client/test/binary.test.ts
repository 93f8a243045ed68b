import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSaslConfig,
  type MemcachedProcess,
  type SaslMemcachedProcess,
  startBinaryMemcached,
  startSaslMemcached,
} from '@mc/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../tests/helpers.js';
import {
  AuthError,
  BinaryClient,
  type BinaryClientOptions,
  UnsupportedCommandError,
} from '../src/binary/index.js';
import {
  Client,
  ClientClosedError,
  ClientReplyError,
  channels,
  InvalidArgumentError,
  InvalidKeyError,
  ServerError,
  UnknownCommandError,
} from '../src/index.js';
import { type CommandTraceContext, commandTracing } from '../src/tracing.js';

let sasl: SaslMemcachedProcess;
let binary: MemcachedProcess;
const clients: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  [sasl, binary] = await Promise.all([
    startSaslMemcached({ users: { alice: 'wonder land', bob: 'b0b' }, args: ['-I', '4m'] }),
    startBinaryMemcached({ args: ['-I', '4m'] }),
  ]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([sasl?.stop(), binary?.stop()]);
});

function track<T extends { close(): Promise<void> }>(c: T): T {
  clients.push(c);
  return c;
}
function onBinary(options: BinaryClientOptions = {}): BinaryClient {
  return track(new BinaryClient(binary.address, { keyPrefix: uniquePrefix('bin'), ...options }));
}
function onSasl(options: BinaryClientOptions = {}): BinaryClient {
  return track(
    new BinaryClient(sasl.address, {
      keyPrefix: uniquePrefix('sasl'),
      sasl: { username: 'alice', password: 'wonder land' },
      ...options,
    }),
  );
}

describe('SASL against memcached -S', () => {
  it('the right password authenticates and every command works on the connection', async () => {
    const c = onSasl();
    expect(await c.set('k', 'v')).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(await c.listMechanisms()).toContain('PLAIN');
    expect(await c.version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a second user from the same sasldb works too', async () => {
    const c = onSasl({ sasl: { username: 'bob', password: 'b0b' } });
    expect(await c.incr('missing', 1)).toBeUndefined();
  });

  it.each([
    ['a wrong password', { username: 'alice', password: 'wrong' }],
    ['an unknown user', { username: 'mallory', password: 'wonder land' }],
  ])('%s: every queued call rejects with AuthError (MC_ERR_AUTH, not retryable)', async (_n, creds) => {
    const c = onSasl({ sasl: creds });
    const results = await Promise.allSettled([c.get('a'), c.set('b', 1), c.getMany(['x', 'y'])]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(AuthError);
      expect(e.code).toBe('MC_ERR_AUTH');
      expect(e.retryable).toBe(false);
    }
    // The next call tries again (a new connection) and fails the same way.
    await expect(c.get('a')).rejects.toBeInstanceOf(AuthError);
  });

  it('without credentials the server refuses commands with the auth error status', async () => {
    const c = track(new BinaryClient(sasl.address, { keyPrefix: uniquePrefix('anon') }));
    const results = await Promise.allSettled([c.get('k'), c.set('k', 1), c.getMany(['a', 'b'])]);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AuthError);
    // memcached answers the mechanism list before authentication.
    expect(await c.listMechanisms()).toContain('PLAIN');
  });

  it('SASL against a server without -S is an AuthError that says so', async () => {
    const c = onBinary({ sasl: { username: 'alice', password: 'x' } });
    const err = await c.get('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/SASL/);
  });

  it("options are checked by the text Client's resolver: unknown names, ASCII auth, bad values", () => {
    const make = (o: unknown) => () => new BinaryClient(sasl.address, o as BinaryClientOptions);
    expect(make({ timeot: 5 })).toThrow(InvalidArgumentError);
    expect(make({ auth: { username: 'a', password: 'b' } })).toThrow(/sasl/);
    expect(make({ timeout: -1 })).toThrow(InvalidArgumentError);
    expect(make({ keyPrefix: 'a b' })).toThrow(InvalidArgumentError);
  });

  it('credentials are checked when the client is made', () => {
    expect(() => new BinaryClient(sasl.address, { sasl: { username: '', password: 'x' } })).toThrow(
      InvalidArgumentError,
    );
    expect(
      () =>
        new BinaryClient(sasl.address, {
          sasl: { username: 'a', password: 'x', mechanism: 'CRAM-MD5' as 'PLAIN' },
        }),
    ).toThrow(InvalidArgumentError);
  });

  it('after quit the client reconnects and authenticates again', async () => {
    const c = onSasl();
    await c.set('q', 1);
    await c.quit();
    expect(await c.get('q')).toBe(1);
    // quit waits for noreply commands too (their fence is answered before the socket closes).
    await c.set('r', 2, { noreply: true });
    await c.quit();
    expect(await c.get('r')).toBe(2);
  });
});

describe('the SASL test helper', () => {
  it('writes memcached.conf next to the sasldb; a missing saslpasswd2 says how to install it', () => {
    const conf = readFileSync(join(sasl.saslDir, 'memcached.conf'), 'utf8');
    expect(conf).toBe(`mech_list: plain\nsasldb_path: ${join(sasl.saslDir, 'sasldb2')}\n`);
    expect(() => createSaslConfig({ u: 'p' }, ['PLAIN'], '/nonexistent/saslpasswd2')).toThrow(
      /bootstrap\.sh/,
    );
  });
});

describe.each([
  ['memcached -B binary', () => binary, (o?: BinaryClientOptions) => onBinary(o)],
  ['memcached -S, authenticated', () => sasl, (o?: BinaryClientOptions) => onSasl(o)],
] as const)('every command against %s', (_name, server, make) => {
  it('set / get / delete with misses', async () => {
    const c = make();
    expect(await c.get('k')).toBeUndefined();
    expect(await c.set('k', 'v', { expire: 60 })).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(await c.delete('k')).toBe(true);
    expect(await c.delete('k')).toBe(false);
    expect(await c.get('k')).toBeUndefined();
  });

  it('add / replace / append / prepend', async () => {
    const c = make();
    expect(await c.replace('k', 'x')).toBe(false);
    expect(await c.append('k', 'x')).toBe(false);
    expect(await c.prepend('k', 'x')).toBe(false);
    expect(await c.add('k', 'mid')).toBe(true);
    expect(await c.add('k', 'again')).toBe(false);
    expect(await c.append('k', '>')).toBe(true);
    expect(await c.prepend('k', '<')).toBe(true);
    expect(await c.get('k')).toBe('<mid>');
    expect(await c.replace('k', 'new')).toBe(true);
    expect(await c.get('k')).toBe('new');
  });

  it('gets / cas: stored, EXISTS (false), NOT_FOUND (undefined); cas tokens are bigints', async () => {
    const c = make();
    expect(await c.gets('k')).toBeUndefined();
    await c.set('k', 'one');
    const first = await c.gets<string>('k');
    expect(first?.value).toBe('one');
    expect(typeof first?.cas).toBe('bigint');
    expect(await c.cas('k', 'two', first!.cas)).toBe(true);
    expect(await c.cas('k', 'three', first!.cas)).toBe(false);
    expect(await c.get('k')).toBe('two');
    await c.delete('k');
    expect(await c.cas('k', 'four', first!.cas)).toBeUndefined();
    await expect(c.cas('k', 'x', 0n)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('getMany / getsMany: a quiet GetKQ pipeline, misses absent, duplicates once', async () => {
    const c = make();
    expect((await c.getMany([])).size).toBe(0);
    await c.setMany({ a: 1, b: 'two', c: Buffer.from([0, 1, 2]) });
    const got = await c.getMany(['a', 'b', 'c', 'missing', 'a']);
    expect([...got.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(got.get('a')).toBe(1);
    expect(got.get('b')).toBe('two');
    expect(Buffer.from(got.get('c') as Buffer)).toEqual(Buffer.from([0, 1, 2]));
    const withCas = await c.getsMany(['a', 'nope']);
    expect(withCas.size).toBe(1);
    expect(await c.cas('a', 10, withCas.get('a')!.cas)).toBe(true);
    expect(await c.get('a')).toBe(10);
  });

  it('setMany returns the keys that were not stored; deleteMany deletes them all', async () => {
    const c = make();
    expect(
      await c.setMany(
        new Map([
          ['x', 1],
          ['y', 2],
        ]),
      ),
    ).toEqual([]);
    expect(await c.deleteMany(['x', 'y', 'never'])).toBe(true);
    expect((await c.getMany(['x', 'y'])).size).toBe(0);
  });

  it('gat / gats / touch', async () => {
    const c = make();
    expect(await c.gat('k', 100)).toBeUndefined();
    expect(await c.touch('k', 100)).toBe(false);
    await c.set('k', 'v');
    expect(await c.gat('k', 100)).toBe('v');
    const g = await c.gats<string>('k', 200);
    expect(g?.value).toBe('v');
    expect(typeof g?.cas).toBe('bigint');
    expect(await c.touch('k', 300)).toBe(true);
  });

  it('incr / decr: misses are undefined (no auto-create), 64-bit values, decr stops at 0, non-numeric is ClientReplyError', async () => {
    const c = make();
    expect(await c.incr('n', 1)).toBeUndefined();
    expect(await c.get('n')).toBeUndefined();
    await c.set('n', 10);
    expect(await c.incr('n', 5)).toBe(15n);
    expect(await c.decr('n', 100)).toBe(0n);
    expect(await c.incr('n', 2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(await c.incr('n', 1)).toBe(0n); // wraps at 2^64, as text incr
    await c.set('s', 'text');
    await expect(c.incr('s', 1)).rejects.toBeInstanceOf(ClientReplyError);
    await expect(c.incr('n', -1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('values up to the server item size; a larger one is ServerError and the connection stays', async () => {
    const c = make();
    const big = Buffer.alloc(2 * 1024 * 1024, 7);
    expect(await c.set('big', big)).toBe(true);
    expect(Buffer.from((await c.get('big')) as Buffer).equals(big)).toBe(true);
    await expect(c.set('huge', Buffer.alloc(5 * 1024 * 1024))).rejects.toBeInstanceOf(ServerError);
    expect(await c.get('big')).toBeDefined();
  });

  it('version, noop, stats (general and a group)', async () => {
    const c = make();
    expect(await c.version()).toMatch(/^1\.6\./);
    await c.noop();
    const stats = await c.stats();
    expect(typeof stats.pid).toBe('number');
    expect(stats.pid).toBe(server().pid);
    expect(typeof stats.version).toBe('string');
    const settings = await c.stats('settings');
    expect(settings.binding_protocol).toBe('binary');
    expect(settings.auth_enabled_sasl).toBe(server() === sasl);
    expect(Object.keys(await c.stats('slabs')).length).toBeGreaterThan(0);
    await expect(c.stats('conns')).rejects.toBeInstanceOf(UnknownCommandError);
    expect(await c.version()).toMatch(/^1\.6\./); // the stream is still in step
  });

  it('noreply commands use quiet opcodes; results are not errors, error statuses reach onNoreplyError', async () => {
    const errors: Error[] = [];
    const c = make({ onNoreplyError: (e) => errors.push(e) });
    expect(await c.set('k', 'v', { noreply: true })).toBe(true);
    expect(await c.add('k', 'w', { noreply: true })).toBe(true); // key exists: a result, not reported
    expect(await c.set('n', 'abc', { noreply: true })).toBe(true);
    expect(await c.incr('n', 1, { noreply: true })).toBeUndefined(); // non-numeric: an error
    expect(await c.touch('k', 60, { noreply: true })).toBe(true);
    expect(await c.delete('gone', { noreply: true })).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ClientReplyError);
    expect(await c.setMany({ p: 1, q: 2 }, { noreply: true })).toEqual([]);
    await c.deleteMany(['p'], { noreply: true });
    expect([...(await c.getMany(['p', 'q'])).keys()]).toEqual(['q']);
  });

  it('hundreds of concurrent calls resolve with their own values (opaques checked)', async () => {
    const c = make();
    const n = 500;
    await Promise.all(Array.from({ length: n }, (_, i) => c.set(`k${i}`, `v${i}`)));
    const values = await Promise.all(
      Array.from({ length: n }, (_, i) => c.get(`k${i % 50 === 0 ? 'x' : ''}${i}`)),
    );
    expect(values).toEqual(Array.from({ length: n }, (_, i) => (i % 50 === 0 ? undefined : `v${i}`)));
  });
});

describe('BinaryClient on memcached -B binary', () => {
  it('the meta API and getOrLoad reject with UnsupportedCommandError', async () => {
    const c = onBinary();
    for (const call of [
      () => c.metaGet(),
      () => c.metaGetMany(),
      () => c.metaSet(),
      () => c.metaDelete(),
      () => c.metaArithmetic(),
      () => c.metaNoop(),
      () => c.invalidate(),
      () => c.getOrLoad(),
      () => c.raw(),
      () => c.cacheMemlimit(),
      () => c.shutdown(),
      () => c.verbosity(),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedCommandError);
      expect((err as UnsupportedCommandError).code).toBe('MC_ERR_UNSUPPORTED');
    }
  });

  it('flushAll empties the server', async () => {
    const own = await startBinaryMemcached();
    try {
      const c = track(new BinaryClient(own.address));
      await c.set('a', 1);
      expect(await c.flushAll()).toBe(true);
      expect(await c.get('a')).toBeUndefined();
      await c.set('b', 1);
      expect(await c.flushAll(0, { noreply: true })).toBe(true);
      expect(await c.get('b')).toBeUndefined();
    } finally {
      await own.stop();
    }
  });

  it('calls are published on the mc:command tracing channel', async () => {
    const c = onBinary();
    const seen: CommandTraceContext[] = [];
    const start = (ctx: unknown) => void seen.push(ctx as CommandTraceContext);
    commandTracing.start.subscribe(start);
    try {
      await c.getMany(['a', 'b']);
      await c.set('a', 1, { noreply: true });
    } finally {
      commandTracing.start.unsubscribe(start);
    }
    expect(seen.map((s) => [s.command, s.server, s.keys, s.noreply])).toEqual([
      ['getMany', binary.address, ['a', 'b'], false],
      ['set', binary.address, ['a'], true],
    ]);
  });

  it('commands are published on the mc:client:command channels with their text names', async () => {
    const c = onBinary();
    await c.set('n', 'x');
    const events: string[] = [];
    const onStart = (m: unknown) => void events.push(`start ${(m as { command: string }).command}`);
    const onEnd = (m: unknown) => void events.push(`end ${(m as { command: string }).command}`);
    const onError = (m: unknown) =>
      void events.push(
        `error ${(m as { command: string; error: Error }).command} ${(m as { error: Error }).error.name}`,
      );
    channels.commandStart.subscribe(onStart);
    channels.commandEnd.subscribe(onEnd);
    channels.commandError.subscribe(onError);
    try {
      await c.get('n');
      await c.getMany(['n', 'm']);
      await c.incr('n', 1).catch(() => {});
    } finally {
      channels.commandStart.unsubscribe(onStart);
      channels.commandEnd.unsubscribe(onEnd);
      channels.commandError.unsubscribe(onError);
    }
    expect(events).toEqual([
      'start get',
      'end get',
      'start get',
      'end get',
      'start incr',
      'error incr ClientReplyError',
    ]);
  });

  it('ignoreExc: reads answer a miss when the server fails them; bad input still throws', async () => {
    const c = track(
      new BinaryClient(sasl.address, { ignoreExc: true, sasl: { username: 'alice', password: 'no' } }),
    );
    expect(await c.get('k')).toBeUndefined();
    expect((await c.getMany(['a', 'b'])).size).toBe(0);
    await expect(c.set('k', 1)).rejects.toBeInstanceOf(AuthError);
    await expect(c.get('a b')).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('close is final: pending and later calls reject with ClientClosedError', async () => {
    const c = onBinary();
    const pending = c.get('k');
    await c.close();
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    await expect(c.get('k')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('asyncDispose waits for what is in flight, then closes for good', async () => {
    const c = onBinary();
    const pending = c.set('k', 'v');
    await c[Symbol.asyncDispose]();
    expect(await pending).toBe(true);
    await expect(c.get('k')).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe('binary and text clients share items', () => {
  it('a value stored by the text Client reads back through BinaryClient, and the other way', async () => {
    const server = inject('memcached');
    const prefix = uniquePrefix('mix');
    const text = track(new Client(server, { keyPrefix: prefix }));
    const bin = track(new BinaryClient(server, { keyPrefix: prefix }));
    const values = { s: 'héllo', i: 42, big: 2n ** 70n, j: { a: [1] }, b: Buffer.from([0, 255]) };
    await text.setMany(values);
    const viaBinary = await bin.getMany(Object.keys(values));
    expect(viaBinary.get('s')).toBe('héllo');
    expect(viaBinary.get('i')).toBe(42);
    expect(viaBinary.get('big')).toBe(2n ** 70n);
    expect(viaBinary.get('j')).toEqual({ a: [1] });
    await bin.set('from-binary', { ok: true });
    expect(await text.get('from-binary')).toEqual({ ok: true });
    const t = await text.gets('from-binary');
    const b = await bin.gets('from-binary');
    expect(b?.cas).toBe(t?.cas);
  });
});
