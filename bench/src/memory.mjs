// Memory per in-flight request: heap growth while N gets are in flight, divided by N, for N = 100,
// 1000, 10000. Run with --expose-gc: node --expose-gc src/memory.mjs
import { Client } from '@mc/client';
import { startMemcached } from '@mc/testing';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const server = await startMemcached({ memoryMb: 256 });
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
  await c.close();
} finally {
  await server.stop();
}
