// Local (not part of the bench): the bench's worker, for two clients alternating, N rounds, one scenario.
// node local/worker-ab.mjs <scenario> <rounds> [clients=raw,mc] [nodeFlags]
// A client may carry environment variables for its workers: 'mc|NODE_OPTIONS=--max-semi-space-size=16'.
// PIN_CLIENT=<cpus> / PIN_SERVER=<cpus>: run the workers / the memcached processes under taskset
// (tried 2026-12-03: pinning clients to CPU 0 and memcached to CPU 1 did not narrow the spread).
// Prints each client's median ratio to the first, CPU per call and rates, and, for two clients,
// the per-round ratios of the second to the first (what main.mjs's "× raw" takes the median of).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const [scenario = 'multiget-100', roundsArg = '5', clientsArg = 'raw,mc', flags = ''] = process.argv.slice(2);
const { PIN_CLIENT, PIN_SERVER } = process.env;
const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
if (PIN_SERVER) {
  for (const s of servers) execFileSync('taskset', ['-a', '-cp', PIN_SERVER, String(s.pid)]);
}
const addresses = servers.map((s) => s.address).join(',');
await preloadServers(servers);
const res = {};
const clients = clientsArg.split(',');
for (let r = 0; r < Number(roundsArg); r++) {
  for (const name of r % 2 ? [...clients].reverse() : clients) {
    const argv = [
      process.execPath,
      ...flags.split(' ').filter(Boolean),
      join(import.meta.dirname, '..', 'src', 'worker.mjs'),
      name.split('|')[0],
      addresses,
      'full',
      scenario,
    ];
    const [cmd, ...args] = PIN_CLIENT ? ['taskset', '-c', PIN_CLIENT, ...argv] : argv;
    // `client|VAR=value`: that worker runs with VAR set (for A/B of an environment knob).
    const env = {
      ...process.env,
      ...Object.fromEntries(
        name
          .split('|')
          .slice(1)
          .map((kv) => kv.split('=')),
      ),
    };
    const out = spawnSync(cmd, args, { encoding: 'utf8', env });
    const last = out.stdout.trim().split('\n').pop();
    if (!last?.startsWith('{')) {
      // Stop our servers before failing: they would outlive this process (and hold its pipes open).
      for (const s of servers) process.kill(s.pid, 'SIGKILL');
      throw new Error(`worker ${name} failed (status ${out.status}): ${out.stderr.trim().slice(-2000)}`);
    }
    const j = JSON.parse(last);
    (res[name] ??= []).push(j.results[scenario]);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = med(res[clients[0]].map((x) => x.opsPerSec));
for (const [name, xs] of Object.entries(res))
  console.log(
    `${scenario} ${name.padEnd(10)} ${(med(xs.map((x) => x.opsPerSec)) / base).toFixed(2)}x  ${med(xs.map((x) => x.cpuUsPerCall)).toFixed(1)} µs/call  p50 ${med(xs.map((x) => x.p50)).toFixed(3)} p99 ${med(xs.map((x) => x.p99)).toFixed(3)}  rates ${xs.map((x) => Math.round(x.opsPerSec)).join(' ')}`,
  );
if (clients.length === 2) {
  const [a, b] = clients.map((n) => res[n]);
  console.log(
    `per-round ${clients[1]} / ${clients[0]}: ${b.map((x, i) => (x.opsPerSec / a[i].opsPerSec).toFixed(2)).join(' ')}`,
  );
}
for (const s of servers) await s.stop();
