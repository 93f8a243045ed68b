// Local: CPU per getMany of 100 keys (not part of the bench).
import { Client } from '@mc/client';
import { startMemcached } from '@mc/testing';

const mc = await startMemcached({ args: ['-t', '2'], memoryMb: 256 });
const c = new Client(mc.address);
const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
await Promise.all(keys.map((k) => c.set(k, 'x'.repeat(100))));
const calls = 20_000;
let next = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (next++ < calls) {
      const m = await c.getMany(keys);
      if (m.size !== 100) throw new Error('bad');
    }
  }),
);
const cpu = process.cpuUsage(cpu0);
console.log(
  `getMany(100): ${Math.round((calls * 100) / ((performance.now() - t0) / 1000))} keys/s, ${((cpu.user + cpu.system) / calls).toFixed(1)} us CPU/call`,
);
await c.close();
await mc.stop();
