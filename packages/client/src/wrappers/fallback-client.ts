import type { CommandSpec } from '../commands.js';
import { type CommandDispatcher, forward, installCommands } from '../forward.js';
import { getOrLoadWith } from '../lease.js';
import type { MemcacheClient, MemcacheCommands } from '../memcache-client.js';
import { resolveFallbackOptions } from '../options/index.js';

export interface FallbackClient extends MemcacheCommands {}

/**
 * Reads from several clients in order until one has a hit; writes go to the first only. As
 * pymemcache's FallbackClient, for moving to a new cluster without a cold cache: put the new cluster
 * first and the old one (ideally with ignoreExc) after it, and drop the old one once the new one is warm.
 *
 * Its policy is `dispatch`: a read (a row with `read: true`) goes to each client in turn until a hit;
 * a multi-key read asks the next client only for the keys still missing (pymemcache stops at the
 * first non-empty answer instead, which loses the hits of the older cluster). Everything else goes to
 * the first client; quit and close to all of them.
 */
export class FallbackClient implements MemcacheClient, CommandDispatcher {
  readonly clients: readonly MemcacheClient[];
  declare readonly stats: MemcacheClient['stats'];
  declare readonly version: MemcacheClient['version'];
  declare readonly raw: MemcacheClient['raw'];

  constructor(clients: readonly MemcacheClient[]) {
    this.clients = resolveFallbackOptions(clients).clients;
  }

  dispatch(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    if (spec.shape === 'lease') return getOrLoadWith(this, a as string, b as () => unknown, c as object);
    if (spec.shape === 'lifecycle')
      return Promise.all(this.clients.map((cl) => forward(cl, spec, a, b, c, d))).then(() => undefined);
    if (!spec.read) return forward(this.clients[0]!, spec, a, b, c, d);
    if (spec.shape === 'keys') return this.readMany(spec, [...(a as Iterable<unknown>)], b);
    return this.readOne(spec, a, b, c, d);
  }

  private async readOne(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    for (const client of this.clients) {
      const r = await forward(client, spec, a, b, c, d);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  private async readMany(
    spec: CommandSpec,
    keys: unknown[],
    options: unknown,
  ): Promise<Map<unknown, unknown>> {
    const out = new Map<unknown, unknown>();
    let missing = keys;
    for (const client of this.clients) {
      if (missing.length === 0) break;
      const r = (await forward(client, spec, missing, options, undefined, undefined)) as Map<
        unknown,
        unknown
      >;
      for (const [k, v] of r) out.set(k, v);
      if (r.size > 0) missing = missing.filter((k) => !r.has(k));
    }
    // Keys in the order asked, as a single client answers.
    const ordered = new Map<unknown, unknown>();
    for (const k of keys) if (out.has(k)) ordered.set(k, out.get(k));
    return ordered;
  }

  /** `await using`: disposes every client. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.clients.map((c) => c[Symbol.asyncDispose]()));
  }
}
installCommands(FallbackClient);
