// Which PooledClient maxPoolSize gives the best throughput? 100 concurrent 100 B gets and 10
// concurrent 100 KiB gets, pool sizes 1, 2, 4, 8, and a single Client for reference.
import { Client } from '@mc/client';
import { PooledClient } from '@mc/pool';
import { startMemcached } from '@mc/testing';

const server = await startMemcached({ memoryMb: 256, threads: 2 });
async function drive(get, total, concurrency, maxMs) {
  let issued = 0;
  let done = 0;
  const end = performance.now() + maxMs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total && performance.now() < end) {
        issued++;
        await get(issued);
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}
try {
  const loader = new Client(server.address);
  await Promise.all(Array.from({ length: 100 }, (_, i) => loader.set(`s:${i}`, Buffer.alloc(100, 97))));
  await Promise.all(Array.from({ length: 10 }, (_, i) => loader.set(`l:${i}`, Buffer.alloc(100 * 1024, 98))));
  await loader.close();
  console.log('| client | 100 B gets, 100 in flight (ops/s) | 100 KiB gets, 10 in flight (ops/s) |');
  console.log('|---|---|---|');
  const make = [
    ['Client', () => new Client(server.address)],
    ...[1, 2, 4, 8].map((n) => [
      `PooledClient maxPoolSize ${n}`,
      () => new PooledClient(server.address, { maxPoolSize: n }),
    ]),
  ];
  for (const [name, mk] of make) {
    const c = mk();
    await drive((i) => c.get(`s:${i % 100}`), 2000, 100, 1000);
    const small = await drive((i) => c.get(`s:${i % 100}`), 60000, 100, 2500);
    const large = await drive((i) => c.get(`l:${i % 10}`), 5000, 10, 2500);
    console.log(`| ${name} | ${small.toFixed(0)} | ${large.toFixed(0)} |`);
    await c.close();
  }
} finally {
  await server.stop();
}
