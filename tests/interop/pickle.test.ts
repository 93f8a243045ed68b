import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@mc/client';
import { FLAGS, withCodec, zlibCodec } from '@mc/serde';
import { dumps, isPickleError, loads, pickleSerde } from '@mc/serde-pickle';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dict, difference, frozenset, tuple } from '../../packages/serde-pickle/test/same.js';
import { uniquePrefix } from '../helpers.js';
import { rawGet } from './raw-item.js';

// Debian's python3-pymemcache is installed for /usr/bin/python3; the python3 first on PATH may not see it.
const PYTHON = '/usr/bin/python3';
const peer = join(import.meta.dirname, 'pickle_peer.py');
const server = inject('memcached');
const [host, port] = server.split(':') as [string, string];

function python<T>(args: string[], input?: unknown): T {
  const out = execFileSync(PYTHON, [peer, ...args], {
    encoding: 'utf8',
    input: input === undefined ? undefined : JSON.stringify(input),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}

function deep(n: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

const shared = [1, 2];

/** CASES of pickle_peer.py, as mc reads them (see the package README for the mapping). */
const cases: Record<string, unknown> = {
  none: null,
  true: true,
  false: false,
  int_small: 7,
  int_neg: -1,
  int_byte: 255,
  int_16: 65535,
  int_min32: -(2 ** 31),
  int_2_31: 2 ** 31,
  int_safe: 2 ** 53 - 1,
  int_unsafe: 2n ** 53n,
  int_neg_big: -(2n ** 64n) - 1n,
  int_huge: 10n ** 100n,
  float: 1.5,
  float_neg_zero: -0,
  float_int: 3,
  float_tiny: 5e-324,
  float_big: 1e300,
  float_unsafe_int: 2 ** 60,
  float_inf: Number.POSITIVE_INFINITY,
  float_ninf: Number.NEGATIVE_INFINITY,
  float_nan: Number.NaN,
  str: 'héllo €',
  str_empty: '',
  str_emoji: '😀',
  str_ctrl: 'a\\b\n\r\0\x1a "\'',
  str_long: `${'x'.repeat(300)}é`,
  surrogate_in_list: ['\ud800x'],
  bytes: Buffer.from([0, 255, 10]),
  bytes_empty: Buffer.alloc(0),
  bytes_long: Buffer.concat([
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  ]),
  bytearray: new Uint8Array([1, 2]),
  bytearray_empty: new Uint8Array(0),
  list: [1, 'a', null],
  list_empty: [],
  list_long: Array.from({ length: 1500 }, (_, i) => i),
  tuple: tuple(1, 2),
  tuple_empty: tuple(),
  tuple1: tuple('x'),
  tuple4: tuple(1, 2, 3, 4),
  dict: dict({ a: 1, b: [true, null] }),
  dict_empty: dict({}),
  dict_long: dict(Array.from({ length: 1200 }, (_, i): [string, unknown] => [`k${i}`, i])),
  dict_numeric_str_keys: dict({ b: 1, '10': 2, '2': 3 }),
  dict_int_keys: new Map<unknown, unknown>([
    [1, 'one'],
    [2, 'two'],
  ]),
  dict_mixed_keys: new Map<unknown, unknown>([
    ['a', 1],
    [2, 'b'],
    [tuple(1, 'x'), null],
    [null, 0],
    [Buffer.from('k'), 1.5],
    [frozenset(1), 2],
  ]),
  dict_proto: dict([
    ['__proto__', dict({ polluted: true })],
    ['constructor', 1],
  ]),
  set: new Set([1, 'a', tuple(1, 2)]),
  set_empty: new Set(),
  frozenset: frozenset(1, 2),
  frozenset_empty: frozenset(),
  set_of_frozensets: new Set([frozenset(1)]),
  nested: dict({
    users: [dict({ id: 1, tags: tuple('a', 'b'), score: 9.5 })],
    meta: dict({ n: 2n ** 70n }),
  }),
  shared: [shared, shared],
  deep: deep(50),
};
/** Python values mc cannot write back with the same Python type (it reads them as another JS type). */
const readOnly = new Set(['float_int', 'bytearray', 'bytearray_empty']);
const names = Object.keys(cases);
const writable = names.filter((n) => !readOnly.has(n));

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('pickles exchanged with CPython (/usr/bin/python3)', () => {
  const vectors = python<Record<string, string[]>>(['vectors']);

  it('the peer and this test hold the same cases', () => {
    expect(Object.keys(vectors).sort()).toEqual([...names].sort());
  });

  it('loads reads every case pickled by Python in protocols 0 to 5, exactly', () => {
    const problems: string[] = [];
    for (const name of names)
      (vectors[name] ?? []).forEach((h, protocol) => {
        try {
          const d = difference(loads(Buffer.from(h, 'hex')), cases[name]);
          if (d) problems.push(`${name} protocol ${protocol}: ${d}`);
        } catch (err) {
          problems.push(`${name} protocol ${protocol}: threw ${String(err)}`);
        }
      });
    expect(problems).toEqual([]);
    expect(Object.values(vectors).flat()).toHaveLength(names.length * 6);
  });

  it('dumps writes pickles (protocols 2 to 5) that pickle.loads turns into equal values of the same types', () => {
    const todo = Object.fromEntries(
      writable.map((n) => [
        n,
        ([2, 3, 4, 5] as const).map((protocol) => dumps(cases[n], { protocol }).toString('hex')),
      ]),
    );
    const result = python<Record<string, (string | null)[]>>(['check'], todo);
    expect(Object.keys(result)).toHaveLength(writable.length);
    const problems = Object.entries(result).flatMap(([n, diffs]) =>
      diffs.flatMap((d, i) => (d === null ? [] : [`${n} protocol ${i + 2}: ${d}`])),
    );
    expect(problems).toEqual([]);
  });

  it("every truncation of Python's pickles, and four changes of each byte, give a value or a PickleError", () => {
    let loaded = 0;
    let refused = 0;
    const foreign: string[] = [];
    const attempt = (bytes: Buffer, what: string) => {
      try {
        loads(bytes);
        loaded++;
      } catch (err) {
        if (isPickleError(err)) refused++;
        else foreign.push(`${what}: ${String(err)}`);
      }
    };
    for (const [name, hexes] of Object.entries(vectors))
      for (const h of hexes) {
        const bytes = Buffer.from(h, 'hex');
        if (bytes.length > 200) continue; // the long cases add time, not new opcodes
        for (let n = 0; n < bytes.length; n++) attempt(bytes.subarray(0, n), `${name} cut at ${n}`);
        for (let i = 0; i < bytes.length; i++)
          for (const change of [0x00, 0xff, 0x2e, ((bytes[i] as number) + 1) & 0xff]) {
            const mutated = Buffer.from(bytes);
            mutated[i] = change;
            attempt(mutated, `${name} byte ${i} = ${change}`);
          }
      }
    expect(foreign).toEqual([]);
    console.log(`mutation run: ${loaded} loaded, ${refused} refused with a PickleError`);
    expect(refused).toBeGreaterThan(5_000);
    expect(loaded).toBeGreaterThan(0);
  });
});

describe('values exchanged with pymemcache through memcached', () => {
  it("reads what pymemcache's serde stores at every pickle_version and by default (protocol 5 on Python 3.11)", async () => {
    const prefix = uniquePrefix('pkl-py');
    const versions = python<{ default_pickle_version: number; highest: number }>([
      'mc-write',
      host,
      port,
      prefix,
    ]);
    expect(versions).toEqual({ default_pickle_version: 5, highest: 5 });
    const client = new Client(server, { keyPrefix: prefix, serde: pickleSerde() });
    clients.push(client);
    const problems: string[] = [];
    for (const group of ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'default']) {
      const got = await client.getMany(names.map((n) => `${group}:${n}`));
      for (const name of names) {
        const key = `${group}:${name}`;
        if (!got.has(key)) problems.push(`${key}: missing`);
        const d = difference(got.get(key), cases[name]);
        if (d) problems.push(`${key}: ${d}`);
      }
    }
    expect(problems).toEqual([]);
    // What pymemcache stored: str, bytes and int under their own flags, everything else pickled with protocol 5.
    const raw = await rawGet(
      server,
      ['str', 'bytes', 'int_huge', 'dict', 'true'].map((n) => `${prefix}default:${n}`),
    );
    expect([...raw.values()].map((item) => item.flags)).toEqual([
      FLAGS.TEXT,
      FLAGS.BYTES,
      FLAGS.INTEGER,
      FLAGS.PICKLE,
      FLAGS.PICKLE,
    ]);
    expect(raw.get(`${prefix}default:dict`)?.bytes.subarray(0, 2)).toEqual(Buffer.from([0x80, 5]));
  });

  it("reads pickles that pymemcache 4's CompressedSerde zlib-compressed, with withCodec(pickleSerde(), zlibCodec())", async () => {
    const prefix = uniquePrefix('pkl-z');
    python(['mc-write', host, port, prefix]);
    const client = new Client(server, {
      keyPrefix: prefix,
      serde: withCodec(pickleSerde(), zlibCodec(), { minSize: 401 }),
    });
    clients.push(client);
    const got = await client.getMany(names.map((n) => `zlib:${n}`));
    const problems = names.flatMap((n) => {
      const d = got.has(`zlib:${n}`) ? difference(got.get(`zlib:${n}`), cases[n]) : 'missing';
      return d ? [`${n}: ${d}`] : [];
    });
    expect(problems).toEqual([]);
    const raw = await rawGet(server, [`${prefix}zlib:dict_long`, `${prefix}zlib:str_long`]);
    expect([...raw.values()].map((item) => item.flags)).toEqual([
      FLAGS.PICKLE | FLAGS.COMPRESSED,
      FLAGS.TEXT,
    ]);
  });

  it("pymemcache's pickle_serde reads what pickleSerde stores, with the flags pymemcache itself would use", async () => {
    const prefix = uniquePrefix('pkl-mc');
    const client = new Client(server, { keyPrefix: prefix, serde: pickleSerde() });
    clients.push(client);
    for (const name of writable) expect(await client.set(name, cases[name])).toBe(true);
    const result = python<Record<string, [number | null, string | null]>>(
      ['mc-read', host, port, prefix],
      writable,
    );
    const problems = Object.entries(result).flatMap(([n, [, d]]) => (d === null ? [] : [`${n}: ${d}`]));
    expect(problems).toEqual([]);
    expect(Object.keys(result)).toHaveLength(writable.length);
    const flags = Object.fromEntries(Object.entries(result).map(([n, [f]]) => [n, f]));
    expect(flags).toMatchObject({
      str: 16,
      bytes: 0,
      int_small: 2,
      int_huge: 2,
      int_unsafe: 2,
      true: 1,
      float: 1,
      dict: 1,
      none: 1,
    });
  });
});
