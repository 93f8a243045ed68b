import { Client, type ClientOptions } from '@mc/client';
import { resolveTarget } from '../connect.js';
import type { Context } from '../context.js';
import { globToRegExp } from '../glob.js';
import { writeAndDrain } from '../io.js';
import { toJson } from '../json.js';
import { metadump } from '../metadump.js';
import { bar, ProgressLine } from '../progress.js';

export interface KeysOptions {
  match?: string;
  limit?: number;
  long?: boolean;
}

/** The item count `stats` reports, for the progress line (an estimate: items come and go meanwhile). */
async function itemCount(server: string, options: ClientOptions): Promise<number | undefined> {
  const c = new Client(server, options);
  try {
    const items = (await c.stats()).curr_items;
    return typeof items === 'number' || typeof items === 'bigint' ? Number(items) : undefined;
  } catch {
    return undefined; // the metadump reports the failure
  } finally {
    await c.close();
  }
}

/**
 * `mc keys [--match GLOB]`: streams every server's keys with `lru_crawler metadump all`, one server
 * after the other, writing each match as it arrives. On a terminal, stderr shows how far the scan is
 * (items seen out of the server's curr_items).
 */
export async function keys(ctx: Context, opts: KeysOptions): Promise<void> {
  const target = await resolveTarget(ctx.options, ctx.env);
  const match = opts.match ? globToRegExp(opts.match) : undefined;
  const prefix = ctx.options.keyPrefix ?? '';
  const progress = new ProgressLine(ctx.io.stderr);
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  let written = 0;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (const server of target.servers) {
      if (written >= limit || stop.signal.aborted) break;
      const total = progress.enabled ? await itemCount(server, target.client) : undefined;
      let seen = 0;
      const status = () =>
        total
          ? `${server} ${bar(seen / total)} ${seen}/~${total} items, ${written} keys`
          : `${server} ${seen} items, ${written} keys`;
      for await (const item of metadump(server, target.client, stop.signal)) {
        seen++;
        progress.update(status);
        // --key-prefix scopes the listing: only keys under the prefix, shown without it.
        if (prefix && !item.key.startsWith(prefix)) continue;
        const key = item.key.slice(prefix.length);
        if (match && !match.test(key)) continue;
        progress.clear();
        const line = ctx.json
          ? toJson({ ...item, key, server })
          : opts.long
            ? `${key}\t${item.size}\t${item.exp}\t${server}`
            : key;
        await writeAndDrain(ctx.io.stdout, `${line}\n`, stop.signal);
        if (++written >= limit) {
          stop.abort();
          break;
        }
      }
      progress.clear();
    }
  } finally {
    progress.clear();
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
