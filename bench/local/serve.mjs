// Local: starts the bench's three preloaded memcached servers, prints their addresses, runs until killed.
import { writeFileSync } from 'node:fs';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
await preloadServers(servers);
writeFileSync('/tmp/mc-addrs', servers.map((s) => s.address).join(','));
console.log(servers.map((s) => `${s.address} pid ${s.pid}`).join('\n'));
const stop = async () => {
  for (const s of servers) await s.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
