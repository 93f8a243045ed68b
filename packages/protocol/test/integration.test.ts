import { connect, type Socket } from 'node:net';
import { startMemcached } from '@mc/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  Expect,
  encodeCacheMemlimit,
  encodeCas,
  encodeDecr,
  encodeDelete,
  encodeFlushAll,
  encodeGat,
  encodeGats,
  encodeGet,
  encodeGets,
  encodeIncr,
  encodeKey,
  encodeMetaArithmetic,
  encodeMetaDebug,
  encodeMetaDelete,
  encodeMetaGet,
  encodeMetaNoop,
  encodeMetaSet,
  encodeQuit,
  encodeShutdown,
  encodeStats,
  encodeStorage,
  encodeTouch,
  encodeVerbosity,
  encodeVersion,
  type Reply,
  ReplyParser,
  UnknownCommandError,
} from '../src/index.js';

// Every encoder's bytes go to the real memcached over a raw socket; the parser reads the answers.
let sock: Socket;
const parser = new ReplyParser();
const waiting: Array<{ expect: Expect; resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];

beforeAll(async () => {
  const [host, port] = inject('memcached').split(':');
  sock = connect(Number(port), host);
  await new Promise((r) => sock.once('connect', r));
  sock.on('data', (chunk) => {
    parser.push(chunk);
    try {
      for (
        let r = waiting[0] && parser.read(waiting[0].expect);
        r;
        r = waiting[0] && parser.read(waiting[0].expect)
      )
        waiting.shift()!.resolve(r);
    } catch (e) {
      waiting.shift()?.reject(e as Error);
    }
  });
});
afterAll(() => {
  sock.destroy();
});

function send(bytes: Buffer, expect: Expect): Promise<Reply> {
  return new Promise((resolve, reject) => {
    waiting.push({ expect, resolve, reject });
    sock.write(bytes);
  });
}

const prefix = `proto:${process.pid}:${Date.now()}:`;
const k = (s: string) => encodeKey(s, { prefix });
// Meta encoders take the key text (they base64 binary keys themselves).
const mk = (s: string) => `${prefix}${s}`;

describe('every encoder against the real memcached', () => {
  it('storage, retrieval, cas, arithmetic, touch and delete', async () => {
    const v = Buffer.from('a\r\nb');
    expect(await send(encodeStorage('set', k('a'), 7, 0, v), Expect.Store)).toEqual({
      type: 'status',
      status: 'STORED',
    });
    expect(await send(encodeStorage('add', k('a'), 0, 0, v), Expect.Store)).toEqual({
      type: 'status',
      status: 'NOT_STORED',
    });
    expect(await send(encodeStorage('replace', k('a'), 7, 0, v), Expect.Store)).toEqual({
      type: 'status',
      status: 'STORED',
    });
    expect(await send(encodeStorage('append', k('a'), 0, 0, Buffer.from('!')), Expect.Store)).toMatchObject({
      status: 'STORED',
    });
    expect(await send(encodeStorage('prepend', k('a'), 0, 0, Buffer.from('>')), Expect.Store)).toMatchObject({
      status: 'STORED',
    });
    const got = (await send(encodeGet([k('a'), k('missing')]), Expect.Values)) as Extract<
      Reply,
      { type: 'values' }
    >;
    expect(got.values.map((e) => [e.key, e.flags, Buffer.from(e.value).toString()])).toEqual([
      [`${prefix}a`, 7, '>a\r\nb!'],
    ]);
    const gets = (await send(encodeGets([k('a')]), Expect.Values)) as Extract<Reply, { type: 'values' }>;
    const cas = gets.values[0]!.cas!;
    expect(await send(encodeCas(k('a'), 0, 0, v, cas + 1n), Expect.Store)).toMatchObject({
      status: 'EXISTS',
    });
    expect(await send(encodeCas(k('a'), 0, 0, v, cas), Expect.Store)).toMatchObject({ status: 'STORED' });
    expect(await send(encodeCas(k('nope'), 0, 0, v, 1n), Expect.Store)).toMatchObject({
      status: 'NOT_FOUND',
    });
    expect(await send(encodeGat(100, [k('a')]), Expect.Values)).toMatchObject({
      type: 'values',
      values: [{ flags: 0 }],
    });
    expect(await send(encodeGats(100, [k('a')]), Expect.Values)).toMatchObject({
      type: 'values',
      values: [{ cas: expect.any(BigInt) }],
    });
    expect(await send(encodeTouch(k('a'), 50), Expect.Touch)).toMatchObject({ status: 'TOUCHED' });
    expect(await send(encodeTouch(k('nope'), 50), Expect.Touch)).toMatchObject({ status: 'NOT_FOUND' });
    await send(encodeStorage('set', k('n'), 0, 0, Buffer.from('18446744073709551614')), Expect.Store);
    expect(await send(encodeIncr(k('n'), 3n), Expect.Arith)).toEqual({ type: 'number', value: 1n });
    expect(await send(encodeDecr(k('n'), 5), Expect.Arith)).toEqual({ type: 'number', value: 0n });
    expect(await send(encodeIncr(k('nope'), 1), Expect.Arith)).toMatchObject({ status: 'NOT_FOUND' });
    expect(await send(encodeIncr(k('a'), 1), Expect.Arith)).toMatchObject({ type: 'error' });
    expect(await send(encodeDelete(k('a')), Expect.Delete)).toMatchObject({ status: 'DELETED' });
    expect(await send(encodeDelete(k('a')), Expect.Delete)).toMatchObject({ status: 'NOT_FOUND' });
  });

  it('noreply variants answer nothing; the next reply is still in order', async () => {
    sock.write(encodeStorage('set', k('nr'), 0, 0, Buffer.from('x'), true));
    sock.write(encodeDelete(k('nothing'), true));
    sock.write(encodeIncr(k('nothing'), 1, true));
    sock.write(encodeTouch(k('nothing'), 1, true));
    expect(await send(encodeGet([k('nr')]), Expect.Values)).toMatchObject({ values: [{ flags: 0 }] });
  });

  it('server commands: stats (with arguments), version, verbosity, cache_memlimit', async () => {
    const stats = (await send(encodeStats(), Expect.Stats)) as Extract<Reply, { type: 'stats' }>;
    expect(stats.stats.some(([n]) => n === 'pid')).toBe(true);
    for (const arg of ['items', 'slabs', 'settings', 'sizes', 'conns'])
      expect(await send(encodeStats(arg), Expect.Stats)).toMatchObject({ type: 'stats' });
    expect(await send(encodeVersion(), Expect.Version)).toMatchObject({
      type: 'version',
      version: expect.stringMatching(/^1\.6/),
    });
    expect(await send(encodeVerbosity(0), Expect.Ok)).toMatchObject({ status: 'OK' });
    expect(await send(encodeCacheMemlimit(256), Expect.Ok)).toMatchObject({ status: 'OK' });
  });

  it('meta commands', async () => {
    expect(
      await send(
        encodeMetaSet(mk('m'), Buffer.from('hi'), { clientFlags: 5, ttl: 100, returnCas: true }),
        Expect.Meta,
      ),
    ).toMatchObject({
      code: 'HD',
      flags: { cas: expect.any(BigInt) },
    });
    const mg = await send(
      encodeMetaGet(mk('m'), { value: true, clientFlags: true, ttl: true, returnKey: true, opaque: 'x1' }),
      Expect.Meta,
    );
    expect(mg).toMatchObject({ code: 'VA', flags: { clientFlags: 5, opaque: 'x1', key: `${prefix}m` } });
    expect(await send(encodeMetaGet(mk('none')), Expect.Meta)).toMatchObject({ code: 'EN' });
    expect(
      await send(encodeMetaArithmetic(mk('ctr'), { vivify: 0, initial: 10n, value: true }), Expect.Meta),
    ).toMatchObject({ code: 'VA' });
    expect(await send(encodeMetaDebug(mk('m')), Expect.Meta)).toMatchObject({ code: 'ME' });
    expect(await send(encodeMetaDelete(mk('m'), { invalidate: true, ttl: 30 }), Expect.Meta)).toMatchObject({
      code: 'HD',
    });
    expect(await send(encodeMetaGet(mk('m'), { value: true }), Expect.Meta)).toMatchObject({
      code: 'VA',
      flags: { stale: true, won: true },
    });
    expect(await send(encodeMetaNoop(), Expect.Meta)).toMatchObject({ code: 'MN' });
    const bin = Buffer.from([0, 1, 2, 255]);
    expect(await send(encodeMetaSet(bin, Buffer.from('b')), Expect.Meta)).toMatchObject({ code: 'HD' });
    expect(await send(encodeMetaGet(bin, { value: true }), Expect.Meta)).toMatchObject({ code: 'VA' });
  });

  it('flush_all (on a server of its own) and quit', async () => {
    const own = await startMemcached();
    const c = connect(own.port!, own.host!);
    const p = new ReplyParser();
    const replies: Reply[] = [];
    c.on('data', (d) => {
      p.push(d);
      for (let r = p.read(Expect.Ok); r; r = p.read(Expect.Ok)) replies.push(r);
    });
    await new Promise((r) => c.once('connect', r));
    c.write(
      Buffer.concat([encodeFlushAll(), encodeFlushAll(10), encodeFlushAll(0, true), encodeFlushAll(5)]),
    );
    const closed = new Promise((r) => c.once('close', r));
    for (let i = 0; i < 100 && replies.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(replies).toEqual([1, 2, 3].map(() => ({ type: 'status', status: 'OK' })));
    c.write(encodeQuit());
    await closed;
    await own.stop();
  });

  it('negative exptime expires at once; a 2 MiB value crosses many socket chunks both ways', async () => {
    const expired = k('gone');
    expect(await send(encodeStorage('set', expired, 0, -1, Buffer.from('x')), Expect.Store)).toMatchObject({
      status: 'STORED',
    });
    expect(await send(encodeGet([expired]), Expect.Values)).toEqual({ type: 'values', values: [] });
    const big = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    await send(encodeStorage('set', k('big'), 3, 0, big), Expect.Store);
    await send(encodeMetaSet(mk('bigm'), big, { clientFlags: 4 }), Expect.Meta);
    // Pipelined: both big replies and the small ones after them arrive together, split anywhere.
    const replies = await Promise.all([
      send(encodeGet([k('big'), k('none')]), Expect.Values),
      send(encodeMetaGet(mk('bigm'), { value: true, clientFlags: true, size: true }), Expect.Meta),
      send(encodeMetaNoop(), Expect.Meta),
    ]);
    const got = replies[0] as Extract<Reply, { type: 'values' }>;
    expect(got.values.length).toBe(1);
    expect(Buffer.compare(Buffer.from(got.values[0]!.value), big)).toBe(0);
    const mg = replies[1] as Extract<Reply, { type: 'meta' }>;
    expect(mg.flags).toMatchObject({ clientFlags: 4, size: big.length });
    expect(Buffer.compare(Buffer.from(mg.value!), big)).toBe(0);
    expect(replies[2]).toMatchObject({ code: 'MN' });
  });

  it('quiet meta commands answer only what matters, fenced by mn', async () => {
    // Quiet successes and misses send nothing: the next reply read is the one after them.
    sock.write(encodeMetaSet(mk('q1'), Buffer.from('v'), { quiet: true }));
    sock.write(encodeMetaGet(mk('q-missing'), { value: true, quiet: true }));
    sock.write(encodeMetaDelete(mk('q1'), { quiet: true }));
    expect(await send(encodeMetaArithmetic(mk('q-missing'), { opaque: 'z' }), Expect.Meta)).toEqual({
      type: 'meta',
      code: 'NF',
      flags: { opaque: 'z' },
    });
    expect(await send(encodeMetaGet(mk('q1'), { value: true }), Expect.Meta)).toEqual({
      type: 'meta',
      code: 'EN',
      flags: {},
    });
    // A quiet failure is still answered, before the mn that fences the batch.
    const [ns, mn] = await Promise.all([
      send(
        encodeMetaSet(mk('q2'), Buffer.from('v'), { quiet: true, mode: 'replace', opaque: 'r' }),
        Expect.Meta,
      ),
      send(encodeMetaNoop(), Expect.Meta),
    ]);
    expect(ns).toEqual({ type: 'meta', code: 'NS', flags: { opaque: 'r' } });
    expect(mn).toEqual({ type: 'meta', code: 'MN', flags: {} });
  });
});

describe('server commands that change server state, on a server of their own', () => {
  it('stats reset, stats detail on/dump/off, stats cachedump, ERROR with a reason', async () => {
    const own = await startMemcached();
    const c = connect(own.port!, own.host!);
    const p = new ReplyParser();
    const queue: Array<{ expect: Expect; resolve: (r: Reply) => void }> = [];
    c.on('data', (d) => {
      p.push(d);
      for (let r = queue[0] && p.read(queue[0].expect); r; r = queue[0] && p.read(queue[0].expect))
        queue.shift()!.resolve(r);
    });
    await new Promise((r) => c.once('connect', r));
    const ask = (bytes: Buffer, expect: Expect) =>
      new Promise<Reply>((resolve) => {
        queue.push({ expect, resolve });
        c.write(bytes);
      });
    try {
      await ask(encodeStorage('set', encodeKey('one'), 0, 0, Buffer.from('1')), Expect.Store);
      expect(await ask(encodeStats('reset'), Expect.Stats)).toEqual({ type: 'status', status: 'RESET' });
      expect(await ask(encodeStats('detail', 'on'), Expect.Stats)).toEqual({ type: 'status', status: 'OK' });
      await ask(encodeGet([encodeKey('pre:fix')]), Expect.Values);
      const dump = (await ask(encodeStats('detail', 'dump'), Expect.Stats)) as Extract<
        Reply,
        { type: 'stats' }
      >;
      expect(dump.stats[0]?.[0]).toBe('pre');
      expect(await ask(encodeStats('detail', 'off'), Expect.Stats)).toMatchObject({ status: 'OK' });
      const items = (await ask(encodeStats('items'), Expect.Stats)) as Extract<Reply, { type: 'stats' }>;
      const slab = items.stats.find(([n]) => /^items:\d+:number$/.test(n))![0].split(':')[1];
      // Which items cachedump lists depends on the LRU maintainer's timing; the line format does not.
      const cachedump = (await ask(encodeStats('cachedump', slab!, '10'), Expect.Stats)) as Extract<
        Reply,
        { type: 'stats' }
      >;
      expect(cachedump.type).toBe('stats');
      for (const [name, value] of cachedump.stats) {
        expect(name).toBe('one');
        expect(value).toMatch(/^\[1 b; \d+ s\]$/);
      }
      const shutdown = await ask(encodeShutdown(), Expect.Ok);
      expect(shutdown.type === 'error' && shutdown.error).toBeInstanceOf(UnknownCommandError);
    } finally {
      c.destroy();
      await own.stop();
    }
  });
});
