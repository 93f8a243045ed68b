// Issue 17's targets checked against a saved run, unrounded: per scenario, mc ÷ raw in each round
// and their median (the same per-round ratio and median as report.mjs), and whether it is met.
// The tables round to two digits, so a 0.948 shows as 0.95; this does not.
// Usage: node src/targets.mjs [results/full.json] [client, default mc]
import { readFileSync } from 'node:fs';
import { median } from './report.mjs';

/** mc × raw at least this, per scenario id (issue 17, "Done when"). */
export const TARGETS = {
  'serial-get-100B': 0.95,
  'get-100B-x100': 1.3,
  'get-100B-x1000': 1.3,
  'multiget-100': 0.95,
  'set-1K-x100': 0.8,
  'get-100K-x10': 0.95,
  'mix-90-10-x50': 1.2,
  'get-16M': 0.95,
};

/** Per scenario: the client's ratio to raw in each round both ran it, their median, and the verdict. */
export function checkTargets(runs, client = 'mc') {
  const byRound = (name) => new Map((runs[name] ?? []).map((r) => [r.round, r.results]));
  const raw = byRound('raw');
  const other = byRound(client);
  return Object.entries(TARGETS).map(([id, target]) => {
    const ratios = [];
    for (const [round, results] of other) {
      const base = raw.get(round)?.[id]?.unitsPerSec;
      const got = results[id]?.unitsPerSec;
      if (base && got) ratios.push(got / base);
    }
    const m = median(ratios);
    return { id, target, median: m, ratios, met: m >= target };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? new URL('../results/full.json', import.meta.url).pathname;
  const client = process.argv[3] ?? 'mc';
  const { caption, runs } = JSON.parse(readFileSync(file, 'utf8'));
  console.log(caption);
  const rows = checkTargets(runs, client);
  for (const r of rows)
    console.log(
      `${r.id.padEnd(16)} ≥ ${r.target.toFixed(2)}  ${client} × raw ${r.median.toFixed(3)}  ${r.met ? 'met   ' : 'MISSED'}  rounds: ${r.ratios.map((x) => x.toFixed(2)).join(' ')}`,
    );
  console.log(`${rows.filter((r) => r.met).length} of ${rows.length} targets met`);
}
