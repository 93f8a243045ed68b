import { setTimeout as sleep } from 'node:timers/promises';
import { entriesOf } from '../entries.js';
import { AbortError, InvalidArgumentError } from '../errors.js';
import { getOrLoadWith } from '../lease.js';
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

/** An error class, or a stable error code such as 'MC_ERR_TIMEOUT'. */
export type ErrorMatcher = (abstract new (...args: never[]) => Error) | string;

/** Options of {@link RetryingClient}. */
export interface RetryingClientOptions {
  /** Total attempts, the first included. Default 2 (as pymemcache). Must be >= 1. */
  attempts?: number;
  /** ms to wait between attempts. Default 0. */
  retryDelay?: number;
  /** Retry only these errors. Default: errors whose `retryable` is true (timeouts, closed connections, connect failures). */
  retryFor?: ErrorMatcher[];
  /** Never retry these errors (checked first). Default none. */
  doNotRetryFor?: ErrorMatcher[];
  /**
   * Also retry incr, decr, append, prepend and cas. Default false: after a timeout or a closed
   * connection the first attempt may have been applied, and repeating it would apply it twice.
   */
  retryUnsafe?: boolean;
}

/** Commands that change a value relative to what is stored: repeating one may apply it twice. */
export const UNSAFE_COMMANDS: ReadonlySet<string> = new Set(['incr', 'decr', 'append', 'prepend', 'cas']);

/**
 * Wraps a MemcacheClient and retries failed calls, as pymemcache's RetryingClient. See
 * RetryingClientOptions for the rule; an AbortSignal given to a call also cuts the delay short.
 */
export class RetryingClient implements MemcacheClient {
  readonly client: MemcacheClient;
  private readonly attempts: number;
  private readonly delay: number;
  private readonly retryFor: ErrorMatcher[] | undefined;
  private readonly doNotRetryFor: ErrorMatcher[];
  private readonly retryUnsafe: boolean;

  constructor(client: MemcacheClient, options: RetryingClientOptions = {}) {
    const attempts = options.attempts ?? 2;
    if (!Number.isInteger(attempts) || attempts < 1)
      throw new InvalidArgumentError('attempts must be an integer >= 1');
    const both = (options.retryFor ?? []).filter((m) => (options.doNotRetryFor ?? []).includes(m));
    if (both.length) throw new InvalidArgumentError('an error is in both retryFor and doNotRetryFor');
    this.client = client;
    this.attempts = attempts;
    this.delay = options.retryDelay ?? 0;
    this.retryFor = options.retryFor;
    this.doNotRetryFor = options.doNotRetryFor ?? [];
    this.retryUnsafe = options.retryUnsafe ?? false;
  }

  /** Whether `err` may be retried under this client's rule. */
  shouldRetry(err: unknown): boolean {
    if (this.doNotRetryFor.some((m) => matches(err, m))) return false;
    if (this.retryFor) return this.retryFor.some((m) => matches(err, m));
    return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;
  }

  private async retry<R>(command: string, signal: AbortSignal | undefined, fn: () => Promise<R>): Promise<R> {
    const attempts = UNSAFE_COMMANDS.has(command) && !this.retryUnsafe ? 1 : this.attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= attempts || !this.shouldRetry(err)) throw err;
        if (signal?.aborted) throw new AbortError(signal.reason);
        if (this.delay > 0) {
          try {
            await sleep(this.delay, undefined, { signal, ref: false });
          } catch {
            throw new AbortError(signal?.reason);
          }
        }
      }
    }
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.retry('set', options?.signal, () => this.client.set(key, value, options));
  }
  setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    const entries = entriesOf(values);
    return this.retry('setMany', options?.signal, () => this.client.setMany(entries, options));
  }
  add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.retry('add', options?.signal, () => this.client.add(key, value, options));
  }
  replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.retry('replace', options?.signal, () => this.client.replace(key, value, options));
  }
  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.retry('append', options?.signal, () => this.client.append(key, value, options));
  }
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.retry('prepend', options?.signal, () => this.client.prepend(key, value, options));
  }
  cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    return this.retry('cas', options?.signal, () => this.client.cas(key, value, cas, options));
  }
  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    return this.retry('get', options?.signal, () => this.client.get<T>(key, options));
  }
  getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    const list = [...keys];
    return this.retry('getMany', options?.signal, () => this.client.getMany<T>(list, options));
  }
  gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.retry('gets', options?.signal, () => this.client.gets<T>(key, options));
  }
  getsMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, CasValue<T>>> {
    const list = [...keys];
    return this.retry('getsMany', options?.signal, () => this.client.getsMany<T>(list, options));
  }
  gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    return this.retry('gat', options?.signal, () => this.client.gat<T>(key, expire, options));
  }
  gats<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.retry('gats', options?.signal, () => this.client.gats<T>(key, expire, options));
  }
  delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    return this.retry('delete', options?.signal, () => this.client.delete(key, options));
  }
  deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    const list = [...keys];
    return this.retry('deleteMany', options?.signal, () => this.client.deleteMany(list, options));
  }
  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.retry('incr', options?.signal, () => this.client.incr(key, delta, options));
  }
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.retry('decr', options?.signal, () => this.client.decr(key, delta, options));
  }
  touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    return this.retry('touch', options?.signal, () => this.client.touch(key, expire, options));
  }
  flushAll(delay?: number, options?: NoreplyOptions): Promise<boolean> {
    return this.retry('flushAll', options?.signal, () => this.client.flushAll(delay, options));
  }
  metaGet<T = unknown>(
    key: string | Uint8Array,
    options?: MetaGetCallOptions,
  ): Promise<MetaGetResult<T> | undefined> {
    return this.retry('metaGet', options?.signal, () => this.client.metaGet<T>(key, options));
  }
  metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    const list = [...keys];
    return this.retry('metaGetMany', options?.signal, () => this.client.metaGetMany<T>(list, options));
  }
  /** Retried like set, except in append/prepend mode or with compareCas (unsafe to repeat). */
  metaSet(key: string | Uint8Array, value: unknown, options?: MetaSetCallOptions): Promise<MetaSetResult> {
    const unsafe =
      options?.compareCas !== undefined || options?.mode === 'append' || options?.mode === 'prepend';
    return this.retry(unsafe ? 'cas' : 'metaSet', options?.signal, () =>
      this.client.metaSet(key, value, options),
    );
  }
  metaDelete(key: string | Uint8Array, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult> {
    return this.retry('metaDelete', options?.signal, () => this.client.metaDelete(key, options));
  }
  /** Never retried by default: it is incr/decr. */
  metaArithmetic(
    key: string | Uint8Array,
    options?: MetaArithmeticCallOptions,
  ): Promise<MetaArithmeticResult | undefined> {
    return this.retry('incr', options?.signal, () => this.client.metaArithmetic(key, options));
  }
  metaNoop(options?: CommandOptions): Promise<void> {
    return this.retry('metaNoop', options?.signal, () => this.client.metaNoop(options));
  }
  invalidate(key: string | Uint8Array, staleTtl?: number, options?: CommandOptions): Promise<boolean> {
    return this.retry('invalidate', options?.signal, () => this.client.invalidate(key, staleTtl, options));
  }
  /** The lease algorithm runs on this client, so each of its meta calls is retried by the rule above. */
  getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T> {
    return getOrLoadWith(this, key, loader, options);
  }
  quit(): Promise<void> {
    return this.client.quit();
  }
  close(): Promise<void> {
    return this.client.close();
  }
}

function matches(err: unknown, m: ErrorMatcher): boolean {
  if (typeof m === 'string')
    return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === m;
  return err instanceof m;
}
