import { InvalidArgumentError } from '../errors.js';
import type {
  CasValue,
  CommandOptions,
  MemcacheClient,
  NoreplyOptions,
  StoreOptions,
} from '../memcache-client.js';
import type {
  GetOrLoadOptions,
  MetaArithmeticCallOptions,
  MetaArithmeticResult,
  MetaDeleteCallOptions,
  MetaDeleteResult,
  MetaGetCallOptions,
  MetaGetResult,
  MetaSetCallOptions,
  MetaSetResult,
} from '../meta.js';

/**
 * Reads from several clients in order until one has a hit; writes go to the first only. As
 * pymemcache's FallbackClient, for moving to a new cluster without a cold cache: put the new cluster
 * first and the old one (ideally with ignoreExc) after it, and drop the old one once the new one is warm.
 */
export class FallbackClient implements MemcacheClient {
  readonly clients: readonly MemcacheClient[];

  constructor(clients: readonly MemcacheClient[]) {
    if (clients.length === 0) throw new InvalidArgumentError('FallbackClient needs at least one client');
    this.clients = clients;
  }

  private get first(): MemcacheClient {
    return this.clients[0]!;
  }

  private async firstHit<R>(read: (c: MemcacheClient) => Promise<R | undefined>): Promise<R | undefined> {
    for (const c of this.clients) {
      const r = await read(c);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  private async firstNonEmpty<R>(
    read: (c: MemcacheClient) => Promise<Map<string, R>>,
  ): Promise<Map<string, R>> {
    let last = new Map<string, R>();
    for (const c of this.clients) {
      last = await read(c);
      if (last.size > 0) return last;
    }
    return last;
  }

  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    return this.firstHit((c) => c.get<T>(key, options));
  }
  gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.firstHit((c) => c.gets<T>(key, options));
  }
  gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    return this.firstHit((c) => c.gat<T>(key, expire, options));
  }
  gats<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.firstHit((c) => c.gats<T>(key, expire, options));
  }
  getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    const list = [...keys];
    return this.firstNonEmpty((c) => c.getMany<T>(list, options));
  }
  getsMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, CasValue<T>>> {
    const list = [...keys];
    return this.firstNonEmpty((c) => c.getsMany<T>(list, options));
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.first.set(key, value, options);
  }
  setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    return this.first.setMany(values, options);
  }
  add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.first.add(key, value, options);
  }
  replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.first.replace(key, value, options);
  }
  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.first.append(key, value, options);
  }
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.first.prepend(key, value, options);
  }
  cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    return this.first.cas(key, value, cas, options);
  }
  delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    return this.first.delete(key, options);
  }
  deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    return this.first.deleteMany(keys, options);
  }
  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.first.incr(key, delta, options);
  }
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.first.decr(key, delta, options);
  }
  touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    return this.first.touch(key, expire, options);
  }
  flushAll(delay?: number, options?: NoreplyOptions): Promise<boolean> {
    return this.first.flushAll(delay, options);
  }
  metaGet<T = unknown>(
    key: string | Uint8Array,
    options?: MetaGetCallOptions,
  ): Promise<MetaGetResult<T> | undefined> {
    return this.firstHit((c) => c.metaGet<T>(key, options));
  }
  async metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    const list = [...keys];
    for (const c of this.clients) {
      const r = await c.metaGetMany<T>(list, options);
      if (r.size > 0) return r;
    }
    return new Map();
  }
  metaSet(key: string | Uint8Array, value: unknown, options?: MetaSetCallOptions): Promise<MetaSetResult> {
    return this.first.metaSet(key, value, options);
  }
  metaDelete(key: string | Uint8Array, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult> {
    return this.first.metaDelete(key, options);
  }
  metaArithmetic(
    key: string | Uint8Array,
    options?: MetaArithmeticCallOptions,
  ): Promise<MetaArithmeticResult | undefined> {
    return this.first.metaArithmetic(key, options);
  }
  metaNoop(options?: CommandOptions): Promise<void> {
    return this.first.metaNoop(options);
  }
  invalidate(key: string | Uint8Array, staleTtl?: number, options?: CommandOptions): Promise<boolean> {
    return this.first.invalidate(key, staleTtl, options);
  }
  /** Leases live on the first (newest) client, where writes go. */
  getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T> {
    return this.first.getOrLoad(key, loader, options);
  }

  async quit(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit()));
  }
  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
