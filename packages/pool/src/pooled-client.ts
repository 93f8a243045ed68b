import {
  Client,
  ClientClosedError,
  type ClientOptions,
  type CommandDispatcher,
  type CommandOptions,
  type CommandSpec,
  FailureListeners,
  formatServer,
  forward,
  getOrLoadWith,
  installCommands,
  type MemcacheClient,
  type MemcacheCommands,
  parseServer,
  type ServerSpec,
  type StoreOptions,
} from '@mc/client';
import { resolvePooledClientOptions } from './options.js';

/** Options of {@link PooledClient}: Client's options (applied to every connection) plus the pool's. */
export interface PooledClientOptions extends ClientOptions {
  /** Most connections to the server. Default 4. */
  maxPoolSize?: number;
  /**
   * A connection unused for this many ms (nothing picked it, nothing pending) is closed; the pool
   * opens one again when traffic needs it. 0 keeps them. Default 60000.
   */
  poolIdleTimeout?: number;
  /**
   * Another connection opens (up to maxPoolSize) when every open one has at least this many
   * requests queued or in flight. Default 128: below that, one pipelined socket is the cheapest way to
   * carry them; past it a second socket lets memcached serve them on another worker thread (see the
   * package README for the measurement behind the number).
   */
  pipelineThreshold?: number;
  /**
   * Kept so pymemcache-style option objects still type-check; it has no effect: calls never wait for
   * a connection (each connection carries many requests at once).
   */
  acquireTimeout?: number;
}

export interface PooledClient extends MemcacheCommands {}

/**
 * A MemcacheClient over up to maxPoolSize pipelined connections (Clients) to one server. Each call
 * goes to the connection with the fewest requests pending; a new connection opens only when every
 * open one is past `pipelineThreshold` (compare undici's Pool, whose clients also pipeline). As in
 * pymemcache's PooledClient, a connection that failed at the connection level (timeout, closed,
 * protocol error, failed connect) is discarded, never reused: the next call that needs one opens a
 * fresh connection.
 *
 * Its policy is `dispatch` (which connection carries a call); every command of the table goes through
 * it. For exclusive checkout of a connection, use ObjectPool with Clients.
 */
export class PooledClient implements MemcacheClient, CommandDispatcher {
  readonly server: string;
  declare readonly stats: Client['stats'];
  declare readonly version: Client['version'];
  declare readonly raw: Client['raw'];
  private readonly spec: ServerSpec;
  private readonly clientOptions: ClientOptions;
  private readonly maxSize: number;
  private readonly threshold: number;
  private readonly idleTimeout: number;
  private conns: Client[] = [];
  /** Whether each connection was picked since the last idle sweep (same index as conns). */
  private picked: boolean[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly failureListeners = new FailureListeners();
  private reportedThisTurn = false;
  private opened = 0;
  private discarded = 0;

  constructor(server: ServerSpec, options: PooledClientOptions = {}) {
    // Every option checked once, before any connection; the connections get the resolved Client part.
    const o = resolvePooledClientOptions(options);
    this.server = formatServer(parseServer(server));
    this.spec = server;
    this.clientOptions = o.client;
    this.maxSize = o.maxPoolSize;
    this.threshold = o.pipelineThreshold;
    this.idleTimeout = o.poolIdleTimeout;
  }

  /** Connections open (or opening) now. */
  get connectionCount(): number {
    return this.conns.length;
  }

  /** Requests queued or in flight over every connection. */
  get pendingCount(): number {
    let n = 0;
    for (const c of this.conns) n += c.pendingCount;
    return n;
  }

  /** Connections opened and discarded (after a connection-level failure) since the start. */
  get counters(): { opened: number; discarded: number } {
    return { opened: this.opened, discarded: this.discarded };
  }

  /** The connection for the next call: the least busy, or a new one when all are past the threshold. */
  private pick(): Client {
    const conns = this.conns;
    if (conns.length === 1) {
      // The common case: one connection below the threshold carries the call.
      const only = conns[0]!;
      if (only.pendingCount < this.threshold || this.maxSize === 1) {
        this.picked[0] = true;
        return only;
      }
    }
    let best = -1;
    let bestPending = Number.POSITIVE_INFINITY;
    for (let i = 0; i < conns.length; i++) {
      const p = conns[i]!.pendingCount;
      if (p < bestPending) {
        best = i;
        bestPending = p;
        if (p === 0) break;
      }
    }
    if (best < 0 || (bestPending >= this.threshold && conns.length < this.maxSize)) best = this.open();
    this.picked[best] = true;
    return conns[best]!;
  }

  private open(): number {
    const client = new Client(this.spec, this.clientOptions);
    client.onConnectionError((error) => {
      this.discard(client);
      this.report(error);
    });
    this.opened++;
    this.conns.push(client);
    this.picked.push(false);
    if (this.idleTimeout > 0 && this.sweeper === undefined) {
      this.sweeper = setInterval(this.sweep, this.idleTimeout);
      this.sweeper.unref();
    }
    return this.conns.length - 1;
  }

  /**
   * Calls `listener` on a connection-level failure of this pool's connections. Connections that fail
   * together (the server went away under all of them) are reported once. Returns a remover.
   */
  onConnectionError(listener: (error: Error) => void): () => void {
    return this.failureListeners.add(listener);
  }

  private report(error: Error): void {
    if (this.reportedThisTurn) return;
    this.reportedThisTurn = true;
    setImmediate(() => {
      this.reportedThisTurn = false;
    }).unref();
    this.failureListeners.emit(error);
  }

  /** A connection that failed at the connection level leaves the pool for good. */
  private discard(client: Client): void {
    const i = this.conns.indexOf(client);
    if (i < 0) return;
    this.conns.splice(i, 1);
    this.picked.splice(i, 1);
    this.discarded++;
    // Everything in flight on it is failing now; nothing new reaches it. Closed once that is done.
    queueMicrotask(() => void client.close());
  }

  /** Closes connections nobody picked since the last sweep and with nothing pending. */
  private readonly sweep = (): void => {
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i]!;
      if (!this.picked[i] && c.pendingCount === 0) {
        this.conns.splice(i, 1);
        this.picked.splice(i, 1);
        void c.quit().then(() => c.close());
      } else this.picked[i] = false;
    }
    if (this.conns.length === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  };

  // get and set, the hottest calls, go straight to the chosen connection (same policy as dispatch).
  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    return this.pick().get<T>(key, options);
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    return this.pick().set(key, value, options);
  }

  dispatch(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    if (this.closed)
      return spec.shape === 'lifecycle' ? Promise.resolve() : Promise.reject(new ClientClosedError());
    switch (spec.shape) {
      case 'lease':
        // The lease algorithm's meta calls spread over the connections; none is held while the loader runs.
        return getOrLoadWith(this, a as string, b as () => unknown, c as object);
      case 'lifecycle':
        return this.lifecycle(spec.name === 'close');
      default:
        return forward(this.pick(), spec, a, b, c, d);
    }
  }

  private async lifecycle(final: boolean): Promise<void> {
    const conns = this.conns;
    if (final) {
      this.closed = true;
      this.conns = [];
      this.picked = [];
      if (this.sweeper) clearInterval(this.sweeper);
      this.sweeper = undefined;
      await Promise.all(conns.map((c) => c.close()));
    } else await Promise.all(conns.map((c) => c.quit()));
  }

  /** `await using`: waits for what is in flight, then closes every connection for good. */
  async [Symbol.asyncDispose](): Promise<void> {
    const conns = this.conns;
    await Promise.all(conns.map((c) => c.quit()));
    await this.lifecycle(true);
  }
}
installCommands(PooledClient);
