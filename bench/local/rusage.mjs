// Local: one client, one scenario, in this process: a warm-up of W ops, then N ops measured,
// printing ops/s and, per op, voluntary context switches (the process waited), minor page faults,
// user and system CPU µs (local/perf-loop.sh profiles a bench worker's loop instead).
// node local/rusage.mjs <client> <addresses> <scenario> <N> [W=20000]   (servers: node local/serve.mjs)
import { scenarioDriver } from './drive.mjs';

const [name, addresses, id, nArg, wArg = '20000'] = process.argv.slice(2);
const { client, drive, warmUp } = await scenarioDriver(name, addresses, id);
await warmUp(Number(wArg));
const r0 = process.resourceUsage();
const t0 = performance.now();
const n = Number(nArg);
await drive(n);
const t1 = performance.now();
const r1 = process.resourceUsage();
const per = (k, digits = 1) => ((r1[k] - r0[k]) / n).toFixed(digits);
console.log(
  `${name} ${id} ops/s ${Math.round((n / (t1 - t0)) * 1000)} vcsw/op ${per('voluntaryContextSwitches', 3)}` +
    ` minflt/op ${per('minorPageFault', 2)} user µs/op ${per('userCPUTime')} sys µs/op ${per('systemCPUTime')}`,
);
await client.close();
process.exit(0);
