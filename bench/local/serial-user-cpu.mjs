// Local (not part of the bench): user and total CPU per serial get, and scavenges, raw vs mc in one process.
// node local/serial-user-cpu.mjs raw mc raw mc
import { PerformanceObserver } from 'node:perf_hooks';
import { makeClient } from '../src/clients.mjs';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const servers = [await startServer({ args: ['-I', '16m'] })];
await preloadServers(servers);
let minor = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) if (e.detail?.kind === 1) minor++;
}).observe({ entryTypes: ['gc'] });
for (const name of process.argv.slice(2)) {
  const c = await makeClient(name, [servers[0].address, servers[0].address, servers[0].address]);
  for (let i = 0; i < 20000; i++) await c.get(`s100:${i % 1000}`);
  minor = 0;
  const t = process.cpuUsage();
  const N = 60000;
  for (let i = 0; i < N; i++) await c.get(`s100:${i % 1000}`);
  const cpu = process.cpuUsage(t);
  await new Promise((r) => setTimeout(r, 50));
  console.log(
    name,
    'scavenges',
    minor,
    'per 60k gets; cpu µs/get',
    ((cpu.user + cpu.system) / N).toFixed(1),
    'user',
    (cpu.user / N).toFixed(1),
  );
  await c.close();
}
await servers[0].stop();
