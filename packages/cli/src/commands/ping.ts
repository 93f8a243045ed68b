import { resolveTarget, serverClients } from '../connect.js';
import type { Context } from '../context.js';
import { type ExitCode, exitCodeFor, worst } from '../exit-codes.js';
import { formatMs, table } from '../format.js';
import { toJson } from '../json.js';

export interface PingOptions {
  count: number;
}

export interface PingResult {
  server: string;
  ok: boolean;
  error?: { code: string; message: string };
  version?: string;
  /** ms for the first `version`: connection (TCP, TLS, auth) plus one round trip. */
  connectMs?: number;
  /** ms per round trip of `version` on the open connection. */
  rttMs?: { min: number; avg: number; max: number; samples: number[] };
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * `mc ping`: per server, one `version` that opens the connection, then --count more, one at a time,
 * each timed alone. Servers are pinged in parallel. Exit 3 when any is unreachable, 4 on auth failure.
 */
export async function ping(ctx: Context, opts: PingOptions): Promise<void> {
  const target = await resolveTarget(ctx.options, ctx.env);
  const clients = serverClients(target);
  const codes: ExitCode[] = [];
  let results: PingResult[];
  try {
    results = await Promise.all(
      clients.map(async (c): Promise<PingResult> => {
        try {
          let start = process.hrtime.bigint();
          const version = await c.version();
          const connectMs = elapsedMs(start);
          const samples: number[] = [];
          for (let i = 0; i < opts.count && !ctx.signal.aborted; i++) {
            start = process.hrtime.bigint();
            await c.version();
            samples.push(elapsedMs(start));
          }
          const rttMs = samples.length
            ? {
                min: Math.min(...samples),
                avg: samples.reduce((a, b) => a + b, 0) / samples.length,
                max: Math.max(...samples),
                samples,
              }
            : undefined;
          return { server: c.server, ok: true, version, connectMs, rttMs };
        } catch (err) {
          codes.push(exitCodeFor(err));
          const e = err as { code?: string; message?: string };
          return {
            server: c.server,
            ok: false,
            error: { code: e.code ?? 'ERROR', message: e.message ?? String(err) },
          };
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  ctx.exit(worst(codes));
  if (ctx.json) {
    ctx.out(`${toJson({ servers: results })}\n`);
    return;
  }
  const rows = results.map((r) =>
    r.ok
      ? [
          r.server,
          'up',
          r.version ?? '',
          formatMs(r.connectMs!),
          r.rttMs ? `${formatMs(r.rttMs.min)} / ${formatMs(r.rttMs.avg)} / ${formatMs(r.rttMs.max)}` : '-',
        ]
      : [r.server, 'DOWN', '-', '-', '-'],
  );
  ctx.out(table(['server', 'state', 'version', 'connect ms', 'rtt ms min / avg / max'], rows));
  for (const r of results) if (!r.ok) ctx.err(`mc: ${r.server}: ${r.error!.message} [${r.error!.code}]\n`);
}
