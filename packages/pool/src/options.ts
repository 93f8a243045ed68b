import {
  type ClientOptionsInput,
  optionChecks,
  type ResolvedClientOptions,
  resolveClientOptions,
} from '@mc/client';

// optionChecks: @mc/client's validator, so every class has one message shape.

/** Options of {@link ObjectPool}. */
export interface ObjectPoolOptions<T> {
  /** Makes a new object. May be async. Required. */
  create: () => T | Promise<T>;
  /** Disposes of an object that leaves the pool. Default: nothing. */
  destroy?: (obj: T) => void | Promise<void>;
  /** Checked before an idle object is handed out; false destroys it and tries another. Default: always valid. */
  validate?: (obj: T) => boolean | Promise<boolean>;
  /** Most objects alive at once (idle + in use). Integer >= 1. Default 10. */
  maxSize?: number;
  /** ms after which an idle object is destroyed; 0 keeps idle objects forever. Default 0. */
  idleTimeout?: number;
  /** ms a waiting acquire() may wait before PoolTimeoutError; 0 waits forever. Default 0. */
  acquireTimeout?: number;
}

/** ObjectPool's options with every default applied. Frozen. */
export interface ResolvedObjectPoolOptions<T> {
  readonly create: () => T | Promise<T>;
  readonly destroy: ((obj: T) => void | Promise<void>) | undefined;
  readonly validate: ((obj: T) => boolean | Promise<boolean>) | undefined;
  readonly maxSize: number;
  readonly idleTimeout: number;
  readonly acquireTimeout: number;
}

export const OBJECT_POOL_DEFAULTS = { maxSize: 10, idleTimeout: 0, acquireTimeout: 0 } as const;

const OBJECT_POOL_OPTION_NAMES = [
  'create',
  'destroy',
  'validate',
  'maxSize',
  'idleTimeout',
  'acquireTimeout',
];

/**
 * Validates ObjectPool's options. `create` is required; `undefined` for any other option means its
 * default (so `{ maxSize: undefined }` is a pool of 10, never a pool that creates nothing).
 */
export function resolveObjectPoolOptions<T>(options: ObjectPoolOptions<T>): ResolvedObjectPoolOptions<T> {
  const owner = 'ObjectPool';
  const o = optionChecks.checkOptionsObject(owner, options);
  optionChecks.checkKnownNames(owner, o, OBJECT_POOL_OPTION_NAMES);
  if (typeof o.create !== 'function')
    throw optionChecks.optionError(owner, 'create', 'a function (it is required)', o.create);
  return Object.freeze({
    create: o.create as () => T | Promise<T>,
    destroy: optionChecks.checkFunction<(obj: T) => void | Promise<void>>(owner, 'destroy', o.destroy),
    validate: optionChecks.checkFunction<(obj: T) => boolean | Promise<boolean>>(
      owner,
      'validate',
      o.validate,
    ),
    maxSize: optionChecks.checkInteger(owner, 'maxSize', o.maxSize, OBJECT_POOL_DEFAULTS.maxSize, 1),
    idleTimeout: optionChecks.checkMs(owner, 'idleTimeout', o.idleTimeout, OBJECT_POOL_DEFAULTS.idleTimeout),
    acquireTimeout: optionChecks.checkMs(
      owner,
      'acquireTimeout',
      o.acquireTimeout,
      OBJECT_POOL_DEFAULTS.acquireTimeout,
    ),
  });
}

/** The pool's own options of a PooledClient (and of a HashClient with usePooling). */
export interface PoolOptions {
  /** Most connections to the server. Integer >= 1. Default 4. */
  maxPoolSize?: number;
  /** ms after which an idle connection is closed; 0 keeps them. Default 60000. */
  poolIdleTimeout?: number;
  /** ms a call may wait for a free connection before PoolTimeoutError; 0 waits forever. Default 0. */
  acquireTimeout?: number;
  /**
   * Requests pending on a connection past which the pool opens another one (up to maxPoolSize)
   * instead of pipelining more onto it. Integer >= 1. Default 128 (measured: see @mc/pool README).
   */
  pipelineThreshold?: number;
}

/** What resolvePooledClientOptions accepts: a Client's options plus the pool's. */
export interface PooledClientOptionsInput extends ClientOptionsInput, PoolOptions {}

/** The pool's options with their defaults applied. */
export interface ResolvedPoolOptions {
  readonly maxPoolSize: number;
  readonly poolIdleTimeout: number;
  readonly acquireTimeout: number;
  readonly pipelineThreshold: number;
}

/**
 * PooledClient's options, resolved: `client` is what every pooled Client gets (pass it to
 * `new Client(server, resolved.client)`), the rest is the pool's. Frozen.
 */
export interface ResolvedPooledClientOptions extends ResolvedPoolOptions {
  readonly client: ResolvedClientOptions;
}

export const POOL_DEFAULTS = {
  maxPoolSize: 4,
  poolIdleTimeout: 60_000,
  acquireTimeout: 0,
  pipelineThreshold: 128,
} as const;

/** The option names of the pool part. */
export const POOL_OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(POOL_DEFAULTS));

/** The pool part alone, for resolvers that embed it (HashClient). `o` was checked to be an object. */
export function resolvePoolPart(owner: string, o: Record<string, unknown>): ResolvedPoolOptions {
  return Object.freeze({
    maxPoolSize: optionChecks.checkInteger(owner, 'maxPoolSize', o.maxPoolSize, POOL_DEFAULTS.maxPoolSize, 1),
    poolIdleTimeout: optionChecks.checkMs(
      owner,
      'poolIdleTimeout',
      o.poolIdleTimeout,
      POOL_DEFAULTS.poolIdleTimeout,
    ),
    acquireTimeout: optionChecks.checkMs(
      owner,
      'acquireTimeout',
      o.acquireTimeout,
      POOL_DEFAULTS.acquireTimeout,
    ),
    pipelineThreshold: optionChecks.checkInteger(
      owner,
      'pipelineThreshold',
      o.pipelineThreshold,
      POOL_DEFAULTS.pipelineThreshold,
      1,
    ),
  });
}

/** Validates PooledClient's options (Client's rules for the Client part, messages naming PooledClient). */
export function resolvePooledClientOptions(options?: PooledClientOptionsInput): ResolvedPooledClientOptions {
  const owner = 'PooledClient';
  const o = optionChecks.checkOptionsObject(owner, options);
  const client = resolveClientOptions(stripNames(o, POOL_OPTION_NAMES) as ClientOptionsInput, {
    owner,
    extraNames: POOL_OPTION_NAMES,
  });
  return Object.freeze({ client, ...resolvePoolPart(owner, o) });
}

/** A copy of `o` without `names` (so the Client part gets only Client options). */
export function stripNames(o: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!names.includes(k)) out[k] = v;
  return out;
}
