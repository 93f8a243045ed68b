// Runs every scenario once for one client, in its own process (so its peak RSS is its own), and
// prints one JSON line of results. Usage: node --expose-gc worker.mjs <client> <addr1,addr2,addr3> <quick|full> [ids]
// Per scenario: ops/s, sampled p50/p99, client CPU (process.cpuUsage() delta / calls, user + system:
// the whole worker process, so it includes the bench loop itself, the same for every client), and
// peak RSS so far (main.mjs runs one scenario per process, so it is that scenario's). The 'heap'
// step: heap per in-flight get (heapUsed growth while N gets are
// queued, divided by N), as bench/src/memory.mjs measures it for mc alone.
import { openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { makeClient } from './clients.mjs';
import { expectedValue, SCENARIOS } from './scenarios.mjs';

const [name, addressList, mode, scenarioIds = ''] = process.argv.slice(2);
// A comma-separated list of scenario ids (and/or 'heap'); empty: every scenario, no heap step.
const scenarios = scenarioIds ? SCENARIOS.filter((sc) => scenarioIds.split(',').includes(sc.id)) : SCENARIOS;
const quick = mode === 'quick';
const client = await makeClient(name, addressList.split(','));

// BENCH_PROFILE=<path prefix>: a CPU profile of each measured loop alone (not start-up, not warm-up),
// written to <prefix>-<scenario>.cpuprofile (profile.mjs reads it).
let profiler;
if (process.env.BENCH_PROFILE) {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
}

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

// PERF_CTL / PERF_ACK: the control and ack FIFOs of `perf record --control fifo:CTL,ACK -D -1`, so
// perf samples the measured loop alone (bench/local/perf-loop.sh): enabled before it, disabled after
// (a whole loop only: in sliced mode perf records nothing).
const perfFifos = process.env.PERF_CTL
  ? [openSync(process.env.PERF_CTL, 'w'), openSync(process.env.PERF_ACK, 'r')]
  : undefined;
function perfControl(command) {
  if (!perfFifos) return;
  writeSync(perfFifos[0], `${command}\n`);
  readSync(perfFifos[1], Buffer.alloc(5)); // "ack\n\0": perf has switched
}

/**
 * Runs `op` with `concurrency` workers until `total` ops are done or `maxMs` has passed; op indexes
 * start at `first`. Every 8th call's latency goes to `latencies` (unsorted: see percentiles()).
 */
async function drive(op, { total, concurrency, maxMs, latencies = [], first = 0 }) {
  let done = 0;
  let issued = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  const worker = async () => {
    while (issued < total && performance.now() < deadline) {
      const i = first + issued++;
      const t0 = performance.now();
      await op(i);
      // Sample latencies (every 8th) to keep the array small.
      if ((i & 7) === 0) latencies.push(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops: done, secs: (performance.now() - start) / 1000 };
}

/** p50 and p99 of sampled latencies (sorted here, after the CPU of the loop was read). */
function percentiles(latencies) {
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { p50: q(0.5), p99: q(0.99) };
}

/**
 * Sliced mode (`--slices N`, paired.mjs with `sliced`): after the warm-up and settle the
 * worker prints `{"ready":true}` and then measures one slice of the loop (total / N ops) per `run`
 * line read from stdin, answering each with a JSON line, until `end`. The parent alternates two such
 * workers slice by slice, so drift on the machine over seconds hits both alike. The result sums the
 * slices (ops, time, CPU) and keeps each slice's ops and seconds.
 */
const slicesArg = process.argv.indexOf('--slices');
const slices = slicesArg > 0 ? Number(process.argv[slicesArg + 1]) : 0;
// `--share F`: measure 1 / F of the loop (ops and time limit), for one of F forks (paired.mjs).
const shareArg = process.argv.indexOf('--share');
const share = shareArg > 0 ? Number(process.argv[shareArg + 1]) : 1;
const stdinLines = slices > 0 ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined;

/** The measured loop: once, or slice by slice as the parent asks. */
async function measure(op, sc, full) {
  const size = share === 1 ? full : { total: Math.ceil(full.total / share), maxMs: full.maxMs / share };
  if (slices === 0) {
    await profiler?.post('Profiler.start');
    const latencies = [];
    perfControl('enable');
    const cpu0 = process.cpuUsage();
    const { ops, secs } = await drive(op, { ...size, concurrency: sc.concurrency, latencies });
    const cpu = process.cpuUsage(cpu0);
    perfControl('disable');
    const r = { ops, secs, opsPerSec: ops / secs, ...percentiles(latencies) };
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(`${process.env.BENCH_PROFILE}-${sc.id}.cpuprofile`, JSON.stringify(profile));
    }
    return { r, cpuUs: cpu.user + cpu.system };
  }
  const per = { total: Math.ceil(size.total / slices), maxMs: size.maxMs / slices };
  const parts = [];
  const latencies = [];
  let cpuUs = 0;
  let first = 0;
  process.stdout.write('{"ready":true}\n');
  for (;;) {
    const { value: line, done } = await stdinLines.next();
    if (done || line === 'end') break;
    const cpu0 = process.cpuUsage();
    // Op indexes go on from the previous slice, so the slices walk the keys as one loop would.
    const part = await drive(op, { ...per, concurrency: sc.concurrency, latencies, first });
    first += part.ops;
    const cpu = process.cpuUsage(cpu0);
    cpuUs += cpu.user + cpu.system;
    parts.push(part);
    process.stdout.write(`${JSON.stringify(part)}\n`);
  }
  const ops = parts.reduce((n, p) => n + p.ops, 0);
  const secs = parts.reduce((n, p) => n + p.secs, 0);
  return { r: { ops, secs, opsPerSec: ops / secs, ...percentiles(latencies), slices: parts }, cpuUs };
}

const results = {};
for (const sc of scenarios) {
  const size = quick ? sc.quick : sc.full;
  const op = sc.op(client, check);
  // Resident memory before the scenario's first call (modules loaded, client made): the peak RSS
  // less this is what the scenario made the process hold (its values, buffers, code compiled).
  const rssStartMb = process.memoryUsage.rss() / 2 ** 20;
  // Warm up, the same for every client: the scenario itself (same op, same concurrency) for as many
  // ops as it measures or WARM_MS, whichever comes first, so connections are open and V8 has
  // optimized the code before the clock starts. (Until 2026-12-02 this was 200 ops at ≤ 20 in
  // flight: the measured phase then included the JIT's work on the first seconds, which costs a
  // client with more code (mc) more than the ~400-line raw; bench/README.md, "Warm-up".)
  await drive(op, {
    total: size.total,
    concurrency: sc.concurrency,
    maxMs: Number(process.env.BENCH_WARM_MS ?? (quick ? 300 : 1000)),
  });
  globalThis.gc?.();
  // Settle after the forced full GC, again with the scenario itself: that GC runs with no request
  // in flight, so it frees the hidden classes (maps) of the client's per-request objects, and V8
  // throws away the optimized code that embedded them (--trace-deopt: "reason: weak objects"). The
  // clock would otherwise time that code being optimized again, which steady traffic, where such
  // objects are always alive, never pays (bench/README.md, "Settle after the forced GC").
  const settleMs = Number(process.env.BENCH_SETTLE_MS ?? (quick ? 100 : 200));
  if (settleMs > 0 && globalThis.gc)
    await drive(op, { total: Math.ceil(size.total / 5), concurrency: sc.concurrency, maxMs: settleMs });
  const rssBeforeMb = process.memoryUsage.rss() / 2 ** 20;
  const { r, cpuUs } = await measure(op, sc, size);
  r.unitsPerSec = r.opsPerSec * (sc.unitsPerOp ?? 1);
  r.cpuUsPerCall = cpuUs / r.ops;
  // The share of one core the client process used while driving: below 100 % it waited on the server.
  r.cpuPercent = (cpuUs / 1e6 / r.secs) * 100;
  r.rssBeforeMb = rssBeforeMb;
  r.maxRssMb = process.resourceUsage().maxRSS / 1024;
  r.rssGrowthMb = r.maxRssMb - rssStartMb;
  results[sc.id] = r;
}

/** Heap growth per request while n gets are queued and none is answered yet (median of 5). */
async function heapPerInFlight(n) {
  if (typeof globalThis.gc !== 'function') return Number.NaN;
  const samples = [];
  for (let round = 0; round < 5; round++) {
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    const pending = Array.from({ length: n }, (_, i) => client.get(`s100:${i % 1000}`));
    const after = process.memoryUsage().heapUsed;
    samples.push((after - before) / n);
    await Promise.all(pending);
  }
  samples.sort((a, b) => a - b);
  return samples[2];
}
// A step of its own ('heap' in the scenario list), after a warm-up, so the numbers do not depend on
// which scenario ran before.
let heapPerRequest;
if (scenarioIds.split(',').includes('heap')) {
  await Promise.all(Array.from({ length: 200 }, (_, i) => client.get(`s100:${i}`)));
  heapPerRequest = { 100: await heapPerInFlight(100), 1000: await heapPerInFlight(1000) };
}

await client.close();
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ name, results, maxRssMb, heapPerRequest })}\n`);
process.exit(0);
