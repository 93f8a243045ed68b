import type { ClientReplyError, ServerError, UnknownCommandError } from './errors.js';

/** What the request at the head of the queue expects; the parser is told before it reads a reply. */
export const Expect = {
  /** VALUE blocks up to END (get, gets, gat, gats). */
  Values: 1,
  /** STORED, NOT_STORED, EXISTS, NOT_FOUND (set, add, replace, append, prepend, cas). */
  Store: 2,
  /** DELETED, NOT_FOUND. */
  Delete: 3,
  /** TOUCHED, NOT_FOUND. */
  Touch: 4,
  /** A decimal number, or NOT_FOUND (incr, decr). */
  Arith: 5,
  /** OK (flush_all, verbosity, cache_memlimit). */
  Ok: 6,
  /** STAT lines up to END (ITEM / PREFIX lines for cachedump / detail dump); RESET or OK alone. */
  Stats: 7,
  /** VERSION <text>. */
  Version: 8,
  /** A meta reply: HD VA EN NS EX NF MN ME (and ElastiCache's OK for HD). */
  Meta: 9,
  /** Everything up to and including a caller-given end token. */
  Raw: 10,
} as const;
export type Expect = (typeof Expect)[keyof typeof Expect];

/** One item of a VALUE reply. `value` is a view into the received bytes (no copy). */
export interface ValueEntry {
  key: string;
  flags: number;
  value: Uint8Array;
  /** Present for gets/gats. */
  cas?: bigint;
}

/**
 * The keys a multi-key `get` asked for, in the order sent (full keys, prefix included), given to
 * ReplyParser.read() with Expect.Values: a VALUE whose key bytes equal the next expected key (or a
 * later one) gets that very string instead of a new one decoded from the bytes, so matching hits to
 * requests compares identical strings and a reply makes no key strings. `pos` is the parser's
 * cursor (start it at the first key); values for keys not in the hint are still read, decoded.
 */
export interface KeyHint {
  readonly keys: readonly string[];
  /** One past the last key of this command in `keys`. */
  readonly end: number;
  pos: number;
  /**
   * Optional: receives each value as soon as it is read whole, instead of the values array of the
   * reply, so a caller can have its value before the rest of a large reply arrives. The reply at
   * END is then one shared, frozen reply with an empty list. `index` is the key of the hint the
   * value's key bytes matched, or -1 (not found from the cursor on, or not ASCII: the caller
   * matches `entry.key` itself). The entry object is the parser's own, reused for the next value:
   * keep its fields (the value Buffer stays valid), not the entry. May throw (a
   * ProtocolError for a key nobody asked for): read() then throws it, and the connection must be
   * discarded.
   */
  onValue?: (entry: ValueEntry, index: number) => void;
}

/** A one-word reply. RESET answers `stats reset` (read with Expect.Stats). */
export type StatusWord =
  | 'STORED'
  | 'NOT_STORED'
  | 'EXISTS'
  | 'NOT_FOUND'
  | 'DELETED'
  | 'TOUCHED'
  | 'OK'
  | 'RESET';

/** Flags a meta reply carries back, typed. Only the ones the server returned are set. */
export interface MetaReplyFlags {
  /** b: the key in `key` is base64. */
  base64?: boolean;
  /** c: cas token. */
  cas?: bigint;
  /** f: client flags. */
  clientFlags?: number;
  /** h: whether the item was hit before this request. */
  hitBefore?: boolean;
  /** k: the key, echoed. */
  key?: string;
  /** l: seconds since the item was last accessed. */
  lastAccess?: number;
  /** O: the opaque token, echoed. */
  opaque?: string;
  /** s: value size in bytes. */
  size?: number;
  /** t: remaining ttl in seconds; -1 means it never expires. */
  ttl?: number;
  /** W: this client won the right to recache the item. */
  won?: boolean;
  /** X: the item is stale. */
  stale?: boolean;
  /** Z: another client already won the recache token. */
  alreadyWon?: boolean;
}

export type MetaCode = 'HD' | 'VA' | 'EN' | 'NS' | 'EX' | 'NF' | 'MN' | 'ME';

export type Reply =
  | { type: 'values'; values: ValueEntry[] }
  | { type: 'status'; status: StatusWord }
  | { type: 'number'; value: bigint }
  | { type: 'stats'; stats: Array<[string, string]> }
  | { type: 'version'; version: string }
  | { type: 'meta'; code: MetaCode; flags: MetaReplyFlags; value?: Uint8Array; debug?: string }
  | { type: 'raw'; bytes: Buffer }
  | { type: 'error'; error: ServerError | ClientReplyError | UnknownCommandError };
