// Issue 17's targets checked against a saved run, unrounded: per scenario, mc ÷ raw in each round
// and their median (the same per-round ratio and median as report.mjs), and whether it is met.
// The tables round to two digits, so a 0.948 shows as 0.95; this does not.
// Usage: node src/targets.mjs [results/full.json] [client, default mc]
import { readFileSync } from 'node:fs';
import { median, roundRatios } from './report.mjs';

/** mc × raw at least this, per scenario id (issue 17, "Done when"). */
const TARGETS = {
  'serial-get-100B': 0.95,
  'get-100B-x100': 1.3,
  'get-100B-x1000': 1.3,
  'multiget-100': 0.95,
  'set-1K-x100': 0.8,
  'get-100K-x10': 0.95,
  'mix-90-10-x50': 1.2,
  'get-16M': 0.95,
};

const file = process.argv[2] ?? new URL('../results/full.json', import.meta.url).pathname;
const client = process.argv[3] ?? 'mc';
const { caption, runs } = JSON.parse(readFileSync(file, 'utf8'));
const raw = new Map((runs.raw ?? []).map((r) => [r.round, r]));
console.log(caption);
let met = 0;
for (const [id, target] of Object.entries(TARGETS)) {
  const ratios = roundRatios(runs[client] ?? [], raw, id).filter(Number.isFinite);
  const m = median(ratios);
  if (m >= target) met++;
  console.log(
    `${id.padEnd(16)} ≥ ${target.toFixed(2)}  ${client} × raw ${m.toFixed(3)}  ${m >= target ? 'met   ' : 'MISSED'}  rounds: ${ratios.map((x) => x.toFixed(2)).join(' ')}`,
  );
}
console.log(`${met} of ${Object.keys(TARGETS).length} targets met`);
