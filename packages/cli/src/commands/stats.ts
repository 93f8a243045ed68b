import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Stats, StatValue } from '@mc/client';
import { resolveTarget, serverClients } from '../connect.js';
import type { Context } from '../context.js';
import { EXIT, type ExitCode, exitCodeFor, worst } from '../exit-codes.js';
import { formatBytes, formatPercent, formatRate, table } from '../format.js';
import { toJson } from '../json.js';

export interface StatsOptions {
  /** A `stats` group (items, slabs, settings, conns, sizes...): every line of it, per server. */
  group?: string;
  /** Every STAT line of plain `stats`, per server, instead of the summary. */
  all?: boolean;
  watch?: boolean;
  /** Seconds between refreshes with --watch. */
  interval: number;
  /** Number of refreshes (default 1, or until stopped with --watch). */
  count?: number;
}

/** One server's numbers in one refresh. Also the --json shape (see README). */
export interface ServerSnapshot {
  server: string;
  ok: boolean;
  error?: { code: string; message: string };
  version?: string;
  uptime?: StatValue;
  /** Seconds the rates and the hit ratio are measured over: the last interval, or the uptime on the first sample. */
  window?: number;
  hitRatio?: number | null;
  getsPerSecond?: number;
  setsPerSecond?: number;
  evictions?: StatValue;
  bytes?: StatValue;
  limitMaxbytes?: StatValue;
  currConnections?: StatValue;
  currItems?: StatValue;
  stats?: Stats;
}

interface Sample {
  at: number;
  stats: Stats;
}

const num = (v: StatValue | undefined): number =>
  typeof v === 'number' || typeof v === 'bigint' ? Number(v) : 0;

/** Rates over the interval since the previous sample, or since the server started on the first one. */
export function snapshot(server: string, now: Sample, before: Sample | undefined): ServerSnapshot {
  const s = now.stats;
  const p = before?.stats;
  const window = p ? (now.at - before!.at) / 1000 : num(s.uptime);
  const delta = (name: string) => num(s[name]) - (p ? num(p[name]) : 0);
  const hits = delta('get_hits');
  const misses = delta('get_misses');
  const perSecond = (n: number) => (window > 0 ? n / window : 0);
  return {
    server,
    ok: true,
    version: String(s.version ?? ''),
    uptime: s.uptime,
    window,
    hitRatio: hits + misses > 0 ? hits / (hits + misses) : null,
    getsPerSecond: perSecond(delta('cmd_get')),
    setsPerSecond: perSecond(delta('cmd_set')),
    evictions: s.evictions,
    bytes: s.bytes,
    limitMaxbytes: s.limit_maxbytes,
    currConnections: s.curr_connections,
    currItems: s.curr_items,
    stats: s,
  };
}

function render(snaps: readonly ServerSnapshot[], at: Date): string {
  const rows = snaps.map((s) =>
    s.ok
      ? [
          s.server,
          'up',
          formatPercent(s.hitRatio),
          formatRate(s.getsPerSecond),
          formatRate(s.setsPerSecond),
          String(s.evictions ?? '-'),
          `${formatBytes(num(s.bytes))} / ${formatBytes(num(s.limitMaxbytes))}`,
          String(s.currItems ?? '-'),
          String(s.currConnections ?? '-'),
        ]
      : [s.server, stateOf(s), '-', '-', '-', '-', '-', '-', '-'],
  );
  const header = [
    'server',
    'state',
    'hit',
    'gets/s',
    'sets/s',
    'evictions',
    'memory used / limit',
    'items',
    'conns',
  ];
  const errors = snaps
    .filter((s) => !s.ok)
    .map((s) => `  ${s.server}: ${stateOf(s)}: ${s.error!.message} [${s.error!.code}]\n`);
  return `mc stats  ${at.toISOString()}\n${table(header, rows)}${errors.join('')}`;
}

/** Every stat by name, one column per server: `mc stats --all` and `mc stats GROUP`. */
function renderAll(snaps: readonly ServerSnapshot[], title: string, at: Date): string {
  const names = [...new Set(snaps.flatMap((s) => Object.keys(s.stats ?? {})))];
  const rows = names.map((n) => [n, ...snaps.map((s) => (s.ok ? String(s.stats?.[n] ?? '-') : stateOf(s)))]);
  const errors = snaps
    .filter((s) => !s.ok)
    .map((s) => `  ${s.server}: ${stateOf(s)}: ${s.error!.message} [${s.error!.code}]\n`);
  return `mc ${title}  ${at.toISOString()}\n${table(['stat', ...snaps.map((s) => s.server)], rows)}${errors.join('')}`;
}

async function sampleAll(
  clients: readonly Client[],
  previous: Map<string, Sample>,
  group: string | undefined,
): Promise<{ snaps: ServerSnapshot[]; code: ExitCode }> {
  const codes: ExitCode[] = [];
  const snaps = await Promise.all(
    clients.map(async (c): Promise<ServerSnapshot> => {
      try {
        if (group !== undefined)
          return { server: c.server, ok: true, stats: await c.stats(...group.split(' ')) };
        const stats = await c.stats();
        const sample = { at: performance.now(), stats };
        const snap = snapshot(c.server, sample, previous.get(c.server));
        previous.set(c.server, sample);
        return snap;
      } catch (err) {
        codes.push(exitCodeFor(err));
        // After an outage the rates start again from the uptime.
        previous.delete(c.server);
        const e = err as { code?: string; message?: string };
        return {
          server: c.server,
          ok: false,
          error: { code: e.code ?? 'ERROR', message: e.message ?? String(err) },
        };
      }
    }),
  );
  return { snaps, code: worst(codes) };
}

/** DOWN for a server that cannot be reached, ERROR for one that answered with an error. */
function stateOf(s: ServerSnapshot): string {
  if (s.ok) return 'up';
  return exitCodeFor({ code: s.error?.code }) === EXIT.UNREACHABLE ? 'DOWN' : 'ERROR';
}

function fitWidth(text: string, columns: number | undefined): string {
  if (!columns) return text;
  return text
    .split('\n')
    .map((l) => (l.length >= columns ? l.slice(0, columns - 1) : l))
    .join('\n');
}

/** Counts the lines a block of text takes, to move the cursor back over it. */
const lineCount = (text: string) => text.split('\n').length - 1;

/**
 * `mc stats [--watch]`: one table per refresh. On a terminal the table is redrawn in place; when
 * stdout is not a terminal each refresh is printed after the previous one, with no escape codes.
 * The exit code is that of the last refresh (3 when a server was unreachable).
 */
export async function stats(ctx: Context, opts: StatsOptions): Promise<void> {
  const target = await resolveTarget(ctx.options, ctx.env);
  const clients = serverClients(target);
  const previous = new Map<string, Sample>();
  const refreshes = opts.count ?? (opts.watch ? Number.POSITIVE_INFINITY : 1);
  const tty = ctx.io.stdout.isTTY === true && !ctx.json;
  let drawn = 0;
  let code: ExitCode = EXIT.OK;
  try {
    for (let i = 0; i < refreshes && !ctx.signal.aborted; i++) {
      if (i > 0) {
        try {
          await sleep(opts.interval * 1000, undefined, { signal: ctx.signal });
        } catch {
          break; // stopped
        }
      }
      const result = await sampleAll(clients, previous, opts.group);
      code = result.code;
      if (ctx.json) {
        ctx.out(`${toJson({ time: new Date().toISOString(), servers: result.snaps })}\n`);
        continue;
      }
      const text =
        opts.group !== undefined || opts.all
          ? renderAll(result.snaps, opts.group ? `stats ${opts.group}` : 'stats', new Date())
          : render(result.snaps, new Date());
      // Cursor up over the previous table, clear to the end of the screen, draw the new one. On a
      // terminal, lines are cut to its width: a wrapped line would break the count of lines to go up.
      const shown = tty ? fitWidth(text, ctx.io.stdout.columns) : text;
      if (tty && drawn > 0) ctx.out(`\x1b[${drawn}A\x1b[J`);
      else if (i > 0) ctx.out('\n');
      ctx.out(shown);
      drawn = lineCount(shown);
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  ctx.exit(code);
}
