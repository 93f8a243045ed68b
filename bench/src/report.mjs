// Turns the workers' results into the tables of bench/README.md and the numbers the chart draws.
// Ratios are taken per round (a client against the baseline of the same round, so drift between
// rounds cancels) and then the median over rounds is reported.

export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
};

export const fmtRate = (n) =>
  !Number.isFinite(n)
    ? '-'
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)}M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)}k`
        : n.toFixed(1);
const fmt = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * A client's rate over the baseline's in the same round, per round of `records` (NaN where the
 * baseline did not run scenario `id`). `base`: round → that round's record of the baseline.
 */
export function roundRatios(records, base, id) {
  return records.map((r) => {
    const b = base.get(r.round)?.results[id]?.unitsPerSec;
    const got = r.results[id]?.unitsPerSec;
    return b && got ? got / b : Number.NaN;
  });
}

/**
 * @param runs Map client name → array of { round, results: { [scenario id]: result }, heapPerRequest }
 *   (a scenario that failed in a round is missing from that round's results)
 * @returns per scenario, per client: median ops, ratios to raw / raw-merged / the stronger of the
 *   two (per round), p50, p99, CPU µs per call, peak RSS.
 */
export function summarize(runs, scenarios, clients) {
  const byRound = (name) => new Map((runs.get(name) ?? []).map((r) => [r.round, r]));
  const raw = byRound('raw');
  const merged = byRound('raw-merged');
  const out = [];
  for (const sc of scenarios) {
    const rows = [];
    for (const name of clients) {
      const rs = (runs.get(name) ?? []).filter((r) => r.results[sc.id]);
      const ratio = (base) => median(roundRatios(rs, base, sc.id));
      const best = new Map(
        [...raw.keys()].map((round) => {
          const a = raw.get(round)?.results[sc.id]?.unitsPerSec ?? 0;
          const b = merged.get(round)?.results[sc.id]?.unitsPerSec ?? 0;
          return [round, { results: { [sc.id]: { unitsPerSec: Math.max(a, b) } } }];
        }),
      );
      const m = (f) => median(rs.map((r) => f(r.results[sc.id])));
      rows.push({
        name,
        rounds: rs.length,
        unitsPerSec: m((x) => x.unitsPerSec),
        toRaw: ratio(raw),
        toMerged: ratio(merged),
        toBest: ratio(best),
        p50: m((x) => x.p50),
        p99: m((x) => x.p99),
        cpuUsPerCall: m((x) => x.cpuUsPerCall),
        cpuPercent: m((x) => x.cpuPercent),
        maxRssMb: m((x) => x.maxRssMb),
        rssGrowthMb: m((x) => x.rssGrowthMb),
      });
    }
    // Client CPU per call against the thriftier baseline (lower is better): steadier than
    // throughput on a shared machine, since it does not count time spent waiting for a core.
    const baseCpu = Math.min(
      ...rows.filter((r) => r.name === 'raw' || r.name === 'raw-merged').map((r) => r.cpuUsPerCall),
    );
    for (const r of rows) r.cpuToBest = r.cpuUsPerCall / baseCpu;
    out.push({ id: sc.id, title: sc.title, unit: sc.unitsPerOp ? 'keys/s' : 'ops/s', rows });
  }
  const heap = clients.map((name) => {
    const rs = runs.get(name) ?? [];
    return {
      name,
      h100: median(rs.map((r) => r.heapPerRequest?.[100])),
      h1000: median(rs.map((r) => r.heapPerRequest?.[1000])),
    };
  });
  return { scenarios: out, heap };
}

export function markdown(summary) {
  const lines = [];
  for (const sc of summary.scenarios) {
    // Bold, and a blank line before the table: a bare "1. …" line would open a Markdown list.
    lines.push(`\n**${sc.title}**\n`);
    lines.push(
      `| client | ${sc.unit} | × raw | × raw-merged | p50 ms | p99 ms | CPU µs/call | CPU % | peak RSS MiB | RSS growth MiB |`,
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of sc.rows) {
      if (r.rounds === 0) {
        lines.push(`| ${r.name} | failed | | | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${r.name} | ${fmtRate(r.unitsPerSec)} | ${fmt(r.toRaw, 2)} | ${fmt(r.toMerged, 2)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.cpuUsPerCall, 1)} | ${fmt(r.cpuPercent, 0)} | ${fmt(r.maxRssMb, 0)} | ${fmt(r.rssGrowthMb, 0)} |`,
      );
    }
  }
  lines.push('\n**Heap per in-flight get** (bytes: heapUsed growth while N gets are queued, / N):\n');
  lines.push('| client | N = 100 | N = 1000 |');
  lines.push('|---|---|---|');
  for (const h of summary.heap) lines.push(`| ${h.name} | ${fmt(h.h100, 0)} | ${fmt(h.h1000, 0)} |`);
  return lines.join('\n');
}
