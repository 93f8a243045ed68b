/**
 * A latency histogram with log-linear buckets: each power of two of microseconds is split into 32
 * equal buckets, so a percentile read from it is within about 3% of the true value, in constant
 * memory however long the run (a duration-bounded bench has no known request count).
 */
const SUB = 32;
const OCTAVES = 40; // 2^40 µs ≈ 12 days: more than any timeout

export class LatencyHistogram {
  private readonly counts = new Float64Array(1 + OCTAVES * SUB);
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  private sum = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    this.counts[bucketOf(us)]!++;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  /** The latency (ms) at or below which a fraction p of the samples fall: a bucket's upper edge, capped at max. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperEdgeUs(i) / 1000, this.max);
    }
    return this.max;
  }

  /** Counts per power of two of microseconds, from the first non-empty one to the last: what the bench prints. */
  octaves(): { upToMs: number; count: number }[] {
    const rows: { upToMs: number; count: number }[] = [];
    for (let o = 0; o <= OCTAVES; o++) {
      let n = 0;
      if (o === 0) n = this.counts[0]!;
      else for (let s = 0; s < SUB; s++) n += this.counts[1 + (o - 1) * SUB + s]!;
      rows.push({ upToMs: 2 ** o / 1000, count: n });
    }
    const first = rows.findIndex((r) => r.count > 0);
    if (first < 0) return [];
    let last = rows.length - 1;
    while (rows[last]!.count === 0) last--;
    return rows.slice(first, last + 1);
  }
}

/** Bucket 0 holds everything under 1 µs; then octave e (values in [2^e, 2^(e+1)) µs) has SUB buckets. */
function bucketOf(us: number): number {
  if (!(us >= 1)) return 0;
  const e = Math.min(OCTAVES - 1, Math.floor(Math.log2(us)));
  const sub = Math.min(SUB - 1, Math.floor((us / 2 ** e - 1) * SUB));
  return 1 + e * SUB + sub;
}

function upperEdgeUs(bucket: number): number {
  if (bucket === 0) return 1;
  const e = Math.floor((bucket - 1) / SUB);
  const sub = (bucket - 1) % SUB;
  return 2 ** e * (1 + (sub + 1) / SUB);
}
