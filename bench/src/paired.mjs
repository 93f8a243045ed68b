// raw and mc, whose ratio issue 17's targets are, measured in several pairs of processes ("forks",
// as JMH calls them) per step, for main.mjs's --forks and --sliced: on this VM a process brings a
// speed of its own (two raw processes measured slice by slice against each other differed by
// 0.77-1.32 from pair to pair: `node local/slice-ab.mjs get-100K-x10 6 raw,raw 1`, also pinned,
// also with memcached at -t 1).
//
// Default: in each fork the two run one after the other, each its whole loop (the first alternating
// from fork to fork), so a fork measures what a lone process does and only the count of processes
// differs from the other clients'. `split`: each fork measures 1 / forks of the loop (the runs of
// 2026-12-03 morning). `sliced`: the two workers run at once and their loops alternate slice by
// slice (worker.mjs --slices; A B B A ...), which also takes drift out of their ratio. Split and
// sliced narrowed the spread of mc / raw, but in both raw came out 15-25 % slower than raw-merged
// (nearly the same code, one process, whole loop) on serial and 16 MiB gets (bench/README.md,
// "Forks and slices": in part the shorter loop, 14 % slower on 16 MiB gets, `node
// local/share-ab.mjs get-16M`), so their numbers compare raw and mc with each other only.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Slices per measured loop, over all forks: about 100 ms each for raw and mc at the full loop counts. */
export const SLICES = 18;
/** Pairs of processes per step when the caller does not say. */
export const FORKS = 3;

/** A worker process in sliced mode, read line by line. */
function startWorker(name, args) {
  const argv = [process.execPath, '--expose-gc', join(import.meta.dirname, 'worker.mjs'), name, ...args];
  // PIN_CLIENT=<cpus>: the workers run under taskset (local experiments, as in local/worker-ab.mjs).
  const pin = process.env.PIN_CLIENT;
  const [cmd, ...cmdArgs] = pin ? ['taskset', '-c', pin, ...argv] : argv;
  const child = spawn(cmd, cmdArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    /** The next line the worker prints (a JSON object). */
    async next() {
      const { value, done } = await lines.next();
      if (done) throw new Error(`${name} exited (${child.exitCode}): ${lastLine(stderr)}`);
      return JSON.parse(value);
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

function lastLine(text) {
  const ls = text.trim().split('\n');
  return ls.find((l) => /Error|error:/.test(l)) ?? ls.at(-1) ?? '';
}

/**
 * One pair of worker processes: both warm up, then `runs` slices each, alternating (ABBA), then both
 * report. Resolves with each worker's final JSON, in the order of `names`.
 */
async function runOnePair(names, addresses, mode, step, slices, runs, firstGoes) {
  const workers = names.map((name) => startWorker(name, [addresses, mode, step, '--slices', String(slices)]));
  try {
    // Both warmed up and settled (at the same time, each on its own connection).
    await Promise.all(workers.map((w) => w.next()));
    for (let s = 0; s < runs; s++) {
      // ABBA: each client goes first in every other slice, so neither always follows the other.
      for (const w of (s + firstGoes) % 2 === 0 ? workers : [...workers].reverse()) {
        w.send('run');
        await w.next();
      }
    }
    for (const w of workers) w.send('end');
    return await Promise.all(workers.map((w) => w.next()));
  } finally {
    for (const w of workers) w.kill();
  }
}

/**
 * One worker process for one client and one step, run to its end (main.mjs's clients, and a fork's
 * processes with `--share`): its JSON line, or an Error saying why it failed.
 */
export function runWorker(name, addresses, mode, step, extraArgs = []) {
  const worker = join(import.meta.dirname, 'worker.mjs');
  const r = spawnSync(process.execPath, ['--expose-gc', worker, name, addresses, mode, step, ...extraArgs], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line?.startsWith('{'))
    throw new Error(`exit ${r.status}: ${lastLine(r.stderr || r.stdout || r.error?.message || '')}`);
  return JSON.parse(line);
}

/**
 * Measures two clients on scenario `step` in `forks` pairs of processes, one pair after the other
 * (see the top of this file for `sliced`). Resolves with, per client in the order of `names`, its
 * scenario result summed over the forks (ops, seconds, CPU; p50 and p99 are the median of the
 * forks'; peak RSS the highest) and each fork's own.
 */
export async function runPaired(
  names,
  addresses,
  mode,
  step,
  { forks = FORKS, slices = SLICES, sliced = false, split = false } = {},
) {
  const runs = Math.ceil(slices / forks);
  const perFork = [];
  for (let f = 0; f < forks; f++) {
    if (sliced) perFork.push(await runOnePair(names, addresses, mode, step, runs * forks, runs, f % 2));
    else {
      const order = f % 2 ? [1, 0] : [0, 1];
      const out = [];
      const share = split ? ['--share', String(forks)] : [];
      for (const i of order) out[i] = runWorker(names[i], addresses, mode, step, share);
      perFork.push(out);
    }
  }
  return names.map((name, i) => {
    const rs = perFork.map((out) => out[i].results[step]);
    const sum = (f) => rs.reduce((n, r) => n + f(r), 0);
    const ops = sum((r) => r.ops);
    const secs = sum((r) => r.secs);
    const cpuUs = sum((r) => r.cpuUsPerCall * r.ops);
    const opsPerSec = ops / secs;
    const med = (f) => rs.map(f).sort((a, b) => a - b)[(rs.length - 1) >> 1];
    const result = {
      ops,
      secs,
      opsPerSec,
      unitsPerSec: opsPerSec * (rs[0].unitsPerSec / rs[0].opsPerSec),
      p50: med((r) => r.p50),
      p99: med((r) => r.p99),
      cpuUsPerCall: cpuUs / ops,
      cpuPercent: (cpuUs / 1e6 / secs) * 100,
      rssBeforeMb: Math.min(...rs.map((r) => r.rssBeforeMb)),
      maxRssMb: Math.max(...rs.map((r) => r.maxRssMb)),
      rssGrowthMb: Math.max(...rs.map((r) => r.rssGrowthMb)),
      forks: rs.map((r) => ({ ops: r.ops, secs: r.secs, cpuUsPerCall: r.cpuUsPerCall, slices: r.slices })),
    };
    return { name, results: { [step]: result }, maxRssMb: result.maxRssMb };
  });
}
