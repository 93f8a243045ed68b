// Memory per in-flight request: heap growth while N gets are in flight, divided by N, for N = 100,
// 1000, 10000. Then what a 16 MiB get holds, for mc and for raw: the peak of Buffer memory
// (process.memoryUsage().arrayBuffers, sampled once per event-loop turn and at hand-over) while the
// value is read, from a GC'd start: the value plus the socket's chunks not yet collected. Run with --expose-gc:
// node --expose-gc src/memory.mjs
import { Client } from '@mc/client';
import { startMemcached } from '@mc/testing';
import { rawClient } from './raw-client.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const server = await startMemcached({ memoryMb: 256, args: ['-I', '16m'] });
try {
  const c = new Client(server.address, { timeout: 30_000 });
  await Promise.all(Array.from({ length: 100 }, (_, i) => c.set(`m:${i}`, Buffer.alloc(100, 97))));
  console.log('| in flight | heap per request (bytes) | batchGets |');
  console.log('|---|---|---|');
  for (const batchGets of [true, false]) {
    const client = new Client(server.address, { timeout: 30_000, batchGets });
    await client.get('m:0');
    for (const n of [100, 1000, 10000]) {
      const samples = [];
      for (let r = 0; r < 5; r++) {
        globalThis.gc();
        const before = process.memoryUsage().heapUsed;
        const pending = Array.from({ length: n }, (_, i) => client.get(`m:${i % 100}`));
        // Measured synchronously: every request is queued, none answered yet.
        const after = process.memoryUsage().heapUsed;
        samples.push((after - before) / n);
        await Promise.all(pending);
      }
      samples.sort((a, b) => a - b);
      console.log(`| ${n} | ${samples[2].toFixed(0)} | ${batchGets} |`);
    }
    await client.close();
  }
  const value = Buffer.alloc(16 * 1024 * 1024 - 512, 98);
  const big = new Client(server.address, { timeout: 30_000 });
  await big.set('m:big', value);
  await big.get('m:big');
  const MiB = 2 ** 20;
  const [host, port] = server.address.split(':');
  const raw = await rawClient(host, Number(port));
  console.log("\n| 16 MiB get | peak Buffer memory while it is read, from a GC'd start (MiB) |");
  console.log('|---|---|');
  for (const [name, client] of [
    ['mc', big],
    ['raw', raw],
  ]) {
    const rows = [];
    for (let r = 0; r < 5; r++) {
      globalThis.gc();
      const base = process.memoryUsage().arrayBuffers;
      // Sampled between socket reads (setImmediate runs once per turn of the event loop) and at
      // hand-over: the most Buffer memory the process had while the value arrived.
      let peak = 0;
      let reading = true;
      const sample = () => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
        if (reading) setImmediate(sample);
      };
      setImmediate(sample);
      const got = await client.get('m:big');
      sample();
      reading = false;
      if (got.length !== value.length) throw new Error('wrong value');
      rows.push(peak / MiB);
    }
    rows.sort((a, b) => a - b);
    console.log(`| ${name}, median of 5 | ${rows[2].toFixed(1)} |`);
  }
  await raw.close();
  await big.close();
  await c.close();
} finally {
  await server.stop();
}
