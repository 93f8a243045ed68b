// Local experiment: worker-ab with CPU pinning. node local/pin-ab.mjs <scenario> <rounds> <clients> <clientCpus|-> <serverCpus|->
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../src/memcached-server.mjs';
import { preloadServers } from '../src/preload.mjs';

const [scenario, roundsArg, clientsArg, clientCpus, serverCpus] = process.argv.slice(2);
const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
if (serverCpus !== '-') {
  for (const s of servers) {
    const port = s.address.split(':')[1];
    const pid = execFileSync('pgrep', ['-f', '--', `-p ${port} `], { encoding: 'utf8' }).trim();
    execFileSync('taskset', ['-a', '-cp', serverCpus, pid]);
  }
}
const addresses = servers.map((s) => s.address).join(',');
await preloadServers(servers);
const res = {};
const clients = clientsArg.split(',');
for (let r = 0; r < Number(roundsArg); r++) {
  for (const name of r % 2 ? [...clients].reverse() : clients) {
    const cmd = [
      process.execPath,
      '--expose-gc',
      join(import.meta.dirname, '..', 'src', 'worker.mjs'),
      name,
      addresses,
      'full',
      scenario,
    ];
    const out =
      clientCpus === '-'
        ? spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' })
        : spawnSync('taskset', ['-c', clientCpus, ...cmd], { encoding: 'utf8' });
    const j = JSON.parse(out.stdout.trim().split('\n').pop());
    (res[name] ??= []).push(j.results[scenario]);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = med(res[clients[0]].map((x) => x.opsPerSec));
for (const [name, xs] of Object.entries(res)) {
  const rates = xs.map((x) => x.opsPerSec);
  const spread = Math.max(...rates) / Math.min(...rates);
  console.log(
    `${scenario} pin ${clientCpus}/${serverCpus} ${name.padEnd(8)} ${(med(rates) / base).toFixed(2)}x spread ${spread.toFixed(2)} cpu ${med(xs.map((x) => x.cpuUsPerCall)).toFixed(1)} rates ${rates.map(Math.round).join(' ')}`,
  );
}
for (const s of servers) await s.stop();
const names = Object.keys(res);
if (names.length === 2) {
  const rr = res[names[1]].map((x, i) => x.opsPerSec / res[names[0]][i].opsPerSec);
  console.log(`per-round ratios ${names[1]}/${names[0]}: ${rr.map((x) => x.toFixed(2)).join(' ')}`);
}
