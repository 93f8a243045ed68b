// Re-renders the tables and the chart from a saved run, without measuring again:
// node src/render.mjs [results/full.json]  → prints the tables, rewrites the .md and the .svg.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { markdown, summarize } from './report.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { CPU_CHART, ratiosSvg } from './svg-chart.mjs';

const file = process.argv[2] ?? join(import.meta.dirname, '..', 'results', 'full.json');
const { caption, runs } = JSON.parse(readFileSync(file, 'utf8'));
const map = new Map(Object.entries(runs));
const ids = new Set(Object.values(runs).flatMap((rs) => rs.flatMap((r) => Object.keys(r.results))));
const summary = summarize(
  map,
  SCENARIOS.filter((sc) => ids.has(sc.id)),
  [...map.keys()],
);
const tables = markdown(summary);
console.log(tables);
writeFileSync(file.replace(/\.json$/, '.md'), `${caption}\n${tables}\n`);
const suffix = file.endsWith('quick.json') ? '-quick' : '';
const dir = dirname(file);
writeFileSync(join(dir, `ratios${suffix}.svg`), ratiosSvg(summary, caption));
writeFileSync(join(dir, `cpu${suffix}.svg`), ratiosSvg(summary, caption, CPU_CHART));
