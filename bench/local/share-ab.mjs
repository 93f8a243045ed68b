// Local (not part of the bench): does measuring a third of the loop (a fork's share, --share 3)
// change a client's rate? One worker process per measurement, whole loop and a third alternating.
// node local/share-ab.mjs [scenario=serial-get-100B] [client=raw]

import { startServer } from '../src/memcached-server.mjs';
import { runWorker } from '../src/paired.mjs';
import { preloadServers } from '../src/preload.mjs';
import { median as med } from '../src/report.mjs';

const sc = process.argv[2] ?? 'serial-get-100B';
const client = process.argv[3] ?? 'raw';
const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
const addresses = servers.map((s) => s.address).join(',');
await preloadServers(servers);
const res = { 1: [], 3: [] };
for (let r = 0; r < 5; r++)
  for (const share of r % 2 ? [3, 1] : [1, 3]) {
    const x = runWorker(client, addresses, 'full', sc, ['--share', String(share)]).results[sc];
    res[share].push(x);
    console.log(
      `share ${share}: ${Math.round(x.opsPerSec)}/s ${x.cpuUsPerCall.toFixed(1)} µs/call, ${x.secs.toFixed(2)} s`,
    );
  }
for (const share of [1, 3])
  console.log(
    `share ${share}: median ${Math.round(med(res[share].map((x) => x.opsPerSec)))}/s, ${med(res[share].map((x) => x.cpuUsPerCall)).toFixed(1)} µs/call`,
  );
for (const s of servers) await s.stop();
