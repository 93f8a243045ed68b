import {
  Expect,
  type KeyHint,
  ProtocolError,
  type Reply,
  retrievalSize,
  type ValueEntry,
  writeRetrieval,
} from '@mc/protocol';
import type { Connection } from './connection.js';
import { AbortError, ClientClosedError } from './errors.js';
import { IN_ORDER, matchValues, notRequested } from './match-values.js';

/** Most keys sent in one merged `get`; more start another command (bounds head-of-line blocking). */
export const MAX_BATCH_KEYS = 100;
/** A merged get larger than this is encoded into a Buffer of its own rather than the output slab. */
const IN_PLACE_LIMIT = 16 * 1024;
const HEAD = 'get ';

type Resolve = (value: unknown) => void;
type Reject = (error: Error) => void;

// One executor for every get() promise: it hands resolve and reject out through these two slots,
// so a get() allocates its promise and nothing else of its own (no closure, no waiter object).
let nextResolve: Resolve;
let nextReject: Reject;
function capture(resolve: Resolve, reject: Reject): void {
  nextResolve = resolve;
  nextReject = reject;
}

/** The get() calls of one merged `get` command, as parallel arrays in the order of the keys sent. */
class Batch implements KeyHint {
  /** Full keys (prefix included) as sent; a key asked twice is sent twice. */
  readonly keys: string[] = [];
  /** KeyHint: the reply's strings are these keys' own (end: all of them; pos: the parser's cursor). */
  get end(): number {
    return this.keys.length;
  }
  pos = 0;
  /** The keys as the callers gave them (for the serde). */
  readonly userKeys: string[] = [];
  readonly resolves: Resolve[] = [];
  readonly rejects: Reject[] = [];
  /** Abort listeners to remove when the batch settles: [index, signal, listener] triples, rare. */
  aborts: Array<[AbortSignal, () => void]> | undefined;
  /** Bytes of the keys (checkKey's lengths). */
  keyBytes = 0;
  /** Some key is not ASCII: keys are written as UTF-8. */
  utf8 = false;

  constructor(private readonly owner: GetBatcher) {}

  get size(): number {
    return this.keys.length;
  }

  /** The reply to this batch's command, in the connection's read loop. */
  readonly onReply = (reply: Reply): void => {
    if (reply.type === 'values') this.owner.settle(this, reply.values);
    else
      this.fail(
        reply.type === 'error' ? reply.error : new ProtocolError(`unexpected ${reply.type} reply to get`),
      );
  };

  /** The command failed (connection discarded, client closed). */
  readonly fail = (error: Error): void => {
    const rejects = this.rejects;
    for (let i = 0; i < rejects.length; i++) rejects[i]!(error);
    this.owner.done(this);
  };

  /** Empties the batch for reuse. */
  clear(): void {
    const aborts = this.aborts;
    if (aborts !== undefined) {
      for (const [signal, listener] of aborts) signal.removeEventListener('abort', listener);
      this.aborts = undefined;
    }
    this.keys.length = this.userKeys.length = this.resolves.length = this.rejects.length = 0;
    this.keyBytes = 0;
    this.utf8 = false;
    this.pos = 0;
  }
}

/**
 * Merges the single-key get() calls made in one tick into multi-key `get` commands. A multi-get moves
 * several times more keys per second than single gets, because memcached and the socket handle one
 * command and one reply instead of many. Each caller still receives exactly its own entry or a miss.
 * Order is preserved: any other command flushes the open batch first.
 *
 * The hot path allocates little: a get() adds its key string and its promise's two functions to
 * parallel arrays (one shared executor); the command is written straight into the connection's
 * output slab; the reply is handled in the read loop (no promise per batch) and matched to the
 * callers by matchValues (in the order the keys were sent, as memcached answers; by key when a
 * proxy reordered them); a key nobody asked for discards the connection.
 */
export class GetBatcher {
  private open: Batch | undefined;
  /** A settled batch kept for the next one (serial gets reuse one batch and its arrays). */
  private spare: Batch | undefined;
  private scheduled = false;
  /** Scratch for matchValues (settle runs to completion, so one array serves every batch). */
  private readonly match: number[] = [];

  /** `decode` turns an entry into the caller's value (the client's serde). */
  constructor(
    private readonly conn: Connection,
    private readonly decode: (entry: ValueEntry, key: string) => unknown,
  ) {}

  /**
   * Resolves with the decoded value, or undefined on a miss. `fullKey` is prefix + key, checked by
   * checkKey, which gave `keyBytes`.
   */
  get(fullKey: string, keyBytes: number, userKey: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    const promise = new Promise(capture);
    let batch = this.open;
    if (batch === undefined) {
      batch = this.spare ?? new Batch(this);
      this.spare = undefined;
      this.open = batch;
    }
    batch.keys.push(fullKey);
    batch.userKeys.push(userKey);
    batch.resolves.push(nextResolve);
    const reject = nextReject;
    batch.rejects.push(reject);
    batch.keyBytes += keyBytes;
    if (keyBytes !== fullKey.length) batch.utf8 = true;
    if (signal !== undefined) {
      // The promise rejects at once; the reply is still read, and its resolve() is then a no-op.
      const listener = () => reject(new AbortError(signal.reason));
      signal.addEventListener('abort', listener, { once: true });
      (batch.aborts ??= []).push([signal, listener]);
    }
    if (batch.size >= MAX_BATCH_KEYS) this.queueBatch();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.onTick);
    }
    return promise;
  }

  /**
   * Queues the open batch on the connection now (called before any other command, to keep the order
   * of the stream). It leaves with that command in the connection's next write: one write per tick.
   */
  readonly flush = (): void => {
    if (this.open !== undefined) this.queueBatch();
  };

  /** The batch's own tick: it already runs a tick after the get() calls, so it writes at once. */
  private readonly onTick = (): void => {
    this.scheduled = false;
    if (this.open !== undefined) {
      this.queueBatch();
      this.conn.flushNow();
    }
  };

  private queueBatch(): void {
    const batch = this.open!;
    this.open = undefined;
    const size = retrievalSize(HEAD, batch.size, batch.keyBytes);
    const out = this.conn.writer(undefined);
    if (out === undefined) {
      batch.fail(new ClientClosedError());
      return;
    }
    if (size < IN_PLACE_LIMIT) {
      const { slab, offset } = out.reserve(size);
      out.commit(writeRetrieval(slab, offset, HEAD, batch.keys, batch.utf8));
      this.conn.requestWrittenCallback(undefined, Expect.Values, 'get', batch.onReply, batch.fail, batch);
    } else {
      const bytes = Buffer.allocUnsafe(size);
      writeRetrieval(bytes, 0, HEAD, batch.keys, batch.utf8);
      this.conn.requestWrittenCallback(bytes, Expect.Values, 'get', batch.onReply, batch.fail, batch);
    }
  }

  /** Gives each caller of `batch` its value or a miss. */
  settle(batch: Batch, values: readonly ValueEntry[]): void {
    const keys = batch.keys;
    const match = this.match;
    const stray = matchValues(keys, 0, keys.length, values, match);
    if (stray >= 0) {
      const err = notRequested(values[stray]!.key);
      this.conn.discard(err);
      batch.fail(err);
      return;
    }
    const resolves = batch.resolves;
    if (stray === IN_ORDER) {
      // The usual case: the misses are the gaps between the hits.
      let i = 0;
      for (let v = 0; v < values.length; v++) {
        const at = match[v]!;
        while (i < at) resolves[i++]!(undefined);
        this.deliver(batch, at, values[v]!);
        i = at + 1;
      }
      for (; i < resolves.length; i++) resolves[i]!(undefined);
    } else {
      // Reordered: deliver the hits, then resolve every caller as a miss; a promise settles once,
      // so the callers already answered keep their values.
      for (let v = 0; v < values.length; v++) this.deliver(batch, match[v]!, values[v]!);
      for (let i = 0; i < resolves.length; i++) resolves[i]!(undefined);
    }
    this.done(batch);
  }

  private deliver(batch: Batch, i: number, entry: ValueEntry): void {
    let value: unknown;
    try {
      value = this.decode(entry, batch.userKeys[i]!);
    } catch (err) {
      // The serde refused this value: this caller's error alone.
      batch.rejects[i]!(err as Error);
      return;
    }
    batch.resolves[i]!(value);
  }

  /** A settled batch: emptied and kept for the next one. */
  done(batch: Batch): void {
    batch.clear();
    this.spare = batch;
  }
}
