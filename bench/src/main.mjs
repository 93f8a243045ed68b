// mc's benchmark: every client, every scenario, interleaved round by round, against a memcached
// started here on loopback. Usage: node src/main.mjs [--quick] [--rounds N] [--clients a,b] [--scenarios id,id] [--forks N [--split]] [--sliced]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { CLIENT_NAMES } from './clients.mjs';
import { startServer } from './memcached-server.mjs';
import { runPaired, runWorker } from './paired.mjs';
import { preloadServers } from './preload.mjs';
import { markdown, summarize } from './report.mjs';
import { PAIR, runOrder } from './run-order.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { CPU_CHART, ratiosSvg } from './svg-chart.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = Number(args[args.indexOf('--rounds') + 1]) || (quick ? 1 : 3);
const only = args.includes('--clients') ? args[args.indexOf('--clients') + 1].split(',') : CLIENT_NAMES;

// --forks N: raw and mc run in N pairs of processes per step, each measuring its whole loop (with
// --split: 1 / N of it); --sliced: their two processes run at once, loops alternating slice by
// slice (paired.mjs). Split and sliced forks slowed raw against a lone raw-merged process in the
// runs of 2026-12-03 (bench/README.md, "Forks and slices"), so the default is one process each.
const sliced = args.includes('--sliced');
const split = args.includes('--split');
// --quick measures one fork (its loops are too short to share).
const forks = quick
  ? 1
  : args.includes('--forks')
    ? Number(args[args.indexOf('--forks') + 1])
    : sliced
      ? 3
      : 1;
const scenarioIds = args.includes('--scenarios') ? args[args.indexOf('--scenarios') + 1] : '';
const scenarios = scenarioIds ? SCENARIOS.filter((sc) => scenarioIds.split(',').includes(sc.id)) : SCENARIOS;

const serverArgs = ['-I', '16m'];
// Three servers: every client uses the first; mc-hash3 spreads its keys over all three. Each holds
// the same preloaded data, so any routing finds every key.
const servers = await Promise.all(
  [0, 1, 2].map(() => startServer({ args: serverArgs, memoryMb: 1024, threads: 2 })),
);
const server = servers[0];
const addresses = servers.map((s) => s.address).join(',');
const memcachedVersion = execFileSync(process.env.MEMCACHED_BIN || 'memcached', ['-V'], {
  encoding: 'utf8',
}).trim();
console.log(
  `mc bench (${quick ? 'quick' : 'full'}, ${rounds} round(s)${forks > 1 ? `, raw and mc in ${forks} forks${split ? ' (split loops)' : ''}` : ''}${sliced ? ', sliced' : ''})`,
);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
console.log(`server: ${memcachedVersion} at ${addresses}, args: ${server.args.join(' ')}`);
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const startedAt = new Date();
// Which mc was measured: the commit, and whether mc's sources had uncommitted changes (dist/ is
// built from the working tree, so a dirty tree means "that commit plus work in progress").
const git = (...a) => spawnSync('git', a, { cwd: import.meta.dirname, encoding: 'utf8' }).stdout.trim();
const commit = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${git('status', '--porcelain', '--', '../../packages') ? ' (packages/ modified)' : ''}`;
console.log(`mc at ${commit}`);

try {
  await preloadServers(servers);

  // One process per client per scenario per round: each number is a process's own (peak RSS
  // included), and the clients take their turn at one scenario within seconds of each other, the
  // rest rotated around raw and mc (run-order.mjs), so drift on this shared machine hits them
  // alike. With --forks / --sliced, raw and mc run in pairs of processes (paired.mjs).
  const records = new Map(only.map((n) => [n, new Map()])); // name → round → record
  const steps = [
    ...scenarios.map((sc) => sc.id),
    ...(scenarioIds && !scenarioIds.includes('heap') ? [] : ['heap']),
  ];
  const record = (got, round) => {
    const rec = records.get(got.name).get(round) ?? { round, results: {}, heapPerRequest: undefined };
    Object.assign(rec.results, got.results);
    if (got.heapPerRequest) rec.heapPerRequest = got.heapPerRequest;
    records.get(got.name).set(round, rec);
  };
  for (let round = 0; round < rounds; round++) {
    for (const [stepIndex, step] of steps.entries()) {
      const order = runOrder(only, round, stepIndex);
      for (const [index, name] of order.entries()) {
        // raw and mc (adjacent in the order), with --forks or --sliced: measured together (paired.mjs).
        const pair =
          (forks > 1 || sliced) &&
          step !== 'heap' &&
          PAIR.includes(name) &&
          PAIR.every((n) => only.includes(n));
        if (pair && index > 0 && PAIR.includes(order[index - 1])) continue;
        if (pair) {
          const names = [name, order[index + 1]];
          try {
            for (const got of await runPaired(names, addresses, quick ? 'quick' : 'full', step, {
              sliced,
              forks,
              split,
            }))
              record(got, round);
          } catch (err) {
            console.log(`! ${names.join(' and ')} failed at ${step} in round ${round + 1}: ${err.message}`);
          }
          continue;
        }
        try {
          record(runWorker(name, addresses, quick ? 'quick' : 'full', step), round);
        } catch (err) {
          console.log(`! ${name} failed at ${step} in round ${round + 1} (${err.message})`);
        }
      }
      process.stdout.write(`  round ${round + 1}/${rounds}: ${step} done\n`);
    }
  }
  const runs = new Map([...records].map(([name, byRound]) => [name, [...byRound.values()]]));

  const summary = summarize(runs, scenarios, only);
  const tables = markdown(summary);
  console.log(tables);
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const tag = quick ? 'quick' : 'full';
  const caption = `node src/main.mjs ${args.join(' ')} (${rounds} round(s)) at ${commit}, ${startedAt.toISOString().slice(0, 16)} UTC, ${cpus().length} cores, node ${process.version}, ${memcachedVersion}`;
  writeFileSync(
    join(dir, `${tag}.json`),
    JSON.stringify({ caption, runs: Object.fromEntries(runs) }, null, 1),
  );
  writeFileSync(join(dir, `${tag}.md`), `${caption}\n${tables}\n`);
  const suffix = quick ? '-quick' : '';
  writeFileSync(join(dir, `ratios${suffix}.svg`), ratiosSvg(summary, caption));
  writeFileSync(join(dir, `cpu${suffix}.svg`), ratiosSvg(summary, caption, CPU_CHART));
  console.log(`wrote bench/results/${tag}.json, ${tag}.md, ratios${suffix}.svg, cpu${suffix}.svg`);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
