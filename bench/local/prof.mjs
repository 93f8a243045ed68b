// Local profiling helper (not part of the bench): one client, one scenario, --cpu-prof friendly.
// node --cpu-prof --cpu-prof-dir=/tmp/prof bench/local/prof.mjs set|get [n]
import { Client } from '@mc/client';
import { startMemcached } from '@mc/testing';

const what = process.argv[2] ?? 'set';
const total = Number(process.argv[3] ?? 200_000);
const mc = await startMemcached({ args: ['-t', '2', '-c', '4096'], memoryMb: 256 });
const c = new Client(mc.address);
const kib = 'y'.repeat(1024);
const small = 'x'.repeat(100);
await Promise.all(Array.from({ length: 1000 }, (_, i) => c.set(`k${i}`, small)));
let next = 0;
const op = what === 'set' ? (i) => c.set(`s${i % 1000}`, kib) : (i) => c.get(`k${i % 1000}`);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 100 }, async () => {
    while (next < total) await op(next++);
  }),
);
const cpu = process.cpuUsage(cpu0);
console.log(
  `${what}: ${Math.round(total / ((performance.now() - t0) / 1000))}/s, ${((cpu.user + cpu.system) / total).toFixed(2)} us CPU/op`,
);
await c.close();
await mc.stop();
