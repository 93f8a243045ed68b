// Quick A/B of the composition layers over one memcached: Client, PooledClient, HashClient (one
// server). Each round runs every client on every scenario for a fixed number of requests; the table
// shows the median ops/s over rounds and the ratio to Client. Bounded: ROUNDS x scenarios x N requests.
// Usage: pnpm --filter @mc/bench bench:layers [rounds] [pipelineThreshold]  (after pnpm build)
import { Client } from '@mc/client';
import { HashClient } from '@mc/hash';
import { PooledClient } from '@mc/pool';
import { startMemcached } from '@mc/testing';

const rounds = Number(process.argv[2] ?? 3);
const threshold = process.argv[3] ? Number(process.argv[3]) : undefined;
const mc = await startMemcached({ args: ['-t', '2', '-c', '4096'], memoryMb: 256 });
const extra = await Promise.all([1, 2].map(() => startMemcached({ args: ['-t', '2'], memoryMb: 64 })));
const small = 'x'.repeat(100);
const kib = 'y'.repeat(1024);

const makers = {
  Client: () => new Client(mc.address),
  PooledClient: () =>
    new PooledClient(mc.address, { maxPoolSize: 4, ...(threshold ? { pipelineThreshold: threshold } : {}) }),
  'HashClient(1)': () => new HashClient([mc.address]),
  'HashClient(3)': () => new HashClient([mc.address, ...extra.map((e) => e.address)]),
};
const scenarios = {
  'get 100B x100': { inflight: 100, total: 200_000, op: (c, i) => c.get(`k${i % 1000}`) },
  'get 100B x1000': { inflight: 1000, total: 200_000, op: (c, i) => c.get(`k${i % 1000}`) },
  'set 1KiB x100': { inflight: 100, total: 100_000, op: (c, i) => c.set(`s${i % 1000}`, kib) },
};

async function run(c, { inflight, total, op }) {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      await op(c, i);
    }
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: inflight }, worker));
  const cpu = process.cpuUsage(cpu0);
  // Client CPU per request: what a layer costs, less sensitive than wall time to a busy machine.
  return { ops: total / ((performance.now() - t0) / 1000), cpuUs: (cpu.user + cpu.system) / total };
}

const results = {};
for (let r = 0; r < rounds; r++) {
  for (const [sname, s] of Object.entries(scenarios)) {
    const names = Object.keys(makers);
    const order = names.slice(r % names.length).concat(names.slice(0, r % names.length));
    for (const name of order) {
      const c = makers[name]();
      await Promise.all(Array.from({ length: 1000 }, (_, i) => c.set(`k${i}`, small)));
      await run(c, { ...s, total: Math.min(20_000, s.total) }); // warm-up
      const m = await run(c, s);
      ((results[sname] ??= {})[name] ??= []).push(m);
      await c.close();
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [sname, byClient] of Object.entries(results)) {
  const base = median(byClient.Client.map((m) => m.ops));
  const row = Object.entries(byClient).map(([n, a]) => {
    const ops = median(a.map((m) => m.ops));
    const cpu = median(a.map((m) => m.cpuUs));
    return `${n} ${Math.round(ops / 1000)}k/s ${(ops / base).toFixed(2)}x ${cpu.toFixed(2)}us`;
  });
  console.log(`${sname.padEnd(16)} ${row.join(' | ')}`);
}
await Promise.all([mc, ...extra].map((m) => m.stop()));
