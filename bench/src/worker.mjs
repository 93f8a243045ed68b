// Runs every scenario once for one client, in its own process (so its peak RSS is its own), and
// prints one JSON line of results. Usage: node worker.mjs <client> <address> <quick|full>
import { makeClient } from './clients.mjs';
import { expectedValue, SCENARIOS } from './scenarios.mjs';

const [name, address, mode] = process.argv.slice(2);
const quick = mode === 'quick';
const client = await makeClient(name, address);

function check(key, got) {
  const want = expectedValue(key);
  const text =
    got === undefined || got === null
      ? undefined
      : Buffer.isBuffer(got) || got instanceof Uint8Array
        ? Buffer.from(got).toString('latin1')
        : String(got);
  if (text !== want)
    throw new Error(
      `${name}: wrong value for ${key}: ${text?.slice(0, 40)} (length ${text?.length}), want length ${want.length}`,
    );
}

/** Runs `op` with `concurrency` workers until `total` ops are done or `maxMs` has passed. */
async function drive(op, { total, concurrency, maxMs }) {
  const latencies = [];
  let done = 0;
  let issued = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  const worker = async () => {
    while (issued < total && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      await op(i);
      // Sample latencies (every 8th) to keep the array small.
      if ((i & 7) === 0) latencies.push(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const secs = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { ops: done, secs, opsPerSec: done / secs, p50: q(0.5), p99: q(0.99) };
}

const results = {};
for (const sc of SCENARIOS) {
  const size = quick ? sc.quick : sc.full;
  const op = sc.op(client, check);
  // Warm up: connections open, code paths compiled.
  await drive(op, {
    total: Math.min(200, size.total),
    concurrency: Math.min(sc.concurrency, 20),
    maxMs: 2000,
  });
  const r = await drive(op, { total: size.total, concurrency: sc.concurrency, maxMs: size.maxMs });
  r.unitsPerSec = r.opsPerSec * (sc.unitsPerOp ?? 1);
  results[sc.id] = r;
}
await client.close();
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ name, results, maxRssMb })}\n`);
process.exit(0);
