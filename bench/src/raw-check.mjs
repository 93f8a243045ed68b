// Self-check of the baseline (raw-client.mjs): every reply of a bounded mixed load is compared with
// what was stored, for both raw and raw-merged. Values of many sizes (so replies straddle socket
// chunks at every offset: header, body, trailing CRLF), misses between hits, duplicate keys in one
// tick, sets between gets of the same key in one tick. Exits non-zero on the first wrong answer.
// Usage: pnpm --filter @mc/bench bench:raw-check
import { startServer } from './memcached-server.mjs';
import { rawClient } from './raw-client.mjs';

const sizes = [0, 1, 2, 99, 100, 1000, 8191, 65535, 65536, 65537, 100_000, 300_001, 2 * 1024 * 1024 + 3];
const makeValue = (key, size) => {
  const seed = `${key}#`;
  return Buffer.from(seed.repeat(Math.ceil(size / seed.length) || 1).slice(0, size), 'latin1');
};

const server = await startServer({ args: ['-I', '4m'], memoryMb: 256 });
const [host, port] = server.address.split(':');
let checked = 0;
try {
  for (const merge of [false, true]) {
    const c = await rawClient(host, Number(port), { merge });
    const stored = new Map();
    await Promise.all(
      sizes.map((size, i) => {
        const key = `chk:${merge}:${i}`;
        stored.set(key, makeValue(key, size));
        return c.set(key, stored.get(key));
      }),
    );
    const keys = [...stored.keys()];
    const same = (got, want, what) => {
      const ok =
        want === undefined ? got === undefined : got !== undefined && Buffer.compare(got, want) === 0;
      if (!ok) throw new Error(`raw (merge ${merge}): wrong reply for ${what}: got length ${got?.length}`);
      checked++;
    };
    // 40 ticks of 250 requests each: gets of hits and misses (duplicates too), multi-gets, and sets
    // that change a key after a get of it in the same tick (the get must see the old value).
    for (let tick = 0; tick < 40; tick++) {
      const pending = [];
      for (let j = 0; j < 250; j++) {
        const r = (tick * 251 + j * 17) % 100;
        const key = keys[(tick + j) % keys.length];
        if (r < 60) {
          const want = stored.get(key);
          pending.push(c.get(key).then((v) => same(v, want, `get ${key}`)));
        } else if (r < 75) {
          pending.push(c.get(`missing:${tick}:${j}`).then((v) => same(v, undefined, 'a miss')));
        } else if (r < 85) {
          const ks = [key, `missing:${j}`, keys[(j * 7) % keys.length], key];
          const wants = ks.map((k) => stored.get(k));
          pending.push(
            c.getMulti(ks).then((m) => {
              for (const [n, k] of ks.entries()) same(m.get(k), wants[n], `getMulti ${k}`);
            }),
          );
        } else if (r < 90 && stored.get(key).length < 70_000) {
          const next = makeValue(`${key}:${tick}:${j}`, stored.get(key).length + (j % 3));
          stored.set(key, next);
          pending.push(c.set(key, next).then((ok) => same(ok ? next : undefined, next, `set ${key}`)));
        } else {
          const want = stored.get(key);
          pending.push(c.get(key).then((v) => same(v, want, `get ${key} (again)`)));
        }
      }
      await Promise.all(pending);
    }
    await c.close();
  }
  console.log(`raw-check: ${checked} replies checked, all right`);
} finally {
  await server.stop();
}
