import {
  type CasValue,
  Client,
  type ClientOptions,
  type CommandOptions,
  formatServer,
  type GetOrLoadOptions,
  getOrLoadWith,
  isConnectionError,
  type MemcacheClient,
  type MetaArithmeticCallOptions,
  type MetaArithmeticResult,
  type MetaDeleteCallOptions,
  type MetaDeleteResult,
  type MetaGetCallOptions,
  type MetaGetResult,
  type MetaSetCallOptions,
  type MetaSetResult,
  type NoreplyOptions,
  parseServer,
  type RawOptions,
  type ServerSpec,
  type Stats,
  type StoreOptions,
} from '@mc/client';
import { ObjectPool } from './object-pool.js';

/** Options of {@link PooledClient}: Client's options plus the pool's. */
export interface PooledClientOptions extends ClientOptions {
  /** Most connections to the server. Default 4 (see README: one pipelined connection already carries many requests). */
  maxPoolSize?: number;
  /** ms after which an idle connection is closed; 0 keeps them. Default 60000. */
  poolIdleTimeout?: number;
  /** ms a call may wait for a free connection before PoolTimeoutError; 0 waits forever. Default 0. */
  acquireTimeout?: number;
}

/**
 * MemcacheClient over a pool of Clients to one server, as pymemcache's PooledClient: each call takes
 * a connection for itself and gives it back. A connection whose request failed with a
 * connection-level error (timeout, closed, protocol error, connect failure) is destroyed, not put back.
 * pymemcache's lock_generator has no meaning here: Node runs JavaScript on one thread.
 */
export class PooledClient implements MemcacheClient {
  readonly server: string;
  readonly pool: ObjectPool<Client>;

  constructor(server: ServerSpec, options: PooledClientOptions = {}) {
    const { maxPoolSize, poolIdleTimeout, acquireTimeout, ...clientOptions } = options;
    this.server = formatServer(parseServer(server));
    this.pool = new ObjectPool<Client>({
      create: () => new Client(server, clientOptions),
      destroy: (c) => c.close(),
      maxSize: maxPoolSize ?? 4,
      idleTimeout: poolIdleTimeout ?? 60_000,
      acquireTimeout: acquireTimeout ?? 0,
    });
  }

  private run<R>(fn: (c: Client) => Promise<R>): Promise<R> {
    return this.pool.use(fn, isConnectionError);
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.run((c) => c.set(key, value, options));
  }
  setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    return this.run((c) => c.setMany(values, options));
  }
  add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.run((c) => c.add(key, value, options));
  }
  replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.run((c) => c.replace(key, value, options));
  }
  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.run((c) => c.append(key, value, options));
  }
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.run((c) => c.prepend(key, value, options));
  }
  cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    return this.run((c) => c.cas(key, value, cas, options));
  }
  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    return this.run((c) => c.get<T>(key, options));
  }
  getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    return this.run((c) => c.getMany<T>(keys, options));
  }
  gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.run((c) => c.gets<T>(key, options));
  }
  getsMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, CasValue<T>>> {
    return this.run((c) => c.getsMany<T>(keys, options));
  }
  gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    return this.run((c) => c.gat<T>(key, expire, options));
  }
  gats<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.run((c) => c.gats<T>(key, expire, options));
  }
  delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    return this.run((c) => c.delete(key, options));
  }
  deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    return this.run((c) => c.deleteMany(keys, options));
  }
  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.run((c) => c.incr(key, delta, options));
  }
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.run((c) => c.decr(key, delta, options));
  }
  touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    return this.run((c) => c.touch(key, expire, options));
  }
  flushAll(delay?: number, options?: NoreplyOptions): Promise<boolean> {
    return this.run((c) => c.flushAll(delay, options));
  }
  stats(...args: string[]): Promise<Stats> {
    return this.run((c) => c.stats(...args));
  }
  version(options?: CommandOptions): Promise<string> {
    return this.run((c) => c.version(options));
  }
  verbosity(level: number, options?: NoreplyOptions): Promise<boolean> {
    return this.run((c) => c.verbosity(level, options));
  }
  cacheMemlimit(megabytes: number, options?: NoreplyOptions): Promise<boolean> {
    return this.run((c) => c.cacheMemlimit(megabytes, options));
  }
  raw(command: string, options?: RawOptions): Promise<Buffer> {
    return this.run((c) => c.raw(command, options));
  }

  metaGet<T = unknown>(
    key: string | Uint8Array,
    options?: MetaGetCallOptions,
  ): Promise<MetaGetResult<T> | undefined> {
    return this.run((c) => c.metaGet<T>(key, options));
  }
  metaSet(key: string | Uint8Array, value: unknown, options?: MetaSetCallOptions): Promise<MetaSetResult> {
    return this.run((c) => c.metaSet(key, value, options));
  }
  metaDelete(key: string | Uint8Array, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult> {
    return this.run((c) => c.metaDelete(key, options));
  }
  metaArithmetic(
    key: string | Uint8Array,
    options?: MetaArithmeticCallOptions,
  ): Promise<MetaArithmeticResult | undefined> {
    return this.run((c) => c.metaArithmetic(key, options));
  }
  invalidate(key: string | Uint8Array, staleTtl?: number, options?: CommandOptions): Promise<boolean> {
    return this.run((c) => c.invalidate(key, staleTtl, options));
  }
  metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    return this.run((c) => c.metaGetMany<T>(keys, options));
  }
  metaNoop(options?: CommandOptions): Promise<void> {
    return this.run((c) => c.metaNoop(options));
  }
  /** The lease algorithm over this pool: each meta call takes a connection briefly; none is held while the loader runs. */
  getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T> {
    return getOrLoadWith(this, key, loader, options);
  }

  /** Closes every connection; waiting calls reject with PoolClosedError, in-flight ones with ClientClosedError. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Lets in-flight calls finish on their connections, then closes the pool. */
  async quit(): Promise<void> {
    const clients = this.pool.all();
    await Promise.all(clients.map((c) => c.quit()));
    await this.pool.close();
  }
}
