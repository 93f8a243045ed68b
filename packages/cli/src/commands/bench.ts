import { keyedClient, resolveTarget } from '../connect.js';
import type { Context } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { formatMs } from '../format.js';
import { LatencyHistogram } from '../histogram.js';
import { toJson } from '../json.js';
import { bar, ProgressLine } from '../progress.js';

export const BENCH_OPS = ['get', 'set', 'mix'] as const;

export interface BenchOptions {
  op: (typeof BENCH_OPS)[number];
  /** Share of gets in --op mix. */
  getRatio: number;
  concurrency: number;
  valueSize: number;
  keys: number;
  requests?: number;
  /** Seconds. */
  duration?: number;
  ttl: number;
  benchPrefix: string;
}

/** Without --requests or --duration a bench stops after this many requests. */
export const DEFAULT_BENCH_REQUESTS = 10_000;

/** The --json shape of `mc bench` (see README). */
export interface BenchResult {
  op: string;
  servers: string[];
  concurrency: number;
  valueSize: number;
  keys: number;
  requests: number;
  errors: number;
  errorsByCode: Record<string, number>;
  hits: number;
  misses: number;
  durationMs: number;
  opsPerSecond: number;
  latencyMs: { min: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  histogram: { upToMs: number; count: number }[];
}

function renderHistogram(rows: { upToMs: number; count: number }[], total: number): string {
  const peak = Math.max(...rows.map((r) => r.count), 1);
  return rows
    .map((r) => {
      const label = r.upToMs < 1 ? `${Math.round(r.upToMs * 1000)} µs` : `${r.upToMs} ms`;
      const share = total ? ((r.count / total) * 100).toFixed(1) : '0.0';
      return `  < ${label.padStart(10)}  ${'#'.repeat(Math.round((r.count / peak) * 40)).padEnd(40)}  ${String(r.count).padStart(8)}  ${share.padStart(5)}%`;
    })
    .join('\n');
}

/**
 * `mc bench`: a bounded load test through mc's HashClient (so through its pipelining and get
 * merging, as an application would see it). --concurrency workers each keep one request in flight;
 * the run stops at --requests, at --duration, or on Ctrl-C, whichever comes first. Gets read keys
 * the bench wrote first (with --ttl, so nothing stays behind for long).
 */
export async function bench(ctx: Context, opts: BenchOptions): Promise<void> {
  const target = await resolveTarget(ctx.options, ctx.env);
  const client = keyedClient(target);
  const value = Buffer.alloc(opts.valueSize, 'x');
  const keyOf = (i: number) => `${opts.benchPrefix}${i}`;
  const maxRequests =
    opts.requests ?? (opts.duration === undefined ? DEFAULT_BENCH_REQUESTS : Number.POSITIVE_INFINITY);
  const progress = new ProgressLine(ctx.io.stderr);
  const hist = new LatencyHistogram();
  const errorsByCode: Record<string, number> = {};
  let issued = 0;
  let errors = 0;
  let hits = 0;
  let misses = 0;
  let firstError: unknown;
  try {
    if (opts.op !== 'set') {
      // Write the key space first, so gets hit; 100 keys per setMany keeps each batch small.
      for (let i = 0; i < opts.keys && !ctx.signal.aborted; i += 100) {
        const batch: [string, Buffer][] = [];
        for (let j = i; j < Math.min(opts.keys, i + 100); j++) batch.push([keyOf(j), value]);
        await client.setMany(batch, { expire: opts.ttl });
        progress.update(() => `writing the key space ${bar(i / opts.keys)} ${i}/${opts.keys}`);
      }
      progress.clear();
    }
    const started = performance.now();
    const deadline = opts.duration === undefined ? Number.POSITIVE_INFINITY : started + opts.duration * 1000;
    const status = () => {
      const elapsed = (performance.now() - started) / 1000;
      const fraction = Math.max(
        Number.isFinite(maxRequests) ? issued / maxRequests : 0,
        Number.isFinite(deadline) ? elapsed / opts.duration! : 0,
      );
      const rate = elapsed > 0 ? Math.round(hist.count / elapsed) : 0;
      return `${bar(fraction)} ${Math.floor(fraction * 100)}%  ${hist.count + errors} done  ${rate} ops/s  ${errors} errors`;
    };
    const worker = async () => {
      while (issued < maxRequests && !ctx.signal.aborted && performance.now() < deadline) {
        issued++;
        const key = keyOf(Math.floor(Math.random() * opts.keys));
        const isGet = opts.op === 'get' || (opts.op === 'mix' && Math.random() < opts.getRatio);
        const t0 = performance.now();
        try {
          if (isGet) {
            if ((await client.get(key)) === undefined) misses++;
            else hits++;
          } else await client.set(key, value, { expire: opts.ttl });
          hist.record(performance.now() - t0);
        } catch (err) {
          errors++;
          firstError ??= err;
          const code = (err as { code?: string }).code ?? 'ERROR';
          errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        }
        progress.update(status);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    const durationMs = performance.now() - started;
    progress.clear();
    const result: BenchResult = {
      op: opts.op,
      servers: target.servers,
      concurrency: opts.concurrency,
      valueSize: opts.valueSize,
      keys: opts.keys,
      requests: hist.count + errors,
      errors,
      errorsByCode,
      hits,
      misses,
      durationMs,
      opsPerSecond: durationMs > 0 ? (hist.count / durationMs) * 1000 : 0,
      latencyMs: {
        min: hist.count ? hist.min : 0,
        mean: hist.mean,
        p50: hist.percentile(0.5),
        p90: hist.percentile(0.9),
        p99: hist.percentile(0.99),
        p999: hist.percentile(0.999),
        max: hist.max,
      },
      histogram: hist.octaves(),
    };
    // Nothing succeeded: the cause decides the exit code (3 unreachable, 4 auth...); some errors: 1.
    if (errors > 0) ctx.exit(hist.count === 0 ? exitCodeFor(firstError) : EXIT.NEGATIVE);
    if (ctx.json) ctx.out(`${toJson(result)}\n`);
    else ctx.out(renderBench(result));
    if (firstError)
      ctx.err(`mc: ${errors} requests failed, the first with: ${(firstError as Error).message}\n`);
  } finally {
    progress.clear();
    await client.close();
  }
}

function renderBench(r: BenchResult): string {
  const l = r.latencyMs;
  const lines = [
    `${r.op} on ${r.servers.join(', ')}: ${r.requests} requests (${r.errors} errors) in ${(r.durationMs / 1000).toFixed(2)} s, ` +
      `${r.concurrency} in flight, ${r.valueSize}-byte values, ${r.keys} keys`,
    `throughput  ${Math.round(r.opsPerSecond)} ops/s` +
      (r.hits + r.misses > 0 ? `   gets: ${r.hits} hits, ${r.misses} misses` : ''),
    `latency ms  min ${formatMs(l.min)}  mean ${formatMs(l.mean)}  p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  ` +
      `p99 ${formatMs(l.p99)}  p99.9 ${formatMs(l.p999)}  max ${formatMs(l.max)}`,
    renderHistogram(r.histogram, r.requests - r.errors),
  ];
  return `${lines.join('\n')}\n`;
}
