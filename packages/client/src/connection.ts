import { Buffer } from 'node:buffer';
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { connect as tlsConnect } from 'node:tls';
import { AuthError, Expect, encodeStorage, type KeyHint, type Reply } from '@mc/protocol';
import { capture, captured } from './capture.js';
import { channels, commandsTraced } from './diagnostics.js';
import {
  AbortError,
  ClientClosedError,
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  TimeoutError,
} from './errors.js';
import { type ClientOptions, DEFAULTS } from './options.js';
import type { OutputBuffer } from './output-buffer.js';
import { type Pending, Pipeline } from './pipeline.js';
import { formatServer, type ServerAddress } from './server-address.js';
import { slabReader } from './slab-reader.js';

export { FENCE_KEY, type Pending } from './pipeline.js';

type State = 'idle' | 'connecting' | 'ready' | 'closed';

const NOOP = () => {};
/**
 * Most requests held back during a burst of reads (see Connection.moreToRead) before they are
 * written anyway. 100 KiB gets with 10 in flight, worker processes alternating 10 rounds: never
 * held, 0.89x the raw baseline's rate at 43.1 us of CPU per get; at most 2, 1.08x at 36.8; at most
 * 4, 1.17x at 32.3; no cap, 0.94-1.00x (memcached starved; bench/README.md, "Seventh day").
 */
const WRITE_BATCH = 4;
const EMPTY = Buffer.alloc(0);

/**
 * One socket to one server with pipelining. Requests are queued in order; their bytes are written
 * once per tick (cork/uncork, so one writev), and replies are matched to the queue head. Any timeout,
 * protocol error or unexpected close destroys the socket and fails every request in flight on it, so
 * a late reply can never reach another request. The next request opens a new socket.
 */
export class Connection {
  readonly address: string;
  private readonly target: ServerAddress;
  private readonly options: ClientOptions;
  private state: State = 'idle';
  private socket: Socket | undefined;
  /** The requests, their bytes, fences and deadlines: everything but the socket. */
  private readonly pipeline: Pipeline;
  private flushScheduled = false;
  /**
   * Whether the socket holds the event loop open. A socket is ref'd while requests wait for replies
   * and unref'd when idle; the flag makes that one native call per change of state instead of one per
   * write (a native ref() on every flush before).
   */
  private refed = true;
  /**
   * The last read filled the buffer it was given: libuv reads the socket again before this turn of
   * the event loop ends, so more replies are probably waiting. Requests made meanwhile (a caller
   * whose get just resolved asks for the next key) are then written together once the reads are
   * done (setImmediate), instead of one write per read callback (nextTick): on loopback each write
   * costs the writer the delivery to memcached and its wake-up, ~10 µs of the client's CPU. A read
   * that did not fill its buffer ends the burst: requests are written at the end of their tick.
   */
  private moreToRead = false;
  /** The scheduled flush is the held one (setImmediate), not the end-of-tick one. */
  private flushHeld = false;
  /**
   * Queues the get batcher's open batch (GetBatcher.flush). Every flush calls it first, so a batch
   * left open while writes are held (collectsOpenBatch) leaves with them.
   */
  beforeFlush: (() => void) | undefined;
  /** Plain TCP and Unix sockets: a synchronously written slab is reused (see flush). */
  private readonly reuseOutput: boolean;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private connectTimer: NodeJS.Timeout | undefined;
  private closedWaiters: Array<() => void> = [];
  /**
   * Told once per connection-level failure (timeout, protocol error, unexpected close, connect
   * failure), not per request: HashClient and PooledClient keep their failure bookkeeping here, off
   * the hot path.
   */
  onFailure: ((error: Error) => void) | undefined;

  constructor(target: ServerAddress, options: ClientOptions) {
    this.target = target;
    this.address = formatServer(target);
    this.options = options;
    this.reuseOutput = !options.tls;
    this.pipeline = new Pipeline({
      address: this.address,
      timeoutMs: options.timeout ?? DEFAULTS.timeout,
      noreplyFence: options.noreplyFence ?? DEFAULTS.noreplyFence,
      onNoreplyError: (error) => this.reportNoreplyError(error),
    });
  }

  /** Number of requests queued or in flight. */
  get pendingCount(): number {
    return this.pipeline.pendingCount;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Queues a request and returns its reply. Validation happened before: `bytes` are final.
   * With noreply, the promise resolves once the bytes are queued (there is no reply).
   */
  request(
    bytes: Buffer,
    expect: Expect,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    endToken?: string,
    command?: string,
    batch?: Reply[],
  ): Promise<Reply>;
  request<R>(
    bytes: Buffer,
    expect: Expect,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    endToken: string | undefined,
    command: string | undefined,
    batch: Reply[] | undefined,
    map: (reply: Reply) => R,
  ): Promise<R>;
  request(
    bytes: Buffer,
    expect: Expect,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    endToken?: string,
    command?: string,
    batch?: Reply[],
    map?: (reply: Reply) => unknown,
  ): Promise<unknown> {
    if (this.state === 'closed') return Promise.reject(new ClientClosedError());
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    const promise = new Promise<unknown>(capture);
    const { resolve, reject } = captured;
    try {
      const p = this.pending(bytes, expect, signal, timeoutMs, endToken, command, resolve, reject);
      if (batch) p.batch = batch;
      if (map) p.map = map;
      this.enqueue(p);
    } catch (err) {
      reject(err as Error);
    }
    return promise;
  }

  /** One request's record, with its diagnostics and abort listener. */
  private pending(
    bytes: Buffer,
    expect: Expect,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    endToken: string | undefined,
    command: string | undefined,
    resolve: (value: never) => void,
    reject: (error: Error) => void,
  ): Pending {
    const p = this.record(bytes, expect, signal, timeoutMs, endToken, resolve, reject);
    if (commandsTraced())
      this.publishStart(
        p,
        command ?? bytes.toString('latin1', 0, Math.min(bytes.indexOf(0x20) >>> 0, 16)).trim(),
      );
    if (signal) {
      p.onAbort = () => this.abort(p);
      signal.addEventListener('abort', p.onAbort, { once: true });
    }
    return p;
  }

  /** A request's record alone: every field set, so that all records share one shape. */
  private record(
    bytes: Buffer,
    expect: Expect,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    endToken: string | undefined,
    resolve: (value: never) => void,
    reject: (error: Error) => void,
  ): Pending {
    return {
      bytes,
      expect,
      endToken,
      deadline: Number.POSITIVE_INFINITY,
      timeoutMs: timeoutMs ?? this.options.timeout ?? DEFAULTS.timeout,
      resolve: resolve as (reply: Reply) => void,
      reject,
      abandoned: false,
      fence: false,
      signal,
      onAbort: undefined,
      command: undefined,
      started: 0,
      batch: undefined,
      map: undefined,
      hint: undefined,
    };
  }

  /**
   * For a request encoded in place: the output buffer to write it into, or undefined when the
   * request must not be sent (closed client, aborted signal: the caller then uses request(), which
   * rejects with the right error). Between writer() and requestWritten() nothing else may run.
   */
  writer(signal: AbortSignal | undefined): OutputBuffer | undefined {
    if (this.state === 'closed' || signal?.aborted) return undefined;
    return this.pipeline.output();
  }

  /** The reply to the request just written into writer()'s buffer, mapped by `map`. */
  requestWritten<R>(
    expect: Expect,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    command: string,
    map: (reply: Reply) => R,
    hint?: KeyHint,
  ): Promise<R> {
    const promise = new Promise<R>(capture);
    const { resolve, reject } = captured;
    try {
      const p = this.pending(EMPTY, expect, signal, timeoutMs, undefined, command, resolve, reject);
      p.map = map;
      if (hint !== undefined) p.hint = hint;
      this.pipeline.enqueueWritten(p);
      this.schedule();
    } catch (err) {
      reject(err as Error);
    }
    return promise;
  }

  /**
   * A request whose reply is handled by callbacks in the read loop, with no promise (getMany), just
   * written into writer()'s buffer (synchronously after writer() returned it). `onReply` receives
   * every reply, error replies included; `onError` a failure of the connection, a timeout or an
   * abort of `signal` (after which the reply is read and dropped). The get batcher's merged gets
   * use requestWrittenAgain() instead.
   */
  requestWrittenCallback(
    expect: Expect,
    command: string,
    onReply: (reply: Reply) => void,
    onError: (error: Error) => void,
    hint?: KeyHint,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): void {
    const p = this.pending(EMPTY, expect, signal, timeoutMs, undefined, command, onReply as never, onError);
    if (hint !== undefined) p.hint = hint;
    this.pipeline.enqueueWritten(p);
    this.schedule();
  }

  /**
   * A request record for requestWrittenAgain(): made once by a caller that sends the same kind of
   * request with the same callbacks over and over (a get batch), so such a request allocates no
   * record of its own. Its callbacks are requestWrittenCallback's, with the client's timeout and no
   * signal.
   */
  reusableRequest(
    expect: Expect,
    onReply: (reply: Reply) => void,
    onError: (error: Error) => void,
    hint: KeyHint | undefined,
  ): Pending {
    const p = this.record(EMPTY, expect, undefined, undefined, undefined, onReply as never, onError);
    p.hint = hint;
    return p;
  }

  /**
   * requestWrittenCallback() with a reusableRequest() record. The record must not be in flight: its
   * owner reuses it only after its reply or failure was delivered (the pipeline has let go of it
   * by then). `flushNow`: write at once instead of in the next tick, for a caller that already runs
   * a tick after its requests (the batcher's tick), unless the writes are held (holdWrites).
   */
  requestWrittenAgain(p: Pending, command: string, flushNow: boolean): void {
    p.deadline = Number.POSITIVE_INFINITY;
    p.abandoned = false;
    p.command = undefined;
    if (commandsTraced()) this.publishStart(p, command);
    this.pipeline.enqueueWritten(p);
    if (flushNow && this.state === 'ready' && !this.holdWrites()) this.flush();
    else this.schedule();
  }

  /** Diagnostics: the request's command starts now. */
  private publishStart(p: Pending, command: string): void {
    p.command = command;
    p.started = performance.now();
    channels.commandStart.publish({ server: this.address, command });
  }

  /**
   * Sends a quiet meta pipeline (commands with q, then mn) and resolves with every reply before the
   * closing MN, in order. Quiet commands only answer what is interesting, so the count is not known.
   */
  requestBatch(bytes: Buffer, signal: AbortSignal | undefined, timeoutMs?: number): Promise<Reply[]> {
    const batch: Reply[] = [];
    return this.request(bytes, Expect.Meta, signal, timeoutMs, undefined, 'mg', batch).then(() => batch);
  }

  /**
   * Queues a command that has no reply (noreply). A fence (`mn`, answered MN) follows each run of
   * noreply commands, so an error the server sends for one of them is recognised as such and reported,
   * never taken as the reply of the next request.
   */
  send(bytes: Buffer): void {
    if (this.state === 'closed') throw new ClientClosedError();
    this.pipeline.noreply(bytes);
    this.schedule();
  }

  /**
   * For a noreply command encoded in place: the output buffer, or undefined when the client is
   * closed (the caller then uses send(), which throws). Follow with noreplyWritten(), synchronously.
   */
  noreplyWriter(): OutputBuffer | undefined {
    return this.state === 'closed' ? undefined : this.pipeline.noreplyOutput();
  }

  /** The noreply command just written into noreplyWriter()'s buffer: a fence will follow the run. */
  noreplyWritten(): void {
    this.pipeline.noreplyWritten();
    this.schedule();
  }

  private enqueue(p: Pending): void {
    this.pipeline.enqueue(p);
    this.schedule();
  }

  /** `openKeys`: keys of the get batcher's open batch, held with the unsent requests (collectsOpenBatch). */
  private schedule(openKeys = 0): void {
    if (this.state === 'idle') this.open();
    if (this.state !== 'ready') return;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      if (this.holdWrites(openKeys)) {
        this.flushHeld = true;
        setImmediate(this.flushAfterReads);
      } else process.nextTick(this.flush);
    } else if (this.flushHeld && !this.holdWrites(openKeys)) {
      // WRITE_BATCH requests are waiting: they leave at the end of this tick after all.
      this.flushHeld = false;
      process.nextTick(this.flush);
    }
  }

  /**
   * For the get batcher, whose open batch has `openKeys` keys: whether writes are held for a burst
   * of reads (moreToRead). If so, a flush is scheduled (the held one; at the end of this tick once
   * the unsent requests and the batch's keys reach WRITE_BATCH) and collects the batch through
   * beforeFlush. The batcher then needs no tick of its own: its batch takes every get() made until
   * the reads are done, and the process skips the JavaScript tick queue that a nextTick per batch
   * ran after each read callback (1.7k fewer instructions per 100 KiB get with 10 in flight,
   * bench/local/icount.sh; serial and 100 B gets unchanged).
   */
  collectsOpenBatch(openKeys: number): boolean {
    if (this.state !== 'ready' || !this.moreToRead) return false;
    this.schedule(openKeys);
    return true;
  }

  /**
   * Whether requests queued now should wait for the reads of this burst to end (see moreToRead):
   * at most WRITE_BATCH of them, so memcached is never left without work while the client reads
   * what it already sent.
   */
  private holdWrites(openKeys = 0): boolean {
    return this.moreToRead && this.pipeline.unsentCount + openKeys < WRITE_BATCH;
  }

  /** The deferred flush of requests made during a burst of reads (see moreToRead). */
  private readonly flushAfterReads = (): void => {
    this.moreToRead = false;
    if (this.flushHeld) this.flush();
  };

  /** Writes everything queued since the last flush in one go (cork/uncork: one writev). */
  private readonly flush = (): void => {
    this.flushHeld = false;
    if (this.beforeFlush !== undefined) {
      // Set meanwhile, so the batch it queues rides this flush instead of scheduling another.
      this.flushScheduled = true;
      this.beforeFlush();
    }
    this.flushScheduled = false;
    const socket = this.socket;
    if (this.state !== 'ready' || !socket || !this.pipeline.hasOutput) return;
    const now = performance.now();
    const { chunks, minDeadline } = this.pipeline.takeOutput(now);
    if (chunks.length === 1) socket.write(chunks[0]!);
    else if (chunks.length > 1) {
      socket.cork();
      for (let i = 0; i < chunks.length; i++) socket.write(chunks[i]!);
      socket.uncork();
    }
    // Nothing left in the socket's queue: the kernel took every byte during write(), so the slab
    // can be reused. Not for TLS, whose layer may hold the cleartext (a fresh slab costs little).
    if (this.reuseOutput && socket.writableLength === 0) this.pipeline.outputReleased();
    if (!this.refed && this.pipeline.awaiting) {
      socket.ref();
      this.refed = true;
    }
    if (minDeadline < this.timerAt) this.armTimer(minDeadline, now);
  };

  private armTimer(at: number, now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(at - now)));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const { late, next } = this.pipeline.expired(now);
    if (late !== undefined) this.fail(new TimeoutError(late.timeoutMs), late);
    else if (next !== Number.POSITIVE_INFINITY) this.armTimer(next, now);
  };

  private open(): void {
    this.state = 'connecting';
    const o = this.options;
    const target = this.target;
    let socket: Socket;
    if (o.tls) {
      const tlsOptions = o.tls === true ? {} : o.tls;
      socket =
        'path' in target
          ? tlsConnect({ ...tlsOptions, path: target.path })
          : tlsConnect({
              servername: isIp(target.host) ? undefined : target.host,
              ...tlsOptions,
              host: target.host,
              port: target.port,
            });
    } else {
      // Reads go into a slab and large values in place (slab-reader.ts); every callback checks that
      // its socket is still this connection's, since a discarded socket may still be reading.
      const onread = slabReader({
        target: (minBytes) => (this.socket === socket ? this.pipeline.readTarget(minBytes) : undefined),
        missing: (minSize) => (this.socket === socket ? this.pipeline.parser.missing(minSize) : 0),
        wrote: (n, full) => {
          if (this.socket !== socket) return;
          this.moreToRead = full;
          this.onRead(undefined, n);
        },
        chunk: (bytes, full) => {
          if (this.socket !== socket) return;
          this.moreToRead = full;
          this.onRead(bytes, 0);
        },
      });
      socket =
        'path' in target
          ? netConnect({ path: target.path, onread })
          : netConnect({ port: target.port, host: target.host, onread });
    }
    this.socket = socket;
    this.refed = true;
    this.moreToRead = false;
    if (!('path' in target)) {
      socket.setNoDelay(o.noDelay ?? DEFAULTS.noDelay);
      socket.setKeepAlive(
        o.keepAlive ?? DEFAULTS.keepAlive,
        o.keepAliveInitialDelay ?? DEFAULTS.keepAliveInitialDelay,
      );
    }
    const connectMs = o.connectTimeout ?? DEFAULTS.connectTimeout;
    if (connectMs > 0) {
      this.connectTimer = setTimeout(() => {
        if (this.socket === socket && this.state === 'connecting')
          this.fail(new ConnectTimeoutError(this.address, connectMs));
      }, connectMs);
      this.connectTimer.unref();
    }
    socket.on(o.tls ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      if (o.auth) this.authenticate(socket);
      else this.ready(socket);
    });
    if (o.tls)
      socket.on('data', (chunk: Buffer) => {
        if (this.socket === socket) this.onRead(chunk, 0);
      });
    socket.on('error', (err) => {
      if (this.socket !== socket) return;
      this.fail(
        this.state === 'connecting'
          ? new ConnectError(`cannot connect to ${this.address}: ${err.message}`, err)
          : new ConnectionClosedError(`connection to ${this.address} failed: ${err.message}`, err),
      );
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.fail(
        this.state === 'connecting'
          ? new ConnectError(`connection to ${this.address} closed while connecting`)
          : new ConnectionClosedError(`connection to ${this.address} closed by the server`),
      );
    });
  }

  /** memcached ASCII auth: a set whose data is "username password", answered STORED. */
  private authenticate(socket: Socket): void {
    const { username, password } = this.options.auth!;
    const payload = Buffer.from(`${username} ${password}`, 'utf8');
    const p: Pending = {
      bytes: encodeStorage('set', Buffer.from('auth'), 0, 0, payload),
      expect: Expect.Store,
      endToken: undefined,
      deadline: Number.POSITIVE_INFINITY,
      timeoutMs: 0,
      resolve: (reply) => {
        if (reply.type === 'status' && reply.status === 'STORED') this.ready(socket);
        else this.fail(new AuthError(`authentication to ${this.address} failed: ${describe(reply)}`));
      },
      reject: NOOP,
      abandoned: false,
      fence: false,
      signal: undefined,
      onAbort: undefined,
      command: 'auth',
      started: 0,
      batch: undefined,
      map: undefined,
      hint: undefined,
    };
    // The auth request goes before everything queued while connecting.
    this.pipeline.sendFirst(p);
    socket.write(p.bytes);
    p.timeoutMs = this.options.connectTimeout ?? DEFAULTS.connectTimeout;
  }

  private ready(socket: Socket): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'ready';
    if (channels.connect.hasSubscribers) channels.connect.publish({ server: this.address });
    if (this.pipeline.hasOutput) this.flush();
    else if (this.pipeline.pendingCount === 0) this.unrefSocket(socket);
  }

  /** Bytes read: a received `chunk`, or (chunk undefined) `n` bytes read into the pipeline's readTarget(). */
  private onRead(chunk: Buffer | undefined, n: number): void {
    try {
      if (chunk !== undefined) this.pipeline.feed(chunk);
      else this.pipeline.wrote(n);
    } catch (err) {
      this.fail(err as Error, this.pipeline.current);
      return;
    }
    if (this.pipeline.pendingCount === 0) {
      // Everything answered: let an idle client not hold the process open. The deadline timer is
      // left armed (it is unref'd): when it fires it finds nothing late and stops, which costs less
      // than a new timer per request for serial callers.
      if (this.refed && this.socket !== undefined) this.unrefSocket(this.socket);
      if (this.closedWaiters.length > 0) for (const w of this.closedWaiters.splice(0)) w();
    }
  }

  private unrefSocket(socket: Socket): void {
    socket.unref();
    this.refed = false;
  }

  private reportNoreplyError(error: Error): void {
    this.options.onNoreplyError?.(error);
    if (!this.options.onNoreplyError && !channels.noreplyError.hasSubscribers)
      process.emitWarning(
        `memcached ${this.address} answered an error to a noreply command: ${error.message}`,
        'MemcacheWarning',
      );
  }

  /**
   * The caller's AbortSignal fired: the call rejects with AbortError at once. Its bytes are (or will
   * be) on the wire, so its reply still comes in order; it is read and dropped, which keeps the
   * stream in sync without discarding the other requests on the connection.
   */
  private abort(p: Pending): void {
    if (p.abandoned) return;
    p.abandoned = true;
    p.reject(new AbortError(p.signal?.reason));
  }

  /**
   * Discards the connection: destroys the socket and fails every request queued on it. `culprit`
   * gets `error`; the others get ConnectionClosedError with `error` as cause.
   */
  private fail(error: Error, culprit?: Pending): void {
    const socket = this.socket;
    this.socket = undefined;
    if (this.state !== 'closed') this.state = 'idle';
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.timer) clearTimeout(this.timer);
    this.connectTimer = this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    socket?.destroy();
    const pending = this.pipeline.takeAll();
    if (channels.close.hasSubscribers) channels.close.publish({ server: this.address, error });
    // A failure that cost requests: an idle socket the server closed is not one (it reconnects quietly).
    if (this.onFailure !== undefined && pending.length > 0 && !(error instanceof ClientClosedError))
      this.onFailure(error);
    const isConnectPhase =
      error instanceof ConnectError || error instanceof ConnectTimeoutError || error instanceof AuthError;
    for (const p of pending) {
      if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
      if (p.abandoned) continue;
      const e =
        p === culprit || isConnectPhase || error instanceof ClientClosedError
          ? error
          : new ConnectionClosedError(`connection to ${this.address} was discarded: ${error.message}`, error);
      if (p.command !== undefined && channels.commandError.hasSubscribers)
        channels.commandError.publish({
          server: this.address,
          command: p.command,
          error: e,
          durationMs: performance.now() - p.started,
        });
      p.reject(e);
    }
    for (const w of this.closedWaiters.splice(0)) w();
  }

  /** Discards the connection from outside (e.g. a reply that answers the wrong request). */
  discard(error: Error): void {
    this.fail(error);
  }

  /**
   * Writes `quit` after everything queued and closes the socket once the server has answered the
   * rest. With `final` the connection accepts nothing more (close after quit); without, the next
   * request opens a new socket, as pymemcache's quit() allows.
   */
  async quit(bytes: Buffer, final = false): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'idle' && this.pendingCount === 0) {
      if (final) this.close();
      return;
    }
    await this.drain();
    // close() may have run while we waited.
    if ((this.state as State) === 'closed') return;
    const socket = this.socket;
    if (socket && !socket.destroyed && this.state === 'ready' && this.pendingCount === 0) {
      this.socket = undefined;
      socket.end(bytes);
      socket.destroySoon();
      socket.unref();
    }
    if (final) this.close();
    else if (this.pendingCount === 0) this.reset();
  }

  /** Forgets the socket (already ended by quit) and returns to idle: the next request reconnects. */
  private reset(): void {
    if (this.socket) this.socket.destroy();
    this.socket = undefined;
    this.pipeline.resetStream();
    this.state = 'idle';
  }

  /** Waits until every queued request is settled. */
  drain(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  /** Closes at once: pending requests reject with ClientClosedError. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.fail(new ClientClosedError());
  }

  /** Whether a socket is open or opening. */
  get connected(): boolean {
    return this.state === 'ready';
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function describe(reply: Reply): string {
  if (reply.type === 'error') return reply.error.message;
  if (reply.type === 'status') return reply.status;
  return reply.type;
}
