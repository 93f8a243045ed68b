import type {
  MetaArithmeticOptions,
  MetaDeleteOptions,
  MetaGetOptions,
  MetaReplyFlags,
  MetaSetOptions,
} from '@mc/protocol';

/*
 * Types of the meta API (memcached 1.6+). The wire work is in Client (client.ts); these are the
 * typed options and results callers see.
 */

/** metaGet options: the protocol's flags (see @mc/protocol MetaGetOptions) plus an AbortSignal. */
export type MetaGetCallOptions = Omit<MetaGetOptions, 'keyOptions' | 'value' | 'clientFlags'> & {
  signal?: AbortSignal;
  /** ms this call may wait for its reply (default: the client's timeout); past it, the connection is discarded. */
  timeout?: number;
  /** Fetch the value (v and f). Default true. */
  value?: boolean;
};

/** What metaGet returns for a hit (or a vivified placeholder). */
export interface MetaGetResult<T = unknown> extends MetaReplyFlags {
  /** The value, decoded by the serde; absent when `value: false` or for an empty vivified placeholder. */
  value?: T;
  /** True when the item is an empty placeholder created by vivify (N), not a stored value. */
  placeholder: boolean;
}

export type MetaSetCallOptions = Omit<MetaSetOptions, 'keyOptions' | 'clientFlags'> & {
  signal?: AbortSignal;
  /** ms this call may wait for its reply (default: the client's timeout); past it, the connection is discarded. */
  timeout?: number;
  /** Extra client flag bits ORed into the serde's. */
  flags?: number;
};

/** HD stored, NS not stored, EX cas mismatch, NF not found (append/prepend/replace/cas on a missing item). */
export interface MetaSetResult extends MetaReplyFlags {
  stored: boolean;
  code: 'HD' | 'NS' | 'EX' | 'NF';
}

export type MetaDeleteCallOptions = Omit<MetaDeleteOptions, 'keyOptions'> & {
  signal?: AbortSignal;
  /** ms this call may wait for its reply (default: the client's timeout); past it, the connection is discarded. */
  timeout?: number;
};

export interface MetaDeleteResult extends MetaReplyFlags {
  deleted: boolean;
  code: 'HD' | 'NF' | 'EX';
}

export type MetaArithmeticCallOptions = Omit<MetaArithmeticOptions, 'keyOptions' | 'value'> & {
  signal?: AbortSignal;
  /** ms this call may wait for its reply (default: the client's timeout); past it, the connection is discarded. */
  timeout?: number;
};

export interface MetaArithmeticResult extends MetaReplyFlags {
  /** The new value (always requested). */
  value: bigint;
}

/** Options of getOrLoad. Times are seconds, as memcached takes them; waitMs is ms. */
export interface GetOrLoadOptions {
  /** ttl of the loaded value. Default 0 (never expires). */
  ttl?: number;
  /** How long the lease (the empty placeholder a winner holds while it loads) lives. Default 30. */
  leaseTtl?: number;
  /** How long a stale value stays readable after invalidate(). Used when the loader fails on a stale item. Default 30. */
  staleTtl?: number;
  /** ms between polls while another caller holds the lease. Default 50. */
  waitMs?: number;
  /** ms to wait for another caller's load before loading without the lease. Default leaseTtl seconds. */
  maxWaitMs?: number;
  /** R: recache early: win the right to reload when the remaining ttl is below this many seconds. */
  recache?: number;
  /** T: touch on read: set the remaining ttl on every read. */
  touch?: number;
  signal?: AbortSignal;
}
