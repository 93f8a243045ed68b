// Local A/B (not part of the bench): CPU µs per call of raw vs mc, in one process, alternating rounds.
// node local/ab.mjs multi|serial|get100|set100 [rounds]
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Client } from '@mc/client';
import { startMemcached } from '@mc/testing';
import { rawClient } from '../src/raw-client.mjs';

const what = process.argv[2] ?? 'multi';
const rounds = Number(process.argv[3] ?? 5);
const mc = await startMemcached({ args: ['-t', '2', '-I', '16m'], memoryMb: 256 });
const [host, port] = mc.address.split(':');
const c = new Client(mc.address, {
  ...(process.env.NOBATCH ? { batchGets: false } : {}),
  ...(process.env.TIMEOUT ? { timeout: Number(process.env.TIMEOUT) } : {}),
});
// mcnb: the Client without merged gets (batchGets: false), beside the default one.
const cnb = new Client(mc.address, { batchGets: false });
const raw = await rawClient(host, Number(port));
const merged = await rawClient(host, Number(port), { merge: true });
// raw2: raw with the options in RAW2 (e.g. RAW2=read=slab), for measuring the baseline's own variants.
const raw2 = await rawClient(
  host,
  Number(port),
  Object.fromEntries(
    (process.env.RAW2 ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  ),
);
const keys = Array.from({ length: 100 }, (_, i) => `key:${i}`);
const val = Buffer.alloc(100, 0x61);
const kib = process.env.TEXT ? 'b'.repeat(1024) : Buffer.alloc(1024, 0x62);
await Promise.all(keys.map((k) => raw.set(k, val)));
const big = Buffer.alloc(100 * 1024, 0x63);
await Promise.all(keys.slice(0, 10).map((k) => raw.set(`big:${k}`, big)));
const huge = Buffer.alloc(16 * 1024 * 1024 - 512, 0x64);
if (what === 'get16m') await raw.set('huge', huge);
const k100 = (i) => `key:${(i * 7919) % 100}`;
const fresh = (i) => Array.from({ length: 100 }, (_, j) => k100(i * 100 + j));
const ops = {
  multifresh: {
    n: 3000,
    conc: 1,
    raw: (i) => raw.getMulti(fresh(i)),
    raw2: (i) => raw2.getMulti(fresh(i)),
    merged: (i) => merged.getMulti(fresh(i)),
    mc: (i) => c.getMany(fresh(i)),
    mcnb: (i) => cnb.getMany(fresh(i)),
  },
  multi: {
    n: 3000,
    conc: 1,
    raw: () => raw.getMulti(keys),
    raw2: () => raw2.getMulti(keys),
    merged: () => merged.getMulti(keys),
    mc: () => c.getMany(keys),
    mcnb: () => cnb.getMany(keys),
  },
  serial: {
    n: 5000,
    conc: 1,
    raw: (i) => raw.get(keys[i % 100]),
    raw2: (i) => raw2.get(keys[i % 100]),
    merged: (i) => merged.get(keys[i % 100]),
    mc: (i) => c.get(keys[i % 100]),
    mcnb: (i) => cnb.get(keys[i % 100]),
  },
  get100: {
    n: 100000,
    conc: 100,
    raw: (i) => raw.get(keys[i % 100]),
    raw2: (i) => raw2.get(keys[i % 100]),
    merged: (i) => merged.get(keys[i % 100]),
    mc: (i) => c.get(keys[i % 100]),
    mcnb: (i) => cnb.get(keys[i % 100]),
  },
  get100k: {
    n: 20000,
    conc: 10,
    raw: (i) => raw.get(`big:${keys[i % 10]}`),
    raw2: (i) => raw2.get(`big:${keys[i % 10]}`),
    merged: (i) => merged.get(`big:${keys[i % 10]}`),
    mc: (i) => c.get(`big:${keys[i % 10]}`),
    mcnb: (i) => cnb.get(`big:${keys[i % 10]}`),
  },
  get16m: {
    n: 60,
    conc: 1,
    raw: () => raw.get('huge'),
    raw2: () => raw2.get('huge'),
    merged: () => merged.get('huge'),
    mc: () => c.get('huge'),
    mcnb: () => cnb.get('huge'),
  },
  set100: {
    n: 100000,
    conc: 100,
    raw: (i) => raw.set(keys[i % 100], kib),
    raw2: (i) => raw2.set(keys[i % 100], kib),
    merged: (i) => merged.set(keys[i % 100], kib),
    mc: (i) => c.set(keys[i % 100], kib),
    mcnb: (i) => cnb.set(keys[i % 100], kib),
  },
}[what];
// N=<calls per round> overrides the scenario's count (longer rounds average out more of the VM's noise).
if (process.env.N) ops.n = Number(process.env.N);
// Scavenges (minor GCs) during a round: a client that allocates more per call has more of them.
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
}).observe({ entryTypes: ['gc'] });
async function run(fn) {
  let next = 0;
  scavenges = 0;
  const faults0 = process.resourceUsage().minorPageFault;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: ops.conc }, async () => {
      while (next < ops.n) await fn(next++);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const faults = (process.resourceUsage().minorPageFault - faults0) / ops.n;
  const rate = ops.n / ((performance.now() - t0) / 1000);
  // GC entries are delivered asynchronously: let this round's arrive before they are counted.
  await new Promise((r) => setTimeout(r, 20));
  return { us: (cpu.user + cpu.system) / ops.n, userUs: cpu.user / ops.n, rate, scavenges, faults };
}
const res = { raw: [], raw2: [], merged: [], mc: [], mcnb: [] };
// ONLY=raw,mc: a subset, in that order (reversed every other round, as the whole set is).
const names = process.env.ONLY ? process.env.ONLY.split(',') : ['raw', 'merged', 'mc'];
for (let r = 0; r < rounds; r++)
  for (const name of r % 2 ? [...names].reverse() : names) res[name].push(await run(ops[name]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const [name, rs] of Object.entries(res).filter(([, v]) => v.length))
  console.log(
    `${what} ${name.padEnd(6)} ${med(rs.map((x) => x.us)).toFixed(2)} µs CPU/call (min ${Math.min(...rs.map((x) => x.us)).toFixed(2)}), user ${med(rs.map((x) => x.userUs)).toFixed(2)} (min ${Math.min(...rs.map((x) => x.userUs)).toFixed(2)}), ${Math.round(med(rs.map((x) => x.rate)))}/s, ${med(rs.map((x) => x.scavenges))} scavenges per ${ops.n} calls, ${med(rs.map((x) => x.faults)).toFixed(2)} page faults/call`,
  );
await c.close();
await cnb.close();
await raw.close();
await raw2.close();
await merged.close();
await mc.stop();
