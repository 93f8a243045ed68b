/** Human output helpers: sizes, numbers, tables and how a stored value is shown. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number | bigint | undefined): string {
  if (n === undefined) return '-';
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined) return '-';
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(1)}k`;
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

export function formatPercent(ratio: number | undefined | null): string {
  return ratio === undefined || ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(3);
}

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** True when the bytes are UTF-8 text a terminal can show as is (no control characters but tab). */
export function isPrintableText(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // A replacement character means invalid UTF-8 (or a real U+FFFD, which we also show as base64).
  if (text.includes('\uFFFD')) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/** How a value's bytes appear in text output: the text itself when printable, `base64:…` otherwise. */
export function showBytes(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isPrintableText(buf) ? buf.toString('utf8') : `base64:${buf.toString('base64')}`;
}

/** A decoded value as text: strings as they are, numbers and bigints as digits, bytes as above, the rest JSON. */
export function showDecoded(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (value instanceof Uint8Array) return showBytes(value);
  return JSON.stringify(value);
}
