// A hand-written SVG bar chart of the ratios in bench/README.md (no dependency): one panel per
// scenario, one bar per client, the ratio to the stronger baseline of the round (raw or
// raw-merged, whichever was faster), with a line at 1.0.

const COLORS = { raw: '#888888', mc: '#1f5fbf', peer: '#d9822b' };
const colorOf = (name) =>
  name.startsWith('raw') ? COLORS.raw : name.startsWith('mc') ? COLORS.mc : COLORS.peer;
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * @param summary the result of report.mjs summarize(); @param caption a line under the title
 * @param chart which number: the throughput ratio (default) or the CPU-per-call ratio
 */
export function ratiosSvg(
  summary,
  caption,
  chart = {
    field: 'toBest',
    title:
      'Throughput ÷ the stronger baseline of the same round (raw or raw-merged), median of rounds; higher is better',
  },
) {
  const width = 860;
  const labelW = 130;
  const plotW = width - labelW - 70;
  const barH = 12;
  const gap = 3;
  const titleH = 22;
  const panelGap = 10;
  const all = summary.scenarios.flatMap((sc) => sc.rows.map((r) => r[chart.field])).filter(Number.isFinite);
  // The scale stops at 4: a bar past it (memjs's 16 MiB get costs 40× the CPU) is drawn to the
  // edge, its label still gives the number.
  const max = Math.min(4, Math.max(1.5, Math.ceil(Math.max(...all, 1) * 2) / 2));
  const x = (v) => labelW + (Math.min(v, max) / max) * plotW;
  const parts = [];
  let y = 48;
  for (const sc of summary.scenarios) {
    parts.push(`<text x="4" y="${y + 15}" class="t">${esc(sc.title)}</text>`);
    y += titleH;
    const top = y;
    for (const r of sc.rows) {
      const v = r[chart.field];
      parts.push(
        `<text x="${labelW - 6}" y="${y + barH - 2}" class="l" text-anchor="end">${esc(r.name)}</text>`,
      );
      if (Number.isFinite(v)) {
        parts.push(
          `<rect x="${labelW}" y="${y}" width="${(x(v) - labelW).toFixed(1)}" height="${barH}" fill="${colorOf(r.name)}"/>`,
        );
        parts.push(
          `<text x="${(x(v) + 4).toFixed(1)}" y="${y + barH - 2}" class="l">${v > max ? '▸ ' : ''}${v.toFixed(2)}</text>`,
        );
      } else parts.push(`<text x="${labelW + 4}" y="${y + barH - 2}" class="l">failed</text>`);
      y += barH + gap;
    }
    parts.push(
      `<line x1="${x(1).toFixed(1)}" y1="${top - 2}" x2="${x(1).toFixed(1)}" y2="${y}" stroke="#000" stroke-dasharray="3,2"/>`,
    );
    y += panelGap;
  }
  // Axis ticks at the bottom.
  for (let t = 0; t <= max + 1e-9; t += 0.5) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="${y}" x2="${x(t).toFixed(1)}" y2="${y + 4}" stroke="#000"/>`,
    );
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${y + 16}" class="l" text-anchor="middle">${t.toFixed(1)}</text>`,
    );
  }
  y += 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" role="img">
<title>${esc(chart.title)}</title>
<style>.t{font:bold 13px sans-serif}.l{font:11px sans-serif}.h{font:bold 15px sans-serif}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="4" y="18" class="h">${esc(chart.title)}</text>
<text x="4" y="36" class="l">${esc(caption)}</text>
${parts.join('\n')}
</svg>
`;
}

export const CPU_CHART = {
  field: 'cpuToBest',
  title: 'Client CPU µs per call ÷ the thriftier baseline (raw or raw-merged), medians; lower is better',
};
