// mc's benchmark: every client, every scenario, interleaved round by round, against a memcached
// started here on loopback. Usage: node src/main.mjs [--quick] [--rounds N] [--clients a,b]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startMemcached } from '@mc/testing';
import { CLIENT_NAMES } from './clients.mjs';
import { expectedValue, preload, SCENARIOS } from './scenarios.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = Number(args[args.indexOf('--rounds') + 1]) || (quick ? 1 : 3);
const only = args.includes('--clients') ? args[args.indexOf('--clients') + 1].split(',') : CLIENT_NAMES;

const serverArgs = ['-I', '16m'];
const server = await startMemcached({ args: serverArgs, memoryMb: 1024, threads: 2 });
const memcachedVersion = execFileSync(process.env.MEMCACHED_BIN || 'memcached', ['-V'], {
  encoding: 'utf8',
}).trim();
console.log(`mc bench (${quick ? 'quick' : 'full'}, ${rounds} round(s))`);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
console.log(`server: ${memcachedVersion} at ${server.address}, args: ${server.args.join(' ')}`);

try {
  // Preload with mc's own client: values are flags 0 bytes, which every peer reads as a Buffer or string.
  const { Client } = await import('@mc/client');
  const loader = new Client(server.address, { timeout: 30_000 });
  await Promise.all(preload.map((k) => loader.set(k, Buffer.from(expectedValue(k), 'latin1'))));
  await loader.close();

  const runs = new Map(only.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order every round so drift on a noisy machine cancels out.
    const order = only.map((_, i) => only[(i + round) % only.length]);
    for (const name of order) {
      const r = spawnSync(
        process.execPath,
        [join(import.meta.dirname, 'worker.mjs'), name, server.address, quick ? 'quick' : 'full'],
        {
          encoding: 'utf8',
          timeout: 180_000,
        },
      );
      const line = r.stdout.trim().split('\n').pop();
      if (r.status !== 0 || !line?.startsWith('{')) {
        console.log(
          `! ${name} failed in round ${round + 1}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
        );
        continue;
      }
      runs.get(name).push(JSON.parse(line));
      process.stdout.write(`  round ${round + 1}: ${name} done\n`);
    }
  }

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
  };
  const fmt = (n) =>
    n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(1);

  const table = [];
  for (const sc of SCENARIOS) {
    const raw = median((runs.get('raw') ?? []).map((r) => r.results[sc.id].unitsPerSec));
    table.push(`\n${sc.title}`);
    table.push('| client | ops/s | ratio to raw | p50 ms | p99 ms |');
    table.push('|---|---|---|---|---|');
    for (const name of only) {
      const rs = runs.get(name) ?? [];
      if (rs.length === 0) {
        table.push(`| ${name} | failed | | | |`);
        continue;
      }
      const ups = median(rs.map((r) => r.results[sc.id].unitsPerSec));
      const p50 = median(rs.map((r) => r.results[sc.id].p50));
      const p99 = median(rs.map((r) => r.results[sc.id].p99));
      table.push(
        `| ${name} | ${fmt(ups)} | ${Number.isFinite(raw) ? (ups / raw).toFixed(2) : '-'} | ${p50.toFixed(3)} | ${p99.toFixed(3)} |`,
      );
    }
  }
  table.push('\nPeak RSS per client process (MiB, median over rounds):');
  table.push(`| ${only.join(' | ')} |`);
  table.push(`|${only.map(() => '---').join('|')}|`);
  table.push(
    `| ${only.map((n) => median((runs.get(n) ?? []).map((r) => r.maxRssMb)).toFixed(0)).join(' | ')} |`,
  );
  console.log(table.join('\n'));
} finally {
  await server.stop();
}
