import { AbortError } from '@mc/client';
import { PoolClosedError, PoolTimeoutError } from './errors.js';
import {
  type ObjectPoolOptions,
  type ResolvedObjectPoolOptions,
  resolveObjectPoolOptions,
} from './options.js';

export type { ObjectPoolOptions } from './options.js';

interface Idle<T> {
  obj: T;
  since: number;
}

interface Waiter<T> {
  resolve: (obj: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A generic pool that knows nothing of memcached. Waiters are served first come, first served; a
 * released object goes to the oldest waiter. `release(obj, { destroy: true })` makes sure a broken
 * object is never handed out again. Timers are unref'd: a pool never keeps the process alive.
 */
export class ObjectPool<T> {
  private readonly opts: ResolvedObjectPoolOptions<T>;
  /** Idle objects, most recently used last (LIFO keeps few objects warm, the rest age out). */
  private readonly idleList: Idle<T>[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private readonly busy = new Set<T>();
  private creating = 0;
  private closed = false;
  private sweeper: NodeJS.Timeout | undefined;
  private stats = { created: 0, destroyed: 0 };

  /** Throws InvalidArgumentError for invalid options; `undefined` means the default (see ObjectPoolOptions). */
  constructor(options: ObjectPoolOptions<T>) {
    this.opts = resolveObjectPoolOptions(options);
  }

  /** Objects alive: idle + in use (+ being created). */
  get size(): number {
    return this.idleList.length + this.busy.size + this.creating;
  }
  get idle(): number {
    return this.idleList.length;
  }
  get inUse(): number {
    return this.busy.size;
  }
  get waiting(): number {
    return this.waiters.length;
  }
  get created(): number {
    return this.stats.created;
  }
  get destroyed(): number {
    return this.stats.destroyed;
  }

  /** Takes an object: an idle one, a new one if below maxSize, or the next one released. */
  async acquire(options: { signal?: AbortSignal } = {}): Promise<T> {
    if (this.closed) throw new PoolClosedError();
    if (options.signal?.aborted) throw new AbortError(options.signal.reason);
    while (this.idleList.length > 0) {
      const { obj } = this.idleList.pop()!;
      if (!this.opts.validate || (await this.opts.validate(obj))) {
        if (this.closed) {
          this.dispose(obj);
          throw new PoolClosedError();
        }
        this.busy.add(obj);
        return obj;
      }
      this.dispose(obj);
    }
    if (this.size < this.opts.maxSize) return this.createOne();
    return this.wait(options.signal);
  }

  private async createOne(): Promise<T> {
    this.creating++;
    let obj: T;
    try {
      obj = await this.opts.create();
    } finally {
      this.creating--;
    }
    this.stats.created++;
    if (this.closed) {
      this.dispose(obj);
      throw new PoolClosedError();
    }
    this.busy.add(obj);
    return obj;
  }

  private wait(signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: Waiter<T> = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      const ms = this.opts.acquireTimeout;
      if (ms > 0) {
        w.timer = setTimeout(() => this.dropWaiter(w, new PoolTimeoutError(ms)), ms);
        w.timer.unref();
      }
      if (signal) {
        w.onAbort = () => this.dropWaiter(w, new AbortError(signal.reason));
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
    });
  }

  private dropWaiter(w: Waiter<T>, err: Error): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    this.settle(w);
    w.reject(err);
  }

  private settle(w: Waiter<T>): void {
    if (w.timer) clearTimeout(w.timer);
    if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
  }

  /** Gives an object back. With `destroy: true` it is destroyed instead and never handed out again. */
  release(obj: T, options: { destroy?: boolean } = {}): void {
    if (!this.busy.delete(obj)) return; // not ours, or released twice
    if (options.destroy || this.closed) {
      this.dispose(obj);
      this.serveWaiterWithNew();
      return;
    }
    const w = this.waiters.shift();
    if (w) {
      this.settle(w);
      this.busy.add(obj);
      w.resolve(obj);
      return;
    }
    this.idleList.push({ obj, since: Date.now() });
    this.armSweeper();
  }

  /** After a destroy, a waiter may take the freed slot with a new object. */
  private serveWaiterWithNew(): void {
    if (this.closed || this.waiters.length === 0 || this.size >= this.opts.maxSize) return;
    const w = this.waiters.shift()!;
    this.settle(w);
    this.createOne().then(w.resolve, w.reject);
  }

  /** Runs fn with an object and releases it after; a thrown error for which `isBroken` says true destroys it. */
  async use<R>(fn: (obj: T) => Promise<R>, isBroken: (err: unknown) => boolean = () => false): Promise<R> {
    const obj = await this.acquire();
    try {
      const r = await fn(obj);
      this.release(obj);
      return r;
    } catch (err) {
      this.release(obj, { destroy: isBroken(err) });
      throw err;
    }
  }

  private armSweeper(): void {
    const ms = this.opts.idleTimeout;
    if (ms <= 0 || this.sweeper || this.closed) return;
    this.sweeper = setTimeout(this.sweep, ms);
    this.sweeper.unref();
  }

  private readonly sweep = (): void => {
    this.sweeper = undefined;
    const cutoff = Date.now() - this.opts.idleTimeout;
    // Oldest idle objects are at the front.
    while (this.idleList.length > 0 && this.idleList[0]!.since <= cutoff)
      this.dispose(this.idleList.shift()!.obj);
    if (this.idleList.length > 0) {
      const next = this.idleList[0]!.since + this.opts.idleTimeout - Date.now();
      this.sweeper = setTimeout(this.sweep, Math.max(1, next));
      this.sweeper.unref();
    }
  };

  private dispose(obj: T): void {
    this.stats.destroyed++;
    try {
      const r = this.opts.destroy?.(obj);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => {});
    } catch {
      // A failing destroy must not break the pool; the object is gone either way.
    }
  }

  /** Rejects every waiter with PoolClosedError and destroys every object (in-use ones when released). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearTimeout(this.sweeper);
    this.sweeper = undefined;
    for (const w of this.waiters.splice(0)) {
      this.settle(w);
      w.reject(new PoolClosedError());
    }
    for (const { obj } of this.idleList.splice(0)) this.dispose(obj);
    // Objects in use are destroyed now too; their later release() is a no-op.
    for (const obj of this.busy) this.dispose(obj);
    this.busy.clear();
  }

  /** Every object currently alive and not being created (for broadcasting commands such as close). */
  all(): T[] {
    return [...this.idleList.map((i) => i.obj), ...this.busy];
  }
}
