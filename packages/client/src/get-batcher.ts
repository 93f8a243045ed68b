import { Buffer } from 'node:buffer';
import process from 'node:process';
import {
  Expect,
  type KeyHint,
  ProtocolError,
  type Reply,
  retrievalSize,
  type ValueEntry,
  writeRetrieval,
} from '@mc/protocol';
import { capture, captured } from './capture.js';
import type { Connection, Pending } from './connection.js';
import { AbortError, ClientClosedError } from './errors.js';

/** Most keys sent in one merged `get`; more start another command (bounds head-of-line blocking). */
export const MAX_BATCH_KEYS = 100;
const HEAD = 'get ';

type Resolve = (value: unknown) => void;
type Reject = (error: Error) => void;

/** Put in place of a caller's resolve once it has its value (a promise settles once anyway). */
const ANSWERED: Resolve = () => {};
const EMPTY = Buffer.alloc(0);

/**
 * The get() calls of one merged `get` command, as parallel arrays in the order of the keys sent.
 * The arrays are reused batch after batch: entries [0, end) are this batch's, and clear() empties
 * them slot by slot rather than by setting `length` (a runtime call V8 does not inline, measured
 * at a third of a microsecond per serial get for the four arrays).
 */
class Batch implements KeyHint {
  /** Full keys (prefix included) as sent; a key asked twice is sent twice. */
  readonly keys: string[] = [];
  /** KeyHint: the reply's strings are these keys' own (end: the batch's key count; pos: the parser's cursor). */
  end = 0;
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
  /** A one-key batch's value, held from onValue until the END after it (see GetBatcher.hold). */
  readonly held: ValueEntry = { key: '', flags: 0, value: EMPTY, cas: undefined };
  holding = false;
  /**
   * The connection's record of this batch's command, made once: a batch is reused only after its
   * reply or failure was delivered (done()), when the connection no longer holds the record.
   */
  request: Pending | undefined;

  constructor(private readonly owner: GetBatcher) {}

  /** KeyHint: each value as the parser reads it. */
  readonly onValue = (entry: ValueEntry, index: number): void => {
    this.owner.onValue(this, entry, index);
  };

  /** The reply to this batch's command, in the connection's read loop. */
  readonly onReply = (reply: Reply): void => {
    if (reply.type === 'values') this.owner.settle(this);
    else
      this.fail(
        reply.type === 'error' ? reply.error : new ProtocolError(`unexpected ${reply.type} reply to get`),
      );
  };

  /** The command failed (connection discarded, client closed). */
  readonly fail = (error: Error): void => {
    const rejects = this.rejects;
    for (let i = 0; i < this.end; i++) rejects[i]!(error);
    this.owner.done(this);
  };

  /** Empties the batch for reuse. */
  clear(): void {
    const aborts = this.aborts;
    if (aborts !== undefined) {
      for (const [signal, listener] of aborts) signal.removeEventListener('abort', listener);
      this.aborts = undefined;
    }
    const { keys, userKeys, resolves, rejects } = this;
    // Dropped so a kept batch holds no caller's strings or settled promises' functions.
    for (let i = 0; i < this.end; i++) {
      keys[i] = userKeys[i] = '';
      resolves[i] = rejects[i] = ANSWERED;
    }
    this.end = 0;
    this.keyBytes = 0;
    this.utf8 = false;
    this.pos = 0;
    if (this.holding) {
      this.holding = false;
      this.held.key = '';
      this.held.value = EMPTY;
      this.held.cas = undefined;
    }
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
 * callers as each value is read (KeyHint.onValue), so a caller resumes before the rest of a large
 * reply arrives (a batch of one key waits for its END: see hold()): in the order the keys were
 * sent, as memcached answers, with no map; by key when a proxy reordered them. A key nobody asked
 * for discards the connection.
 *
 * A batch is closed by its own tick (nextTick), or, when get() is called while the connection holds
 * its writes for a burst of reads, by the connection's held flush (Connection.collectsOpenBatch):
 * then it takes the get() calls of every read callback of the burst, up to the hold's limit.
 */
export class GetBatcher {
  private open: Batch | undefined;
  /** A settled batch kept for the next one (serial gets reuse one batch and its arrays). */
  private spare: Batch | undefined;
  private scheduled = false;

  /** `decode` turns an entry into the caller's value (the client's serde). */
  constructor(
    private readonly conn: Connection,
    private readonly decode: (entry: ValueEntry, key: string) => unknown,
  ) {
    conn.beforeFlush = this.flush;
  }

  /**
   * Resolves with the decoded value, or undefined on a miss. `fullKey` is prefix + key, checked by
   * checkKey, which gave `keyBytes`.
   */
  get(fullKey: string, keyBytes: number, userKey: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    // One shared executor (capture.ts): a get() allocates its promise and nothing else of its own.
    const promise = new Promise(capture);
    const { resolve, reject } = captured;
    let batch = this.open;
    if (batch === undefined) {
      batch = this.spare ?? new Batch(this);
      this.spare = undefined;
      this.open = batch;
    }
    const n = batch.end++;
    batch.keys[n] = fullKey;
    batch.userKeys[n] = userKey;
    batch.resolves[n] = resolve as Resolve;
    batch.rejects[n] = reject;
    batch.keyBytes += keyBytes;
    if (keyBytes !== fullKey.length) batch.utf8 = true;
    if (signal !== undefined) {
      // The promise rejects at once; the reply is still read, and its resolve() is then a no-op.
      const listener = () => reject(new AbortError(signal.reason));
      signal.addEventListener('abort', listener, { once: true });
      (batch.aborts ??= []).push([signal, listener]);
    }
    if (batch.end >= MAX_BATCH_KEYS) this.queueBatch();
    else if (!this.scheduled && !this.conn.collectsOpenBatch(batch.end)) {
      // Writes held for a burst of reads: the connection's held flush collects the batch
      // (beforeFlush). Otherwise the batch's own tick closes it.
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
      this.queueBatch(true);
    }
  };

  /** `now`: write at once (the batch's own tick), rather than in the connection's next tick. */
  private queueBatch(now = false): void {
    const batch = this.open!;
    this.open = undefined;
    const size = retrievalSize(HEAD, batch.end, batch.keyBytes);
    const out = this.conn.writer(undefined);
    if (out === undefined) {
      batch.fail(new ClientClosedError());
      return;
    }
    const offset = out.reserve(size);
    out.commit(writeRetrieval(out.target, offset, HEAD, batch.keys, batch.utf8, 0, batch.end));
    batch.request ??= this.conn.reusableRequest(Expect.Values, batch.onReply, batch.fail, batch);
    this.conn.requestWrittenAgain(batch.request, 'get', now);
  }

  /**
   * One value of `batch`'s reply, as soon as the parser has it whole (KeyHint.onValue): its caller
   * resumes before the rest of a large reply arrives. `index` is the key the parser matched from
   * its cursor on (the request order memcached keeps); otherwise, or when that caller was answered,
   * the first unanswered caller of the same key (a proxy may reorder). A key nobody asked for
   * throws ProtocolError out of the parser: the connection is discarded and the batch fails.
   */
  onValue(batch: Batch, entry: ValueEntry, index: number): void {
    if (batch.end === 1) {
      this.hold(batch, entry);
      return;
    }
    const resolves = batch.resolves;
    let i = index;
    if (i < 0 || resolves[i] === ANSWERED) {
      const keys = batch.keys;
      const end = batch.end;
      for (i = 0; i < end; i++) if (keys[i] === entry.key && resolves[i] !== ANSWERED) break;
      if (i === end) throw notRequested(entry.key);
    }
    this.deliver(batch, i, entry);
    resolves[i] = ANSWERED;
  }

  /**
   * The END of `batch`'s reply: every caller not answered by onValue has a miss. (The batch is its
   * reply's KeyHint with onValue, so the parser streamed every value and the reply's list is empty.)
   */
  settle(batch: Batch): void {
    const resolves = batch.resolves;
    if (batch.holding) {
      this.deliver(batch, 0, batch.held);
      resolves[0] = ANSWERED;
    }
    for (let i = 0; i < batch.end; i++) resolves[i]!(undefined);
    this.done(batch);
  }

  /**
   * The value of a one-key batch is kept until its reply's END, then delivered (settle), as a lone
   * get without the batcher and a hand-written client do. Streamed at once, its caller's next
   * request went out between the read that completed a large value and the read of its END, and
   * that cost: 100 KiB gets with 10 in flight, each client in a process of its own, 6 alternating
   * triples: streamed 23.4k/s at 43 µs of CPU per get, held 27.4k/s at 32 µs, raw 26.9k/s. What grew
   * was the kernel's share of the client's CPU (`perf`: more of the loopback delivery of each request
   * ran in the client, waking memcached). Nothing is lost by holding: the END follows the data at
   * once. A batch of several keys still hands each value on as it is read, so its callers need not
   * wait for the rest of a large reply.
   */
  private hold(batch: Batch, entry: ValueEntry): void {
    if (batch.holding || entry.key !== batch.keys[0]) throw notRequested(entry.key);
    const held = batch.held;
    held.key = entry.key;
    held.flags = entry.flags;
    held.value = entry.value;
    held.cas = entry.cas;
    batch.holding = true;
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

/** The error for a value of a key nobody asked for (the connection is then discarded). */
export function notRequested(key: string): ProtocolError {
  return new ProtocolError(`the server returned key ${JSON.stringify(key)} that was not requested`);
}
