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
} from './meta.js';
import type { Stats } from './stats.js';

/**
 * The one interface every client in mc implements: Client, PooledClient, HashClient,
 * RetryingClient, FallbackClient and MockClient. Wrappers compose through it, and one contract test
 * suite (in @mc/testing) runs against all of them.
 *
 * Conventions:
 * - A miss is not an error: get returns undefined, getMany leaves the key out.
 * - Expiry (`expire`) is in seconds as memcached takes it: 0 = never, up to 30 days relative,
 *   beyond that an absolute Unix time. Negative or non-integer values are rejected (InvalidArgumentError).
 * - cas tokens and incr/decr results are bigint, so values past 2^53 never lose precision.
 */
export interface MemcacheClient extends MemcacheCommands {
  /**
   * `stats [args]`, typed as pymemcache types it. A client of one server resolves with its stats; a
   * client of many (HashClient) with a Map keyed by server name.
   */
  stats(...args: string[]): Promise<Stats | Map<string, Stats>>;
  /** The server's version; per server (a Map) on a client of many. */
  version(options?: CommandOptions): Promise<string | Map<string, string>>;
  /** The escape hatch (see Client.raw); per server (a Map) on a client of many. */
  raw(command: string, options?: RawOptions): Promise<Buffer | Map<string, Buffer>>;
}

/**
 * Every command whose result has the same shape on a client of one server and on a client of many.
 * (MemcacheClient adds stats, version and raw, which a client of many answers per server.)
 */
export interface MemcacheCommands {
  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean>;
  /** Stores every entry; resolves with the keys that were not stored (empty when all were). */
  setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]>;
  add(key: string, value: unknown, options?: StoreOptions): Promise<boolean>;
  replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean>;
  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean>;
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean>;
  /** true: stored; false: the token no longer matches (EXISTS); undefined: the key is missing (NOT_FOUND). */
  cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined>;

  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined>;
  /** Keys found, in a Map; misses are absent. */
  getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>>;
  gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined>;
  getsMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, CasValue<T>>>;
  /** get-and-touch: returns the value and sets its expiry. */
  gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined>;
  gats<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<CasValue<T> | undefined>;

  /** true when deleted, false when the key was missing (true with noreply). */
  delete(key: string, options?: NoreplyOptions): Promise<boolean>;
  /** Deletes every key. Resolves true once every delete was answered (or sent, with noreply). */
  deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean>;
  /** The new value, or undefined when the key is missing. With noreply: undefined. */
  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined>;
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined>;
  /** true when touched, false when the key was missing. */
  touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean>;

  // ---- meta protocol (memcached 1.6+; see the client README's guide) ----
  /** `mg` with typed flags; undefined on a miss. */
  metaGet<T = unknown>(
    key: string | Uint8Array,
    options?: MetaGetCallOptions,
  ): Promise<MetaGetResult<T> | undefined>;
  /** Quiet `mg` pipeline closed by `mn`; hits only. */
  metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>>;
  metaSet(key: string | Uint8Array, value: unknown, options?: MetaSetCallOptions): Promise<MetaSetResult>;
  metaDelete(key: string | Uint8Array, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult>;
  metaArithmetic(
    key: string | Uint8Array,
    options?: MetaArithmeticCallOptions,
  ): Promise<MetaArithmeticResult | undefined>;
  metaNoop(options?: CommandOptions): Promise<void>;
  /** Marks an item stale (stale-while-revalidate). */
  invalidate(key: string | Uint8Array, staleTtl?: number, options?: CommandOptions): Promise<boolean>;
  /** Read-through with a lease: one loader per key across every client of the cluster. */
  getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T>;

  /** flush_all on every server this client talks to. */
  flushAll(delay?: number, options?: NoreplyOptions): Promise<boolean>;
  /** `verbosity <level>` on every server. */
  verbosity(level: number, options?: NoreplyOptions): Promise<boolean>;
  /** `cache_memlimit <megabytes>` on every server. */
  cacheMemlimit(megabytes: number, options?: NoreplyOptions): Promise<boolean>;
  /** `shutdown [graceful]` on every server (they must run with -A). */
  shutdown(graceful?: boolean): Promise<void>;
  /**
   * Waits for the replies of everything sent, sends `quit` and closes the connections. As in
   * pymemcache the client stays usable: the next call opens a new connection. (close() is final.)
   */
  quit(): Promise<void>;
  /** Closes every connection at once, for good; pending and later calls reject with ClientClosedError. */
  close(): Promise<void>;
  /** `await using client = ...`: waits for what is in flight, then closes for good. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link MemcacheClient.raw}. */
export interface RawOptions extends CommandOptions {
  /** The reply ends with this token (included in the result). Default '\r\n'. */
  endToken?: string;
  /** A data block to send after the command line (followed by CRLF). */
  data?: Uint8Array;
}

/** Options every command takes. */
export interface CommandOptions {
  /** Rejects this call with AbortError when aborted. Its reply, if already on its way, is read and dropped. */
  signal?: AbortSignal;
  /**
   * ms this call may wait for its reply; default the client's `timeout`. Past it the call rejects with
   * TimeoutError and the connection is discarded (a late reply must never reach another request).
   */
  timeout?: number;
}

/** Options of commands that accept noreply. */
export interface NoreplyOptions extends CommandOptions {
  /** Don't wait for the server's answer. Default: the client's defaultNoreply (false). */
  noreply?: boolean;
}

/** Options of storage commands. */
export interface StoreOptions extends NoreplyOptions {
  /** Expiry in seconds. Default 0 (never). */
  expire?: number;
  /**
   * Client flags to store instead of the ones the serde chose (pymemcache's `flags=` overrides them
   * the same way). Reading the value back needs a serde that knows these bits (withAppFlags).
   */
  flags?: number;
}

/** A value with its cas token. */
export interface CasValue<T = unknown> {
  value: T;
  cas: bigint;
}
