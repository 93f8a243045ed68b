// Local: runs worker.mjs for each client with --trace-gc, N alternating rounds, one scenario, and
// counts the GCs (a client 'mc|--flag' runs with node flags) (scavenges, mark-compacts and their ms) next to ops/s. node local/gc-ab.mjs <scenario> <rounds> [clients]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const [scenario = 'get-100K-x10', roundsArg = '4', clientsArg = 'raw,mc', flags = ''] = process.argv.slice(2);
const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
await preloadServers(servers);
const addresses = servers.map((s) => s.address).join(',');
const clients = clientsArg.split(',');
for (let r = 0; r < Number(roundsArg); r++) {
  for (const name of r % 2 ? [...clients].reverse() : clients) {
    const out = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--trace-gc',
        ...flags.split(' ').filter(Boolean),
        ...name.split('|').slice(1),
        join(import.meta.dirname, '..', 'src', 'worker.mjs'),
        name.split('|')[0],
        addresses,
        'full',
        scenario,
      ],
      { encoding: 'utf8' },
    );
    const lines = out.stdout.trim().split('\n');
    const j = JSON.parse(lines.pop()).results[scenario];
    let sc = 0,
      scMs = 0,
      mc = 0,
      mcMs = 0;
    const why = {};
    for (const l of lines) {
      const m =
        / (Scavenge|Mark-Compact|Mark-sweep)[^,]*?, ([\d.]+) \/ ([\d.]+) ms/.exec(l) ??
        / (Scavenge|Mark-Compact|Mark-sweep).*?([\d.]+) \/ ([\d.]+) ms/.exec(l);
      if (!m) continue;
      if (m[1] === 'Scavenge') {
        const w = /\) ([a-z ]+); *$/.exec(l)?.[1] ?? '?';
        why[w] = (why[w] ?? 0) + 1;
        sc++;
        scMs += Number(m[2]);
      } else {
        mc++;
        mcMs += Number(m[2]);
      }
    }
    console.log(
      `${name.padEnd(32)} ${Math.round(j.opsPerSec)}/s ${j.cpuUsPerCall.toFixed(1)}us  scav ${sc} ${scMs.toFixed(0)}ms  full ${mc} ${mcMs.toFixed(0)}ms ${JSON.stringify(why)}`,
    );
  }
}
for (const s of servers) await s.stop();
