// Binary protocol vs text: mc's text Client, mc's BinaryClient and memjs (binary protocol), on gets
// and sets with N requests in flight, against one memcached started here (auto protocol, so all
// three talk to the same server). Median of 3 rounds, clients interleaved and rotated per round.
//
// Usage (after `pnpm build`): node src/binary-bench.mjs [--rounds 3] [--ops 40000] [--inflight 1,16,128]
// BinaryClient comes from @mc/client once it is exported there; until then pass a bundle of
// packages/client/src/binary/index.ts with --binary-module <file> (see docs/migrating-from-memjs.md).
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(arg('--rounds', 3));
const opsPerCell = Number(arg('--ops', 40_000));
const inflights = arg('--inflight', '1,16,128').split(',').map(Number);
const valueSize = Number(arg('--value-size', 100));
const KEYS = 1000;

const { Client, ...clientExports } = await import('@mc/client');
const { startMemcached } = await import('@mc/testing');
const binaryModule = arg('--binary-module', process.env.MC_BINARY_MODULE);
const BinaryClient =
  clientExports.BinaryClient ??
  (binaryModule ? (await import(pathToFileURL(binaryModule).href)).BinaryClient : undefined);
if (!BinaryClient) {
  console.error('BinaryClient is not exported by @mc/client yet: pass --binary-module <bundle.mjs>');
  process.exit(2);
}

const server = await startMemcached({ memoryMb: 256, threads: 2 });
const value = Buffer.alloc(valueSize, 'v');
const key = (i) => `bench:binary:${i % KEYS}`;

/** Every client behind { get, set, close }; values are Buffers (flags 0) for all three. */
function makeClients() {
  const memjs = require('memjs');
  const m = memjs.Client.create(server.address, {
    timeout: 30,
    conntimeout: 5,
    retries: 0,
    logger: { log() {} },
  });
  const text = new Client(server.address, { timeout: 30_000 });
  const binary = new BinaryClient(server.address, { timeout: 30_000 });
  return {
    'mc text': { get: (k) => text.get(k), set: (k, v) => text.set(k, v), close: () => text.close() },
    'mc binary': { get: (k) => binary.get(k), set: (k, v) => binary.set(k, v), close: () => binary.close() },
    memjs: {
      get: async (k) => (await m.get(k)).value ?? undefined,
      set: (k, v) => m.set(k, v, {}),
      close: async () => m.close(),
    },
  };
}

/** ops operations with `inflight` of them outstanding at any time; returns ops per second. */
async function run(op, inflight, ops) {
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < ops) {
      const i = next++;
      await op(i);
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  return ops / ((performance.now() - t0) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const clients = makeClients();
  const names = Object.keys(clients);
  // Load the keys, and check every client reads what another wrote before anything is timed.
  await Promise.all(Array.from({ length: KEYS }, (_, i) => clients['mc text'].set(key(i), value)));
  for (const name of names) {
    const got = await clients[name].get(key(7));
    if (!got || !Buffer.from(got).equals(value)) throw new Error(`${name} read a wrong value`);
  }
  const cells = [];
  for (const kind of ['get', 'set']) for (const inflight of inflights) cells.push({ kind, inflight });
  const results = new Map(); // "kind/inflight/name" → ops/s per round
  for (let round = 0; round < rounds; round++) {
    for (const [c, cell] of cells.entries()) {
      const order = names.map((_, i) => names[(i + round + c) % names.length]);
      for (const name of order) {
        const client = clients[name];
        const op = cell.kind === 'get' ? (i) => client.get(key(i)) : (i) => client.set(key(i), value);
        await run(op, cell.inflight, Math.min(2000, opsPerCell)); // warm-up
        const rate = await run(op, cell.inflight, opsPerCell);
        const id = `${cell.kind}/${cell.inflight}/${name}`;
        results.set(id, [...(results.get(id) ?? []), rate]);
      }
    }
  }
  console.log(
    `binary vs text: ${cpus().length} cores, node ${process.version}, ${rounds} rounds × ${opsPerCell} ops, ${valueSize}-byte values, memcached at ${server.address}`,
  );
  console.log(
    '| op | in flight | mc text ops/s | mc binary ops/s | memjs ops/s | binary / text | binary / memjs |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const { kind, inflight } of cells) {
    const m = Object.fromEntries(names.map((n) => [n, median(results.get(`${kind}/${inflight}/${n}`))]));
    const f = (x) => Math.round(x).toLocaleString('en-US');
    console.log(
      `| ${kind} | ${inflight} | ${f(m['mc text'])} | ${f(m['mc binary'])} | ${f(m.memjs)} | ${(m['mc binary'] / m['mc text']).toFixed(2)} | ${(m['mc binary'] / m.memjs).toFixed(2)} |`,
    );
  }
  await Promise.all(names.map((n) => clients[n].close()));
} finally {
  await server.stop();
}
