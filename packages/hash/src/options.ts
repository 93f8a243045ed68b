import {
  type ClientOptionsInput,
  optionChecks,
  type ResolvedClientOptions,
  resolveClientOptions,
} from '@mc/client';
import { POOL_OPTION_NAMES, type PoolOptions, type ResolvedPoolOptions, resolvePoolPart } from '@mc/pool';
import type { NodeLocator } from './node-locator.js';
import { RendezvousHash } from './rendezvous.js';

/** What resolveHashClientOptions accepts: HashClientOptions (Client and pool options plus the hash's own). */
export interface HashClientOptionsInput extends ClientOptionsInput, PoolOptions {
  /** Placement. Default: a new RendezvousHash (pymemcache's default). Any NodeLocator works. */
  hasher?: NodeLocator;
  /** A PooledClient per server instead of a Client. Default false. */
  usePooling?: boolean;
  /** Failures tolerated (each one retried after retryTimeout) before a server is marked dead. Integer >= 0. Default 2. */
  retryAttempts?: number;
  /** ms after a failure before the server is tried again. Default 1000. */
  retryTimeout?: number;
  /** ms a dead server stays out of the ring before it is tried again. Default 60000. */
  deadTimeout?: number;
  /** Turn failures into misses (get → undefined, set → false, ...) instead of errors. Default false. */
  ignoreExc?: boolean;
}

/**
 * HashClient's options, resolved and frozen. `client` is what every member Client gets (its
 * `ignoreExc` is always false: the HashClient applies ignoreExc itself, after its failure
 * bookkeeping has seen the error); `pool` is what a member PooledClient gets on top of it.
 */
export interface ResolvedHashClientOptions {
  readonly client: ResolvedClientOptions;
  readonly pool: ResolvedPoolOptions;
  readonly hasher: NodeLocator;
  readonly usePooling: boolean;
  readonly retryAttempts: number;
  readonly retryTimeout: number;
  readonly deadTimeout: number;
  readonly ignoreExc: boolean;
}

export const HASH_CLIENT_DEFAULTS = {
  usePooling: false,
  retryAttempts: 2,
  retryTimeout: 1000,
  deadTimeout: 60_000,
  ignoreExc: false,
} as const;

/** The option names HashClient adds to Client's and the pool's. */
export const HASH_OPTION_NAMES: readonly string[] = Object.freeze([
  'hasher',
  ...Object.keys(HASH_CLIENT_DEFAULTS),
]);

/**
 * The option names HashClient accepts beyond Client's (the pool's and its own): what to strip from
 * a HashClient options object to get the options of a plain Client.
 */
export const HASH_CLIENT_EXTRA_NAMES: readonly string[] = Object.freeze([
  ...POOL_OPTION_NAMES,
  ...HASH_OPTION_NAMES,
]);

function checkHasher(owner: string, value: unknown): NodeLocator {
  if (value === undefined) return new RendezvousHash();
  const h = value as Partial<NodeLocator> | null;
  if (
    typeof h !== 'object' ||
    h === null ||
    typeof h.getNode !== 'function' ||
    typeof h.addNode !== 'function' ||
    typeof h.removeNode !== 'function' ||
    !Array.isArray(h.nodes)
  )
    throw optionChecks.optionError(
      owner,
      'hasher',
      'a NodeLocator (getNode, addNode, removeNode and nodes)',
      value,
    );
  return value as NodeLocator;
}

/**
 * Validates HashClient's options: the Client part with Client's rules, the pool part with the
 * pool's, and the hash's own (retryAttempts an integer >= 0, retryTimeout and deadTimeout ms, a
 * NodeLocator as hasher), every message naming HashClient.
 */
export function resolveHashClientOptions(
  options?: HashClientOptionsInput,
  context: {
    /** Class named in messages. Default 'HashClient'. */
    owner?: string;
    /** Option names of an embedding class (ElastiCacheClient): accepted, left to it to check. */
    extraNames?: readonly string[];
  } = {},
): ResolvedHashClientOptions {
  const owner = context.owner ?? 'HashClient';
  const o = optionChecks.checkOptionsObject(owner, options);
  const own = [...HASH_CLIENT_EXTRA_NAMES, ...(context.extraNames ?? [])];
  const clientPart: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!own.includes(k)) clientPart[k] = v;
  // ignoreExc is also a Client option; here it is the HashClient's, and checked below.
  const client = resolveClientOptions(clientPart as ClientOptionsInput, { owner, extraNames: own });
  const { checkBoolean, checkInteger, checkMs } = optionChecks;
  return Object.freeze({
    client,
    pool: resolvePoolPart(owner, o),
    hasher: checkHasher(owner, o.hasher),
    usePooling: checkBoolean(owner, 'usePooling', o.usePooling, HASH_CLIENT_DEFAULTS.usePooling),
    retryAttempts: checkInteger(
      owner,
      'retryAttempts',
      o.retryAttempts,
      HASH_CLIENT_DEFAULTS.retryAttempts,
      0,
    ),
    retryTimeout: checkMs(owner, 'retryTimeout', o.retryTimeout, HASH_CLIENT_DEFAULTS.retryTimeout),
    deadTimeout: checkMs(owner, 'deadTimeout', o.deadTimeout, HASH_CLIENT_DEFAULTS.deadTimeout),
    ignoreExc: checkBoolean(owner, 'ignoreExc', o.ignoreExc, HASH_CLIENT_DEFAULTS.ignoreExc),
  });
}
