// The scenarios of issue 10. Every loop is bounded by a count and a time limit.

export const KEYS_100B = 1000;
export const KEYS_100K = 10;

/** The value preloaded under a key: deterministic, so any client's answer can be checked. */
export function expectedValue(key) {
  const [kind] = key.split(':');
  const size =
    kind === 's100' ? 100 : kind === 's100k' ? 100 * 1024 : kind === 's16m' ? 16 * 1024 * 1024 - 4096 : 0;
  const seed = `${key}|`;
  return seed.repeat(Math.ceil(size / seed.length)).slice(0, size);
}

export const preload = [
  ...Array.from({ length: KEYS_100B }, (_, i) => `s100:${i}`),
  ...Array.from({ length: KEYS_100K }, (_, i) => `s100k:${i}`),
  's16m:0',
];

const key100 = (i) => `s100:${(i * 7919) % KEYS_100B}`;
const SET_VALUE = Buffer.alloc(1024, 0x61);

/**
 * Each scenario: op(client, check) → (i) => Promise. Values of every 16th op are checked, so a
 * broken client cannot look fast. unitsPerOp turns multi-gets into keys/s.
 */
export const SCENARIOS = [
  {
    id: 'serial-get-100B',
    title: '1. serial get, 100 B, 1 in flight',
    concurrency: 1,
    quick: { total: 3000, maxMs: 2000 },
    full: { total: 40000, maxMs: 3000 },
    op: (c, check) => async (i) => {
      const k = key100(i);
      const v = await c.get(k);
      if ((i & 15) === 0) check(k, v);
    },
  },
  ...[100, 1000].map((concurrency) => ({
    id: `get-100B-x${concurrency}`,
    title: `2. get 100 B, ${concurrency} in flight`,
    concurrency,
    quick: { total: 30000, maxMs: 2500 },
    full: { total: 1500000, maxMs: 3000 },
    op: (c, check) => async (i) => {
      const k = key100(i);
      const v = await c.get(k);
      if ((i & 15) === 0) check(k, v);
    },
  })),
  {
    id: 'multiget-100',
    title: '3. multi-get of 100 keys (keys/s)',
    concurrency: 1,
    unitsPerOp: 100,
    quick: { total: 400, maxMs: 2500 },
    full: { total: 18000, maxMs: 3000 },
    op: (c, check) => async (i) => {
      const keys = Array.from({ length: 100 }, (_, j) => key100(i * 100 + j));
      const m = await c.getMulti(keys);
      if ((i & 3) === 0) for (const k of keys.slice(0, 5)) check(k, m.get(k));
    },
  },
  {
    id: 'set-1K-x100',
    title: '4. set 1 KiB, 100 in flight',
    concurrency: 100,
    quick: { total: 30000, maxMs: 2500 },
    full: { total: 1200000, maxMs: 3000 },
    op: (c) => async (i) => {
      const ok = await c.set(`bset:${i % 5000}`, SET_VALUE);
      if (ok === false) throw new Error('set failed');
    },
  },
  {
    id: 'get-100K-x10',
    title: '5. get 100 KiB, 10 in flight',
    concurrency: 10,
    quick: { total: 2000, maxMs: 2500 },
    full: { total: 60000, maxMs: 3000 },
    op: (c, check) => async (i) => {
      const k = `s100k:${i % KEYS_100K}`;
      const v = await c.get(k);
      if ((i & 15) === 0) check(k, v);
    },
  },
  {
    id: 'mix-90-10-x50',
    title: '6. 90/10 get/set mix, 50 in flight',
    concurrency: 50,
    quick: { total: 30000, maxMs: 2500 },
    full: { total: 1200000, maxMs: 3000 },
    op: (c, check) => async (i) => {
      if (i % 10 === 9) {
        await c.set(`bmix:${i % 1000}`, SET_VALUE);
        return;
      }
      const k = key100(i);
      const v = await c.get(k);
      if ((i & 15) === 0) check(k, v);
    },
  },
  {
    id: 'get-16M',
    title: '7. get 16 MiB, 1 in flight',
    concurrency: 1,
    quick: { total: 4, maxMs: 2500 },
    full: { total: 200, maxMs: 4000 },
    op: (c, check) => async (i) => {
      const v = await c.get('s16m:0');
      if (i === 0) check('s16m:0', v);
    },
  },
];
