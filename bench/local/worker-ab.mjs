// Local (not part of the bench): the bench's worker, for two clients alternating, N rounds, one scenario.
// node local/worker-ab.mjs <scenario> <rounds> [clients=raw,mc] [nodeFlags]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const [scenario = 'multiget-100', roundsArg = '5', clientsArg = 'raw,mc', flags = ''] = process.argv.slice(2);
const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
const addresses = servers.map((s) => s.address).join(',');
await preloadServers(servers);
const res = {};
const clients = clientsArg.split(',');
for (let r = 0; r < Number(roundsArg); r++) {
  for (const name of r % 2 ? [...clients].reverse() : clients) {
    const out = spawnSync(
      process.execPath,
      [
        ...flags.split(' ').filter(Boolean),
        join(import.meta.dirname, '..', 'src', 'worker.mjs'),
        name,
        addresses,
        'full',
        scenario,
      ],
      { encoding: 'utf8' },
    );
    const j = JSON.parse(out.stdout.trim().split('\n').pop());
    const x = j.results[scenario];
    (res[name] ??= []).push(x);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = med(res[clients[0]].map((x) => x.opsPerSec));
for (const [name, xs] of Object.entries(res))
  console.log(
    `${scenario} ${name.padEnd(10)} ${(med(xs.map((x) => x.opsPerSec)) / base).toFixed(2)}x  ${med(xs.map((x) => x.cpuUsPerCall)).toFixed(1)} µs/call  p50 ${med(xs.map((x) => x.p50)).toFixed(3)} p99 ${med(xs.map((x) => x.p99)).toFixed(3)}  rates ${xs.map((x) => Math.round(x.opsPerSec)).join(' ')}`,
  );
for (const s of servers) await s.stop();
