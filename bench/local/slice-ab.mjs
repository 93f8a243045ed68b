// Local (not part of the bench): two clients measured with paired.mjs (slices alternating), N rounds.
// node local/slice-ab.mjs <scenario> <rounds> [clients=raw,mc] [forks]   (WHOLE=1: forks without slices)
// Prints the per-round ratio of the second client to the first, and the per-slice-pair ratios'
// spread, to compare with local/worker-ab.mjs (whole loops one after the other).
import { execFileSync } from 'node:child_process';
import { startServer } from '../src/memcached-server.mjs';
import { FORKS, runPaired } from '../src/paired.mjs';
import { preloadServers } from '../src/preload.mjs';

const [scenario = 'serial-get-100B', roundsArg = '5', clientsArg = 'raw,mc', forksArg] =
  process.argv.slice(2);
const clients = clientsArg.split(',');
const servers = await Promise.all(
  [0, 1, 2].map(() => startServer({ args: ['-I', '16m'], threads: Number(process.env.MC_THREADS ?? 2) })),
);
if (process.env.PIN_SERVER)
  for (const s of servers) execFileSync('taskset', ['-a', '-cp', process.env.PIN_SERVER, String(s.pid)]);
const addresses = servers.map((s) => s.address).join(',');
await preloadServers(servers);
const ratios = [];
try {
  for (let r = 0; r < Number(roundsArg); r++) {
    const order = r % 2 ? [...clients].reverse() : clients;
    const out = await runPaired(order, addresses, 'full', scenario, {
      forks: Number(forksArg) || FORKS,
      sliced: !process.env.WHOLE,
    });
    const [a, b] = (r % 2 ? [out[1], out[0]] : out).map((o) => o.results[scenario]);
    const ratio = b.opsPerSec / a.opsPerSec;
    ratios.push(ratio);
    const perFork = a.forks.map((f, i) => b.forks[i].ops / b.forks[i].secs / (f.ops / f.secs));
    console.log(
      `round ${r + 1}: ${clients[1]}/${clients[0]} ${ratio.toFixed(3)}  rates ${Math.round(a.opsPerSec)} ${Math.round(b.opsPerSec)}  CPU µs/call ${a.cpuUsPerCall.toFixed(1)} ${b.cpuUsPerCall.toFixed(1)}  fork ratios ${perFork.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  ratios.sort((x, y) => x - y);
  console.log(
    `per-round ratios ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ${ratios[(ratios.length - 1) >> 1].toFixed(3)}`,
  );
} finally {
  for (const s of servers) await s.stop();
}
