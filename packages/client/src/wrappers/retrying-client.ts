import { setTimeout as sleep } from 'node:timers/promises';
import { COMMAND_LIST, type CommandSpec, isIdempotent } from '../commands.js';
import { entriesOf, type SetManyInput } from '../entries.js';
import { AbortError } from '../errors.js';
import { type CommandDispatcher, forward, installCommands, signalOf } from '../forward.js';
import { getOrLoadWith } from '../lease.js';
import type { MemcacheClient, MemcacheCommands } from '../memcache-client.js';
import { resolveRetryingOptions } from '../options/index.js';

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
   * Also retry the commands that are unsafe to repeat (incr, decr, append, prepend, cas,
   * metaArithmetic, metaSet with compareCas or in append/prepend mode). Default false: after a
   * timeout or a closed connection the first attempt may have been applied, and repeating it would
   * apply it twice.
   */
  retryUnsafe?: boolean;
}

/** Commands that change a value relative to what is stored: repeating one may apply it twice. From the command table. */
export const UNSAFE_COMMANDS: ReadonlySet<string> = new Set(
  COMMAND_LIST.filter((s) => s.idempotent === false).map((s) => s.name),
);

// The methods installCommands puts on the prototype, for the type checker. C must be declared to
// merge with the class; the per-server commands use it (declared in the class).
// biome-ignore lint/correctness/noUnusedVariables: the merged class uses C
export interface RetryingClient<C extends MemcacheClient = MemcacheClient> extends MemcacheCommands {}

/**
 * Wraps a MemcacheClient and retries failed calls, as pymemcache's RetryingClient. Its whole policy
 * is `dispatch`: every command of the table reaches it (see commands.ts for which ones are safe to
 * repeat). An AbortSignal given to a call also cuts the delay short. getOrLoad runs its lease
 * algorithm on this client, so each of its meta calls is retried by the same rule and the loader
 * runs once.
 */
export class RetryingClient<C extends MemcacheClient = MemcacheClient>
  implements MemcacheClient, CommandDispatcher
{
  readonly client: C;
  declare readonly stats: C['stats'];
  declare readonly version: C['version'];
  declare readonly raw: C['raw'];
  private readonly attempts: number;
  private readonly delay: number;
  private readonly retryFor: readonly ErrorMatcher[] | undefined;
  private readonly doNotRetryFor: readonly ErrorMatcher[];
  private readonly retryUnsafe: boolean;

  constructor(client: C, options: RetryingClientOptions = {}) {
    const o = resolveRetryingOptions(options);
    this.client = client;
    this.attempts = o.attempts;
    this.delay = o.retryDelay;
    this.retryFor = o.retryFor;
    this.doNotRetryFor = o.doNotRetryFor;
    this.retryUnsafe = o.retryUnsafe;
  }

  /** Whether `err` may be retried under this client's rule. */
  shouldRetry(err: unknown): boolean {
    if (this.doNotRetryFor.some((m) => matches(err, m))) return false;
    if (this.retryFor) return this.retryFor.some((m) => matches(err, m));
    return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;
  }

  dispatch(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    switch (spec.shape) {
      case 'lease':
        return getOrLoadWith(this, a as string, b as () => unknown, c as object);
      case 'lifecycle':
        return forward(this.client, spec, a, b, c, d);
      case 'keys':
        a = [...(a as Iterable<unknown>)]; // read once: every attempt sends the same keys
        break;
      case 'entries':
        a = entriesOf(a as SetManyInput);
        break;
    }
    const attempts = this.retryUnsafe || isIdempotent(spec, [a, b, c, d]) ? this.attempts : 1;
    return this.retry(attempts, signalOf(spec, a, b, c, d), spec, a, b, c, d);
  }

  private async retry(
    attempts: number,
    signal: AbortSignal | undefined,
    spec: CommandSpec,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await forward(this.client, spec, a, b, c, d);
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

  /** `await using`: disposes the wrapped client. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.client[Symbol.asyncDispose]();
  }
}
installCommands(RetryingClient);

function matches(err: unknown, m: ErrorMatcher): boolean {
  if (typeof m === 'string')
    return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === m;
  return err instanceof m;
}
