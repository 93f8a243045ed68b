// Where does each client spend its CPU? Runs one scenario per client in the bench's worker with the
// V8 profiler on around the measured loop only (BENCH_PROFILE: no start-up, no warm-up), against a
// memcached started here, and prints the top functions by self time, grouped by function and file,
// with idle / GC / program shown apart: each as a share of the samples and as µs per call.
// Usage: node src/profile.mjs [--scenario get-100B-x100] [--clients raw,mc] [--top 20]
// The .cpuprofile files stay in bench/results/profiles/ (open them in Chrome DevTools).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './memcached-server.mjs';
import { preloadServers } from './preload.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const scenario = opt('--scenario', 'get-100B-x100');
const clients = opt('--clients', 'raw,raw-merged,mc').split(',');
const top = Number(opt('--top', '20'));

const servers = await Promise.all([0, 1, 2].map(() => startServer({ args: ['-I', '16m'] })));
const addresses = servers.map((s) => s.address).join(',');
try {
  await preloadServers(servers);
  for (const name of clients) {
    const dir = join(import.meta.dirname, '..', 'results', 'profiles', `${name}-${scenario}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, 'worker.mjs'), name, addresses, 'full', scenario],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, BENCH_PROFILE: join(dir, 'cpu') } },
    );
    if (r.status !== 0) {
      console.log(`! ${name}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    const result = JSON.parse(r.stdout.trim().split('\n').pop()).results[scenario];
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const self = new Map();
    let total = 0;
    for (const node of profile.nodes) {
      const f = node.callFrame;
      const where = f.url
        ? `${f.url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/')}:${f.lineNumber + 1}`
        : '';
      const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + node.hitCount);
      total += node.hitCount;
    }
    // Samples → µs per call: the profile spans the measured loop (times in µs), result.ops calls.
    const usPerCall = (hits) => (hits / total) * ((profile.endTime - profile.startTime) / result.ops);
    const busy = total - (self.get('(idle)') ?? 0);
    console.log(
      `\n${name}, ${scenario}: ${(result.unitsPerSec / 1000).toFixed(1)}k/s, ${result.cpuUsPerCall.toFixed(2)} µs CPU per call, ${usPerCall(busy).toFixed(2)} µs per call not idle; self time of ${total} samples:`,
    );
    for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(
        `  ${((hits / total) * 100).toFixed(1).padStart(5)} %  ${usPerCall(hits).toFixed(3).padStart(8)} µs/call  ${key}`,
      );
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
