// Local (not part of the bench): V8 self time per serial get, idle excluded, for one client in one process.
// node local/serial-self-time.mjs raw|mc
import { Session } from 'node:inspector/promises';
import { makeClient } from '../src/clients.mjs';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const servers = [await startServer({ args: ['-I', '16m'] })];
await preloadServers(servers);
const name = process.argv[2];
const c = await makeClient(name, [servers[0].address, servers[0].address, servers[0].address]);
for (let i = 0; i < 30000; i++) await c.get(`s100:${i % 1000}`);
const s = new Session();
s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.setSamplingInterval', { interval: 50 });
await s.post('Profiler.start');
for (let i = 0; i < 60000; i++) await c.get(`s100:${i % 1000}`);
const { profile } = await s.post('Profiler.stop');
const self = new Map();
const dt = profile.timeDeltas;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
let total = 0;
profile.samples.forEach((id, i) => {
  const n = byId.get(id);
  const f = n.callFrame;
  const k = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
  if (f.functionName === '(idle)') return;
  const d = dt[i] ?? 0;
  total += d;
  self.set(k, (self.get(k) ?? 0) + d);
});
console.log(name, 'non-idle µs per get', (total / 60000).toFixed(2));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40))
  console.log((v / 60000).toFixed(3).padStart(7), k);
await c.close();
await servers[0].stop();
