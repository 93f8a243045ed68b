import { describe, expect, it } from 'vitest';
import {
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
  encodeRaw,
  encodeShutdown,
  encodeStats,
  encodeStorage,
  encodeTouch,
  encodeVerbosity,
  encodeVersion,
  InvalidArgumentError,
  InvalidKeyError,
  isMemcacheError,
} from '../src/index.js';

const k = (s: string) => encodeKey(s);
const str = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('key rules', () => {
  it('accepts printable ASCII up to 250 bytes, prefix included', () => {
    expect(str(encodeKey('a'.repeat(250)))).toBe('a'.repeat(250));
    expect(str(encodeKey('key', { prefix: 'app:' }))).toBe('app:key');
    expect(() => encodeKey('a'.repeat(247), { prefix: 'app:' })).toThrow(InvalidKeyError);
  });
  it.each([
    ['empty', ''],
    ['space', 'a b'],
    ['CR LF', 'a\r\nset x 0 0 1'],
    ['tab', 'a\tb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['251 bytes', 'x'.repeat(251)],
  ])('rejects a key with %s', (_name, key) => {
    const err = (() => {
      try {
        encodeKey(key);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect(isMemcacheError(err) && err.code).toBe('MC_ERR_INVALID_KEY');
  });
  it('counts UTF-8 bytes, not characters, and needs allowUnicode for non-ASCII', () => {
    expect(() => encodeKey('clé')).toThrow(/allowUnicodeKeys/);
    expect(encodeKey('clé', { allowUnicode: true })).toEqual(Buffer.from('clé', 'utf8'));
    // 126 two-byte characters = 252 bytes, over the limit although only 126 characters.
    expect(() => encodeKey('é'.repeat(126), { allowUnicode: true })).toThrow(/bytes of UTF-8/);
    expect(encodeKey('é'.repeat(125), { allowUnicode: true }).length).toBe(250);
    expect(() => encodeKey('a\u2028b', { allowUnicode: true })).toThrow(InvalidKeyError);
  });
});

describe('text encoders: exact bytes', () => {
  const v = Buffer.from('va\r\nlue');
  it.each([
    ['set', encodeStorage('set', k('k'), 5, 10, v), 'set k 5 10 7\r\nva\r\nlue\r\n'],
    ['add noreply', encodeStorage('add', k('k'), 0, 0, v, true), 'add k 0 0 7 noreply\r\nva\r\nlue\r\n'],
    [
      'replace',
      encodeStorage('replace', k('k'), 4294967295, 2592000, v),
      'replace k 4294967295 2592000 7\r\nva\r\nlue\r\n',
    ],
    ['append', encodeStorage('append', k('k'), 0, 0, Buffer.alloc(0)), 'append k 0 0 0\r\n\r\n'],
    ['prepend', encodeStorage('prepend', k('k'), 1, 2, v, true), 'prepend k 1 2 7 noreply\r\nva\r\nlue\r\n'],
    [
      'cas',
      encodeCas(k('k'), 0, 0, v, 18446744073709551615n),
      'cas k 0 0 7 18446744073709551615\r\nva\r\nlue\r\n',
    ],
    ['cas noreply', encodeCas(k('k'), 0, 0, v, 1n, true), 'cas k 0 0 7 1 noreply\r\nva\r\nlue\r\n'],
    ['get', encodeGet([k('a')]), 'get a\r\n'],
    ['get many', encodeGet([k('a'), k('b'), k('c')]), 'get a b c\r\n'],
    ['gets', encodeGets([k('a'), k('b')]), 'gets a b\r\n'],
    ['gat', encodeGat(100, [k('a')]), 'gat 100 a\r\n'],
    ['gats', encodeGats(0, [k('a'), k('b')]), 'gats 0 a b\r\n'],
    ['delete', encodeDelete(k('a')), 'delete a\r\n'],
    ['delete noreply', encodeDelete(k('a'), true), 'delete a noreply\r\n'],
    ['incr', encodeIncr(k('a'), 18446744073709551615n), 'incr a 18446744073709551615\r\n'],
    ['decr noreply', encodeDecr(k('a'), 3, true), 'decr a 3 noreply\r\n'],
    ['touch', encodeTouch(k('a'), 60), 'touch a 60\r\n'],
    ['touch noreply', encodeTouch(k('a'), 60, true), 'touch a 60 noreply\r\n'],
    ['stats', encodeStats(), 'stats\r\n'],
    ['stats items', encodeStats('items'), 'stats items\r\n'],
    ['stats detail on', encodeStats('detail', 'on'), 'stats detail on\r\n'],
    ['flush_all', encodeFlushAll(), 'flush_all\r\n'],
    ['flush_all delay noreply', encodeFlushAll(10, true), 'flush_all 10 noreply\r\n'],
    ['version', encodeVersion(), 'version\r\n'],
    ['verbosity', encodeVerbosity(1, true), 'verbosity 1 noreply\r\n'],
    ['cache_memlimit', encodeCacheMemlimit(100), 'cache_memlimit 100\r\n'],
    ['shutdown', encodeShutdown(), 'shutdown\r\n'],
    ['shutdown graceful', encodeShutdown(true), 'shutdown graceful\r\n'],
    ['quit', encodeQuit(), 'quit\r\n'],
    ['raw', encodeRaw('config get cluster'), 'config get cluster\r\n'],
    [
      'negative exptime (expire at once)',
      encodeStorage('set', k('k'), 0, -1, v),
      'set k 0 -1 7\r\nva\r\nlue\r\n',
    ],
    ['touch negative', encodeTouch(k('a'), -(2 ** 31)), 'touch a -2147483648\r\n'],
  ])('%s', (_n, bytes, expected) => {
    expect(str(bytes)).toBe(expected);
  });

  it('refuses key bytes that would inject a command, even when not made by encodeKey', () => {
    const bad = Buffer.from('a\r\nflush_all');
    expect(() => encodeGet([k('ok'), bad])).toThrow(InvalidKeyError);
    expect(() => encodeDelete(Buffer.from('a b'))).toThrow(InvalidKeyError);
    expect(() => encodeStorage('set', Buffer.alloc(0), 0, 0, v)).toThrow(InvalidKeyError);
    expect(() => encodeTouch(Buffer.alloc(251, 0x61), 0)).toThrow(InvalidKeyError);
    expect(() => encodeIncr('k' as unknown as Uint8Array, 1)).toThrow(InvalidKeyError);
  });

  it('rejects bad numbers with InvalidArgumentError before producing bytes', () => {
    expect(() => encodeStorage('set', k('k'), -1, 0, v)).toThrow(InvalidArgumentError);
    expect(() => encodeStorage('set', k('k'), 2 ** 32, 0, v)).toThrow(InvalidArgumentError);
    expect(() => encodeStorage('set', k('k'), 0, 2 ** 31, v)).toThrow(InvalidArgumentError);
    expect(() => encodeStorage('set', k('k'), 0, -(2 ** 31) - 1, v)).toThrow(InvalidArgumentError);
    expect(() => encodeTouch(k('k'), Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => encodeGat(-(2 ** 32), [k('k')])).toThrow(InvalidArgumentError);
    expect(() => encodeFlushAll(-1)).toThrow(InvalidArgumentError);
    expect(() => encodeVerbosity(-1)).toThrow(InvalidArgumentError);
    expect(() => encodeCacheMemlimit(1.5)).toThrow(InvalidArgumentError);
    expect(() => encodeStorage('set', k('k'), 0, 0, 'text' as unknown as Uint8Array)).toThrow(
      InvalidArgumentError,
    );
    expect(() => encodeStorage('set', k('k'), 0, 1.5, v)).toThrow(InvalidArgumentError);
    expect(() => encodeIncr(k('k'), -1)).toThrow(InvalidArgumentError);
    expect(() => encodeIncr(k('k'), 2 ** 60)).toThrow(/bigint/);
    expect(() => encodeIncr(k('k'), 1n << 64n)).toThrow(InvalidArgumentError);
    expect(() => encodeCas(k('k'), 0, 0, v, -1n)).toThrow(InvalidArgumentError);
    expect(() => encodeGet([])).toThrow(InvalidArgumentError);
    expect(() => encodeStats('items\r\nflush_all')).toThrow(InvalidArgumentError);
    expect(() => encodeRaw('get a\r\nflush_all')).toThrow(InvalidArgumentError);
    expect(() => encodeStorage('cas' as 'set', k('k'), 0, 0, v)).toThrow(InvalidArgumentError);
  });
});

describe('meta encoders: exact bytes for every flag', () => {
  it.each([
    ['mg bare', encodeMetaGet('k'), 'mg k\r\n'],
    [
      'mg all return flags',
      encodeMetaGet('k', {
        value: true,
        cas: true,
        clientFlags: true,
        hitBefore: true,
        lastAccess: true,
        size: true,
        ttl: true,
        noBump: true,
        returnKey: true,
        opaque: 'o1',
        quiet: true,
      }),
      'mg k k Oo1 q v c f h l s t u\r\n',
    ],
    [
      'mg tokens',
      encodeMetaGet('k', { newCas: 5n, vivify: 30, recache: 10, touch: 60 }),
      'mg k E5 N30 R10 T60\r\n',
    ],
    ['mg base64 key', encodeMetaGet(Buffer.from([0, 255, 32]), { value: true }), 'mg AP8g b v\r\n'],
    ['mg key with space goes base64', encodeMetaGet('a b'), 'mg YSBi b\r\n'],
    ['ms', encodeMetaSet('k', Buffer.from('hi')), 'ms k 2\r\nhi\r\n'],
    [
      'ms all flags',
      encodeMetaSet('k', Buffer.from('hi'), {
        returnCas: true,
        compareCas: 7n,
        newCas: 8n,
        clientFlags: 16,
        invalidate: true,
        ttl: 100,
        mode: 'append',
        vivify: 30,
        returnKey: true,
        opaque: 'x',
        quiet: true,
      }),
      'ms k 2 k Ox q c C7 E8 F16 I T100 MA N30\r\nhi\r\n',
    ],
    ['ms add', encodeMetaSet('k', Buffer.alloc(0), { mode: 'add' }), 'ms k 0 ME\r\n\r\n'],
    ['ms replace', encodeMetaSet('k', Buffer.alloc(0), { mode: 'replace' }), 'ms k 0 MR\r\n\r\n'],
    ['ms prepend', encodeMetaSet('k', Buffer.alloc(0), { mode: 'prepend' }), 'ms k 0 MP\r\n\r\n'],
    [
      'md all flags',
      encodeMetaDelete('k', {
        compareCas: 1n,
        newCas: 2n,
        invalidate: true,
        ttl: 30,
        removeValue: true,
        quiet: true,
      }),
      'md k q C1 E2 I T30 x\r\n',
    ],
    [
      'ma all flags',
      encodeMetaArithmetic('k', {
        compareCas: 1n,
        newCas: 2n,
        vivify: 0,
        initial: 10n,
        delta: 5,
        ttl: 9,
        mode: 'decr',
        returnTtl: true,
        returnCas: true,
        value: true,
        opaque: 'a',
      }),
      'ma k Oa C1 E2 N0 J10 D5 T9 MD t c v\r\n',
    ],
    ['ms negative ttl', encodeMetaSet('k', Buffer.from('x'), { ttl: -1 }), 'ms k 1 T-1\r\nx\r\n'],
    ['md base64 key', encodeMetaDelete(Buffer.from([1, 2, 3]), { returnKey: true }), 'md AQID b k\r\n'],
    ['ma base64 key quiet', encodeMetaArithmetic(Buffer.from([0xff]), { quiet: true }), 'ma /w== b q\r\n'],
    ['me base64 key', encodeMetaDebug(Buffer.from([0])), 'me AA== b\r\n'],
    ['mg unicode key without allowUnicode goes base64', encodeMetaGet('é'), 'mg w6k= b\r\n'],
    [
      'mg unicode key with allowUnicode stays text',
      encodeMetaGet('é', { keyOptions: { allowUnicode: true } }),
      Buffer.from('mg é\r\n', 'utf8').toString('latin1'),
    ],
    ['mg prefixed', encodeMetaGet('k', { keyOptions: { prefix: 'p:' }, value: true }), 'mg p:k v\r\n'],
    ['ma incr default', encodeMetaArithmetic('k', { mode: 'incr' }), 'ma k\r\n'],
    ['mn', encodeMetaNoop(), 'mn\r\n'],
    ['me', encodeMetaDebug('k'), 'me k\r\n'],
  ])('%s', (_n, bytes, expected) => {
    expect(str(bytes)).toBe(expected);
  });

  it('rejects bad opaque and numbers', () => {
    expect(() => encodeMetaGet('k', { opaque: 'has space' })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaGet('k', { opaque: 'x'.repeat(33) })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaSet('k', Buffer.alloc(0), { clientFlags: -1 })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaGet(Buffer.alloc(0))).toThrow(InvalidKeyError);
    expect(() => encodeMetaGet(Buffer.alloc(251))).toThrow(InvalidKeyError);
    expect(() => encodeMetaGet('k', { vivify: -1 })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaGet('k', { recache: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaGet('k', { newCas: -1n })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaSet('k', Buffer.alloc(0), { mode: 'cas' as 'set' })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaSet('k', 'str' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => encodeMetaArithmetic('k', { delta: 1n << 64n })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaArithmetic('k', { mode: 'mul' as 'incr' })).toThrow(InvalidArgumentError);
    expect(() => encodeMetaDelete('k', { ttl: 2 ** 31 })).toThrow(InvalidArgumentError);
  });
});
