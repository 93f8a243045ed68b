// Local: runs worker.mjs for each client with --trace-gc, N alternating rounds, one scenario, and
// prints ops/s next to the GCs: scavenges (count, ms, what triggered them) and full GCs.
// node local/gc-ab.mjs <scenario> <rounds> [clients] [node flags for all]; a client 'mc|--flag …'
// runs with node flags of its own.
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
    const [client, ...clientFlags] = name.split('|');
    const out = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--trace-gc',
        ...flags.split(' ').filter(Boolean),
        ...clientFlags,
        join(import.meta.dirname, '..', 'src', 'worker.mjs'),
        client,
        addresses,
        'full',
        scenario,
      ],
      { encoding: 'utf8' },
    );
    const lines = out.stdout.trim().split('\n');
    const j = JSON.parse(lines.pop()).results[scenario];
    let scavenges = 0;
    let scavengeMs = 0;
    let fullGcs = 0;
    let fullMs = 0;
    const why = {};
    for (const l of lines) {
      // "… Scavenge 7.5 (12.5) -> 3.9 (12.5) MB, 0.25 / 0.00 ms  (average mu = …) task;"
      const m = / (Scavenge|Mark-Compact|Mark-sweep).*?([\d.]+) \/ [\d.]+ ms/.exec(l);
      if (!m) continue;
      if (m[1] === 'Scavenge') {
        const trigger = /\) ([a-z ]+); *$/.exec(l)?.[1] ?? '?';
        why[trigger] = (why[trigger] ?? 0) + 1;
        scavenges++;
        scavengeMs += Number(m[2]);
      } else {
        fullGcs++;
        fullMs += Number(m[2]);
      }
    }
    console.log(
      `${name.padEnd(32)} ${Math.round(j.opsPerSec)}/s ${j.cpuUsPerCall.toFixed(1)}us  scav ${scavenges} ${scavengeMs.toFixed(0)}ms  full ${fullGcs} ${fullMs.toFixed(0)}ms ${JSON.stringify(why)}`,
    );
  }
}
for (const s of servers) await s.stop();
