import { Expect, encodeGet, ProtocolError, type Reply, type ValueEntry } from '@mc/protocol';
import type { Connection } from './connection.js';
import { AbortError } from './errors.js';

/** Most keys sent in one merged `get`; more start another command (bounds head-of-line blocking). */
export const MAX_BATCH_KEYS = 100;

interface Waiter {
  /** The key as the caller gave it (for the serde). */
  key: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

/**
 * Merges the single-key get() calls made in one tick into multi-key `get` commands. A multi-get moves
 * several times more keys per second than single gets, because memcached and the socket handle one
 * command and one reply instead of many. Each caller still receives exactly its own entry or a miss;
 * duplicate keys are sent once. Order is preserved: any other command flushes the open batch first.
 */
export class GetBatcher {
  private keys: Buffer[] = [];
  private waiters = new Map<string, Waiter[]>();
  private scheduled = false;

  /**
   * `decode` turns an entry into the caller's value (the client's serde), so each caller's promise
   * resolves with its value directly: one promise per get().
   */
  constructor(
    private readonly conn: Connection,
    private readonly decode: (entry: ValueEntry, key: string) => unknown,
  ) {}

  /** Resolves with the decoded value, or undefined on a miss. */
  get(key: Buffer, keyText: string, userKey: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    return new Promise((resolve, reject) => {
      const w: Waiter = { key: userKey, resolve, reject, signal, onAbort: undefined, done: false };
      if (signal) {
        w.onAbort = () => {
          if (w.done) return;
          w.done = true;
          reject(new AbortError(signal.reason));
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      const list = this.waiters.get(keyText);
      if (list) list.push(w);
      else {
        this.waiters.set(keyText, [w]);
        this.keys.push(key);
        if (this.keys.length >= MAX_BATCH_KEYS) this.queueBatch();
      }
      if (!this.scheduled && this.keys.length > 0) {
        this.scheduled = true;
        process.nextTick(this.onTick);
      }
    });
  }

  /**
   * Queues the open batch on the connection now (called before any other command, to keep the order
   * of the stream). It leaves with that command in the connection's next write: one write per tick.
   */
  readonly flush = (): void => {
    this.queueBatch();
  };

  /** The batch's own tick: it already runs a tick after the get() calls, so it writes at once. */
  private readonly onTick = (): void => {
    this.scheduled = false;
    if (this.queueBatch()) this.conn.flushNow();
  };

  private queueBatch(): boolean {
    if (this.keys.length === 0) return false;
    const keys = this.keys;
    const waiters = this.waiters;
    this.keys = [];
    this.waiters = new Map();
    this.conn.request(encodeGet(keys), Expect.Values, undefined, undefined, undefined, 'get').then(
      (reply) => settle(reply, waiters, this.conn, this.decode),
      (error: Error) => {
        for (const list of waiters.values()) for (const w of list) finish(w, undefined, error);
      },
    );
    return true;
  }
}

function settle(
  reply: Reply,
  waiters: Map<string, Waiter[]>,
  conn: Connection,
  decode: (entry: ValueEntry, key: string) => unknown,
): void {
  if (reply.type === 'error') {
    for (const list of waiters.values()) for (const w of list) finish(w, undefined, reply.error);
    return;
  }
  if (reply.type !== 'values') return;
  for (const entry of reply.values) {
    const list = waiters.get(entry.key);
    if (!list) {
      // A value for a key nobody asked for: the stream cannot be trusted any more.
      const err = new ProtocolError(
        `the server returned key ${JSON.stringify(entry.key)} that was not requested`,
      );
      conn.discard(err);
      for (const l of waiters.values()) for (const w of l) finish(w, undefined, err);
      return;
    }
    for (const w of list) {
      let value: unknown;
      try {
        value = decode(entry, w.key);
      } catch (err) {
        // The serde refused this value: this caller's error alone.
        finish(w, undefined, err as Error);
        continue;
      }
      finish(w, value);
    }
    waiters.delete(entry.key);
  }
  for (const list of waiters.values()) for (const w of list) finish(w, undefined);
}

function finish(w: Waiter, value: unknown, error?: Error): void {
  if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
  if (w.done) return;
  w.done = true;
  if (error) w.reject(error);
  else w.resolve(value);
}
