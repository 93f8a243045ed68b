// Keyv on memcached: Keyv + @mc/keyv against Keyv + @keyv/memcache (memjs), on one memcached that
// this script starts on loopback. Bounded (op count and time per cell), 3 rounds in rotated order,
// medians and ratios. Uses the built packages: run `pnpm build` first.
//
//   pnpm --filter @mc/bench bench:keyv            # 3 rounds
//   pnpm --filter @mc/bench bench:keyv -- --quick # 1 round, shorter cells
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import KeyvMemcache from '@keyv/memcache';
import { Client } from '@mc/client';
import { McKeyvStore } from '@mc/keyv';
import { startMemcached } from '@mc/testing';
import Keyv from 'keyv';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const CELL_MS = quick ? 400 : 1500;
const CELL_MAX_OPS = quick ? 20_000 : 200_000;
const KEYS = 1000;
const VALUE = 'v'.repeat(100);

const server = await startMemcached({ memoryMb: 256, threads: 2 });
const contenders = {
  '@mc/keyv': () => {
    const client = new Client(server.address);
    return {
      keyv: new Keyv({ store: new McKeyvStore(client), namespace: 'mc' }),
      close: () => client.quit(),
    };
  },
  '@mc/keyv (generationMaxAge 1000)': () => {
    const client = new Client(server.address);
    const store = new McKeyvStore(client, { generationMaxAge: 1000 });
    return { keyv: new Keyv({ store, namespace: 'mc-cached' }), close: () => client.quit() };
  },
  '@keyv/memcache': () => {
    const store = new KeyvMemcache(server.address);
    return { keyv: new Keyv({ store, namespace: 'memjs' }), close: async () => store.client.close() };
  },
};

const key = (i) => `key:${i % KEYS}`;

/** Set while warming up: cells are cut short and not recorded. */
let warming = false;

/** Runs `op(i)` with `inFlight` calls outstanding until CELL_MAX_OPS or CELL_MS; returns ops/s. */
async function drive(inFlight, op, opsPerCall = 1) {
  let started = 0;
  let done = 0;
  const t0 = performance.now();
  const deadline = t0 + (warming ? CELL_MS / 4 : CELL_MS);
  const maxOps = warming ? CELL_MAX_OPS / 10 : CELL_MAX_OPS;
  const worker = async () => {
    while (started < maxOps && performance.now() < deadline) {
      const i = started++;
      await op(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (done * opsPerCall) / ((performance.now() - t0) / 1000);
}

function check(value, i) {
  if (value !== VALUE) throw new Error(`wrong value for ${key(i)}: ${String(value).slice(0, 40)}`);
}

const scenarios = {
  'get, 1 in flight': (keyv) => drive(1, async (i) => check(await keyv.get(key(i)), i)),
  'get, 100 in flight': (keyv) => drive(100, async (i) => check(await keyv.get(key(i)), i)),
  'set, 100 in flight': (keyv) => drive(100, (i) => keyv.set(key(i), VALUE)),
  'getMany of 100 keys, 10 in flight (keys/s)': (keyv) =>
    drive(
      10,
      async (i) => {
        const keys = Array.from({ length: 100 }, (_, j) => key(i * 100 + j));
        const values = await keyv.getMany(keys);
        if (values.length !== 100) throw new Error('getMany lost keys');
        for (const [j, v] of values.entries()) check(v, i * 100 + j);
      },
      100,
    ),
};

const results = new Map(); // scenario -> contender -> ops/s per round
const names = Object.keys(contenders);
const open = {};
try {
  for (const name of names) {
    open[name] = contenders[name]();
    await Promise.all(Array.from({ length: KEYS }, (_, i) => open[name].keyv.set(key(i), VALUE))); // preload
  }
  // Warm-up: every contender runs every scenario once, unrecorded, so no one pays for the JIT.
  warming = true;
  for (const name of names) for (const run of Object.values(scenarios)) await run(open[name].keyv);
  warming = false;
  // Cell by cell, contenders in a rotated order, so a burst of load elsewhere on the machine does
  // not fall on one contender's whole run.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [s, [scenario, run]] of Object.entries(scenarios).entries()) {
      const order = names.map((_, i) => names[(i + round + s) % names.length]);
      for (const name of order) {
        const opsPerSec = await run(open[name].keyv);
        if (!results.has(scenario)) results.set(scenario, new Map());
        const byName = results.get(scenario);
        if (!byName.has(name)) byName.set(name, []);
        byName.get(name).push(opsPerSec);
      }
    }
  }
} finally {
  for (const c of Object.values(open)) await c.close();
  await server.stop();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
console.log(
  `Keyv adapters on memcached (${server.args.join(' ')}), Node ${process.version}, ` +
    `${ROUNDS} round(s), median; ratio to @keyv/memcache; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
for (const [scenario, byName] of results) {
  console.log(`\n${scenario}\n| adapter | ops/s | ratio |\n|---|---|---|`);
  const base = median(byName.get('@keyv/memcache'));
  for (const name of names) {
    const m = median(byName.get(name));
    console.log(`| ${name} | ${fmt(m)} | ${(m / base).toFixed(2)} |`);
  }
}
