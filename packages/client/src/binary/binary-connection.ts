import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  AuthError,
  type BinaryResponse,
  BinaryResponseParser,
  binaryStatusError,
  describeStatus,
  encodeBinarySimple,
  encodeSaslAuth,
  InvalidArgumentError,
  type MemcacheError,
  Opcode,
  opcodeName,
  ProtocolError,
  Status,
  saslPlainMessage,
} from '@mc/protocol';
import { channels, commandsTraced } from '../diagnostics.js';
import {
  AbortError,
  ClientClosedError,
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  TimeoutError,
} from '../errors.js';
import { formatServer, type ServerAddress } from '../server-address.js';
import { BINARY_DEFAULTS, type BinaryClientOptions } from './options.js';

/** What a request waits for. */
enum Kind {
  /** One response with the request's opaque and opcode. */
  Single = 0,
  /** Quiet requests closed by a Noop: responses of the quiet ones (any number) until the Noop's. */
  Batch = 1,
  /** Stat packets with the request's opaque until one with an empty key. */
  Stats = 2,
  /** A Noop after noreply (quiet) commands: their error responses are reported, then the Noop ends it. */
  Fence = 3,
}

/** Responses of a Batch or Stats request, with the index of the quiet request each one answers. */
export interface Collected {
  responses: BinaryResponse[];
  indexes: number[];
  /** A Batch: the first error status a quiet request got (the batch rejects with it). */
  error?: MemcacheError;
  /** Stats: the closing packet (an error status ends the stream too). */
  last?: BinaryResponse;
}

interface Pending {
  kind: Kind;
  /** Opcode of the response that completes it (the request's; Noop for Batch and Fence). */
  opcode: number;
  /** Opaque of the response that completes it. */
  opaque: number;
  /** Batch and Fence: opaque of the first quiet request, and how many there are. */
  base: number;
  count: number;
  /** Batch: the opcode the quiet requests' responses carry. */
  quietOpcode: number;
  collected: Collected | undefined;
  deadline: number;
  timeoutMs: number;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  /** The caller gave up (abort) or never waited (noreply): the response is read and dropped. */
  abandoned: boolean;
  /** Not a result the caller waits for: error statuses are reported as noreply errors. */
  noreply: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Command name for the diagnostics channels; set only when someone subscribes. */
  command: string | undefined;
  started: number;
}

/** The text protocol's name of each command, so metrics read the same for both protocols. */
const COMMAND_WORDS: Readonly<Record<number, string>> = {
  [Opcode.Get]: 'get',
  [Opcode.GetKQ]: 'get',
  [Opcode.SetQ]: 'set',
  [Opcode.DeleteQ]: 'delete',
  [Opcode.Set]: 'set',
  [Opcode.Add]: 'add',
  [Opcode.Replace]: 'replace',
  [Opcode.Append]: 'append',
  [Opcode.Prepend]: 'prepend',
  [Opcode.Delete]: 'delete',
  [Opcode.Increment]: 'incr',
  [Opcode.Decrement]: 'decr',
  [Opcode.Touch]: 'touch',
  [Opcode.Gat]: 'gat',
  [Opcode.Stat]: 'stats',
  [Opcode.Version]: 'version',
  [Opcode.Flush]: 'flush_all',
  [Opcode.Noop]: 'noop',
  [Opcode.SaslListMechs]: 'sasl_list_mechs',
};

type State = 'idle' | 'connecting' | 'ready' | 'closed';

/** Per-request options the connection needs. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
}

const NOOP = () => {};
/** Up to this many bytes per flush are joined into one buffer rather than written as a writev. */
const JOIN_LIMIT = 64 * 1024;

/** Statuses that are a command's result, not an error (see binaryStatusError for the others). */
export function isResultStatus(status: number): boolean {
  return (
    status === Status.NoError ||
    status === Status.KeyNotFound ||
    status === Status.KeyExists ||
    status === Status.ItemNotStored
  );
}

/**
 * One socket to one server speaking the binary protocol, pipelined. Each packet gets a fresh opaque
 * (stamped here, so callers never pick one) and every response must carry the opaque and opcode of
 * the request at the head of the queue: a response that answers anything else is a ProtocolError.
 * Requests queued in one tick leave in one write (cork/uncork). The failure rule is the text
 * Connection's: any timeout, protocol error or unexpected close destroys the socket and fails every
 * request in flight; the next request opens a new socket (and authenticates again).
 */
export class BinaryConnection {
  readonly address: string;
  private readonly target: ServerAddress;
  private readonly options: BinaryClientOptions;
  private state: State = 'idle';
  private socket: Socket | undefined;
  private readonly parser: BinaryResponseParser;
  /** Requests in order; [head, sent) are on the wire, [sent, queue.length) wait for the next flush. */
  private queue: Pending[] = [];
  private head = 0;
  private sent = 0;
  private flushScheduled = false;
  private readonly outbox: Buffer[] = [];
  private nextOpaque = 1;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private connectTimer: NodeJS.Timeout | undefined;
  /** The open fence: noreply packets queued since the last Noop (base opaque and count). */
  private fenceBase = 0;
  private fenceCount = 0;
  private idleWaiters: Array<() => void> = [];
  /** Called once per connection-level failure (not for close() or quit()). */
  onFailure: ((error: Error) => void) | undefined;

  constructor(target: ServerAddress, options: BinaryClientOptions) {
    this.target = target;
    this.address = formatServer(target);
    this.options = options;
    this.parser = new BinaryResponseParser(
      options.maxValueLength === undefined ? {} : { maxValueLength: options.maxValueLength },
    );
  }

  /** Requests queued or in flight. */
  get pendingCount(): number {
    return this.queue.length - this.head;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Whether a socket is open and authenticated. */
  get connected(): boolean {
    return this.state === 'ready';
  }

  private takeOpaque(): number {
    const o = this.nextOpaque;
    this.nextOpaque = (o + 1) >>> 0;
    return o;
  }

  /** Sends one packet and resolves with its response (whatever its status). */
  request(packet: Buffer, options?: RequestOptions): Promise<BinaryResponse> {
    return this.enqueueNew(Kind.Single, [packet], options, packet[1]!);
  }

  /**
   * Sends quiet packets (all with the same opcode, e.g. GetKQ or SetQ) and a Noop after them; resolves
   * with the responses the quiet ones got (hits of GetKQ, failures of SetQ: result statuses only),
   * each with the index of its packet. An error status (see isResultStatus) rejects the call with its
   * typed error, once the Noop has arrived, so the stream stays in step.
   */
  requestQuiet(packets: Buffer[], options?: RequestOptions): Promise<Collected> {
    return this.enqueueNew(Kind.Batch, packets, options, packets[0]![1]!);
  }

  /** Sends a Stat packet and resolves with every stat packet up to the closing one. */
  requestStats(packet: Buffer, options?: RequestOptions): Promise<Collected> {
    return this.enqueueNew(Kind.Stats, [packet], options, Opcode.Stat);
  }

  /**
   * A noreply command. A quiet packet (SetQ, DeleteQ, ...) goes into the open fence: a Noop follows
   * each run of them, and any error one of them gets is reported (onNoreplyError), never taken as the
   * response of the next request. A packet without a quiet variant (Touch, Verbosity) is tracked like
   * any request, and its response is read and dropped (error statuses reported).
   */
  send(packet: Buffer, quiet: boolean): void {
    if (this.state === 'closed') throw new ClientClosedError();
    if (!quiet) {
      const p = this.pending(Kind.Single, packet[1]!, NOOP, NOOP, undefined, undefined);
      p.abandoned = true;
      p.noreply = true;
      p.opaque = this.stamp(packet);
      this.push(p, packet);
      return;
    }
    const opaque = this.stamp(packet);
    if (this.fenceCount === 0) this.fenceBase = opaque;
    this.fenceCount++;
    this.outbox.push(packet);
    this.schedule();
  }

  private stamp(packet: Buffer): number {
    const opaque = this.takeOpaque();
    packet.writeUInt32BE(opaque, 12);
    return opaque;
  }

  private pending(
    kind: Kind,
    opcode: number,
    resolve: (value: never) => void,
    reject: (error: Error) => void,
    signal: AbortSignal | undefined,
    timeout: number | undefined,
  ): Pending {
    return {
      kind,
      opcode,
      opaque: 0,
      base: 0,
      count: 0,
      quietOpcode: 0,
      collected: undefined,
      deadline: Number.POSITIVE_INFINITY,
      timeoutMs: timeout ?? this.options.timeout ?? BINARY_DEFAULTS.timeout,
      resolve,
      reject,
      abandoned: false,
      noreply: false,
      signal,
      onAbort: undefined,
      command: undefined,
      started: 0,
    };
  }

  private enqueueNew<T>(
    kind: Kind,
    packets: Buffer[],
    options: RequestOptions | undefined,
    opcode: number,
  ): Promise<T> {
    if (this.state === 'closed') return Promise.reject(new ClientClosedError());
    const t = options?.timeout;
    if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t) || t < 0))
      return Promise.reject(
        new InvalidArgumentError(`timeout must be a non-negative finite number of ms, got ${String(t)}`),
      );
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      const p = this.pending(kind, opcode, resolve as (v: never) => void, reject, signal, options?.timeout);
      if (kind === Kind.Batch) {
        p.quietOpcode = opcode;
        p.opcode = Opcode.Noop;
        p.count = packets.length;
        p.base = 0;
        p.collected = { responses: [], indexes: [] };
        for (let i = 0; i < packets.length; i++) {
          const o = this.stamp(packets[i]!);
          if (i === 0) p.base = o;
        }
        const noop = encodeBinarySimple(Opcode.Noop);
        p.opaque = this.stamp(noop);
        if (packets.length === 0) p.base = p.opaque;
        this.push(p, ...packets, noop);
      } else {
        if (kind === Kind.Stats) p.collected = { responses: [], indexes: [] };
        p.opaque = this.stamp(packets[0]!);
        this.push(p, packets[0]!);
      }
      if (commandsTraced()) {
        p.command = COMMAND_WORDS[opcode] ?? opcodeName(opcode).toLowerCase();
        p.started = performance.now();
        channels.commandStart.publish({ server: this.address, command: p.command });
      }
      if (signal) {
        p.onAbort = () => this.abort(p);
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
    });
  }

  private push(p: Pending, ...packets: Buffer[]): void {
    if (this.fenceCount > 0) this.closeFence();
    for (const b of packets) this.outbox.push(b);
    this.queue.push(p);
    this.schedule();
  }

  /** Ends the run of noreply packets with a Noop the connection waits for. */
  private closeFence(): void {
    const p = this.pending(Kind.Fence, Opcode.Noop, NOOP, NOOP, undefined, undefined);
    p.abandoned = true;
    p.noreply = true;
    p.base = this.fenceBase;
    p.count = this.fenceCount;
    this.fenceCount = 0;
    const noop = encodeBinarySimple(Opcode.Noop);
    p.opaque = this.stamp(noop);
    this.outbox.push(noop);
    this.queue.push(p);
  }

  private schedule(): void {
    if (this.state === 'idle') this.open();
    if (this.state === 'ready' && !this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flush);
    }
  }

  /** Writes everything queued since the last flush in one go (cork/uncork: one writev). */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const socket = this.socket;
    if (this.state !== 'ready' || !socket) return;
    if (this.fenceCount > 0) this.closeFence();
    const out = this.outbox;
    if (out.length === 0) return;
    if (out.length === 1) socket.write(out[0]!);
    else {
      let total = 0;
      for (let i = 0; i < out.length; i++) total += out[i]!.length;
      // Binary packets are small and many: one joined buffer costs less than a writev of dozens.
      if (total <= JOIN_LIMIT) socket.write(Buffer.concat(out, total));
      else {
        socket.cork();
        for (let i = 0; i < out.length; i++) socket.write(out[i]!);
        socket.uncork();
      }
    }
    out.length = 0;
    const now = performance.now();
    let minDeadline = this.timerAt;
    const end = this.queue.length;
    for (let i = this.sent; i < end; i++) {
      const p = this.queue[i]!;
      if (p.timeoutMs > 0) {
        p.deadline = now + p.timeoutMs;
        if (p.deadline < minDeadline) minDeadline = p.deadline;
      }
    }
    this.sent = end;
    if (this.head < end) socket.ref();
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
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.sent; i++) {
      const p = this.queue[i]!;
      if (p.deadline <= now) {
        this.fail(new TimeoutError(p.timeoutMs), p);
        return;
      }
      if (p.deadline < next) next = p.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next, now);
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
      socket = 'path' in target ? netConnect(target.path) : netConnect(target.port, target.host);
    }
    this.socket = socket;
    if (!('path' in target)) {
      socket.setNoDelay(o.noDelay ?? BINARY_DEFAULTS.noDelay);
      socket.setKeepAlive(
        o.keepAlive ?? BINARY_DEFAULTS.keepAlive,
        o.keepAliveInitialDelay ?? BINARY_DEFAULTS.keepAliveInitialDelay,
      );
    }
    const connectMs = o.connectTimeout ?? BINARY_DEFAULTS.connectTimeout;
    if (connectMs > 0) {
      this.connectTimer = setTimeout(() => {
        if (this.socket === socket && this.state === 'connecting')
          this.fail(new ConnectTimeoutError(this.address, connectMs));
      }, connectMs);
      this.connectTimer.unref();
    }
    socket.on(o.tls ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      if (o.sasl) this.authenticate(socket);
      else this.ready(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
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

  /**
   * SASL PLAIN as the first packet of the connection, ahead of everything queued while connecting.
   * A refusal fails the connection with AuthError, which every queued request gets too.
   */
  private authenticate(socket: Socket): void {
    const { username, password, mechanism = 'PLAIN' } = this.options.sasl!;
    let packet: Buffer;
    try {
      packet = encodeSaslAuth(mechanism, saslPlainMessage(username, password));
    } catch (err) {
      // BinaryClient checks the credentials up front; never throw out of a socket event.
      this.fail(new AuthError(`cannot authenticate: ${(err as Error).message}`));
      return;
    }
    const p = this.pending(
      Kind.Single,
      Opcode.SaslAuth,
      ((response: BinaryResponse) => {
        if (response.status === Status.NoError) return this.ready(socket);
        const text = response.value.toString('utf8');
        const why =
          response.status === Status.UnknownCommand
            ? 'the server does not support SASL (start memcached with -S)'
            : response.status === Status.AuthContinue
              ? `the server asked for another ${mechanism} step, which PLAIN does not have`
              : `${describeStatus(response.status)}${text ? ` (${text})` : ''}`;
        this.fail(
          new AuthError(
            `SASL ${mechanism} authentication to ${this.address} failed: ${why}`,
            response.status,
            text,
          ),
        );
      }) as (v: never) => void,
      NOOP,
      undefined,
      this.options.connectTimeout ?? BINARY_DEFAULTS.connectTimeout,
    );
    p.opaque = this.stamp(packet);
    // The auth request goes before everything queued while connecting.
    this.queue.splice(this.head, 0, p);
    socket.write(packet);
    this.sent = this.head + 1;
  }

  private ready(socket: Socket): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'ready';
    if (channels.connect.hasSubscribers) channels.connect.publish({ server: this.address });
    if (this.outbox.length > 0 || this.fenceCount > 0) this.flush();
    else if (this.head === this.queue.length) socket.unref();
  }

  private onData(chunk: Buffer): void {
    const parser = this.parser;
    parser.push(chunk);
    try {
      for (;;) {
        const r = parser.read();
        if (r === undefined) break;
        if (this.head >= this.sent)
          throw new ProtocolError(`an unrequested ${opcodeName(r.opcode)} response (opaque ${r.opaque})`);
        const p = this.queue[this.head]!;
        if (r.status === Status.AuthError && p.opcode !== Opcode.SaslAuth) {
          // memcached -S refuses every command of a connection that has not authenticated, and closes
          // it right after: fail everything on it now, so no call is queued onto a dying socket.
          this.fail(
            new AuthError(
              `${this.address} requires SASL authentication (set the sasl option): ${r.value.toString('utf8') || 'auth error'}`,
              r.status,
              r.value.toString('utf8'),
            ),
          );
          return;
        }
        if (!this.accept(p, r)) continue;
        this.queue[this.head] = undefined as never;
        this.head++;
        if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
        if (p.noreply && p.kind === Kind.Single && !isResultStatus(r.status))
          this.reportNoreplyError(binaryStatusError(r.status, r.value.toString('utf8')));
        if (p.abandoned) continue;
        if (p.command !== undefined) this.publishEnd(p, r);
        if (p.kind === Kind.Single) p.resolve(r as never);
        else if (p.collected!.error) p.reject(p.collected!.error);
        else p.resolve(p.collected as never);
      }
    } catch (err) {
      this.fail(err as Error, this.queue[this.head]);
      return;
    }
    this.afterProgress();
  }

  /**
   * Matches a response to the head request. Returns true when the request is complete; throws
   * ProtocolError for a response that belongs to no request at the head (wrong opaque or opcode).
   */
  private accept(p: Pending, r: BinaryResponse): boolean {
    if (r.opaque === p.opaque) {
      if (r.opcode !== p.opcode)
        throw new ProtocolError(
          `a ${opcodeName(r.opcode)} response answers a ${opcodeName(p.opcode)} request (opaque ${r.opaque})`,
        );
      if (p.kind !== Kind.Stats) return true;
      // Stats: one packet per stat; an empty key (or an error status) closes the stream.
      if (r.status !== Status.NoError || r.key.length === 0) {
        p.collected!.last = r;
        return true;
      }
      p.collected!.responses.push(r);
      return false;
    }
    if (p.kind === Kind.Batch || p.kind === Kind.Fence) {
      const index = (r.opaque - p.base) >>> 0;
      if (index < p.count) {
        if (p.kind === Kind.Fence) {
          // An answer to a noreply command: results (not stored, exists...) are dropped, errors reported.
          if (!isResultStatus(r.status))
            this.reportNoreplyError(binaryStatusError(r.status, r.value.toString('utf8')));
          return false;
        }
        if (r.opcode !== p.quietOpcode)
          throw new ProtocolError(
            `a ${opcodeName(r.opcode)} response in a pipeline of ${opcodeName(p.quietOpcode)} requests`,
          );
        const c = p.collected!;
        if (isResultStatus(r.status)) {
          c.responses.push(r);
          c.indexes.push(index);
        } else if (c.error === undefined) {
          c.error = binaryStatusError(r.status, r.value.toString('utf8'));
        }
        return false;
      }
    }
    throw new ProtocolError(
      `a ${opcodeName(r.opcode)} response with opaque ${r.opaque} answers no request at the head of the queue (expected ${opcodeName(p.opcode)} with opaque ${p.opaque})`,
    );
  }

  /** commandEnd, or commandError when the response (or a quiet one of a batch) carries an error status. */
  private publishEnd(p: Pending, r: BinaryResponse): void {
    const durationMs = performance.now() - p.started;
    const error =
      p.collected?.error ??
      (isResultStatus(r.status) ? undefined : binaryStatusError(r.status, r.value.toString('utf8')));
    if (error) channels.commandError.publish({ server: this.address, command: p.command, error, durationMs });
    else channels.commandEnd.publish({ server: this.address, command: p.command, durationMs });
  }

  private afterProgress(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = this.sent = 0;
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
      }
      this.socket?.unref();
      for (const w of this.idleWaiters.splice(0)) w();
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.sent -= this.head;
      this.head = 0;
    }
  }

  private reportNoreplyError(error: Error): void {
    if (channels.noreplyError.hasSubscribers) channels.noreplyError.publish({ server: this.address, error });
    this.options.onNoreplyError?.(error);
    if (!this.options.onNoreplyError && !channels.noreplyError.hasSubscribers)
      process.emitWarning(
        `memcached ${this.address} answered an error to a noreply command: ${error.message}`,
        'MemcacheWarning',
      );
  }

  /** The caller's AbortSignal fired: reject now; the response is still read (in order) and dropped. */
  private abort(p: Pending): void {
    if (p.abandoned) return;
    p.abandoned = true;
    p.reject(new AbortError(p.signal?.reason));
  }

  /**
   * Discards the connection: destroys the socket and fails every request queued on it. `culprit`
   * gets `error`; the others ConnectionClosedError with `error` as cause, except in the connect phase
   * (connect errors, AuthError), where every request gets the same error.
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
    this.parser.reset();
    const pending = this.queue.slice(this.head);
    this.queue = [];
    this.head = this.sent = 0;
    this.fenceCount = 0;
    this.outbox.length = 0;
    if (channels.close.hasSubscribers) channels.close.publish({ server: this.address, error });
    if (!(error instanceof ClientClosedError)) this.onFailure?.(error);
    const sameForAll =
      error instanceof ConnectError ||
      error instanceof ConnectTimeoutError ||
      error instanceof AuthError ||
      error instanceof ClientClosedError;
    for (const p of pending) {
      if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
      if (p.abandoned) continue;
      const e =
        p === culprit || sameForAll
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
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Discards the connection from outside (e.g. a response whose key is not the one asked for). */
  discard(error: Error): void {
    this.fail(error);
  }

  /** Waits until every queued request is settled. */
  drain(): Promise<void> {
    if (this.pendingCount === 0 && this.outbox.length === 0 && this.fenceCount === 0)
      return Promise.resolve();
    if (this.fenceCount > 0 && this.state === 'ready') this.flush();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Waits for the responses of everything queued, then sends QuitQ and closes the socket. The
   * connection stays usable: the next request opens a new socket.
   */
  async quit(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.fenceCount > 0 || this.outbox.length > 0) this.schedule();
    await this.drain();
    const socket = this.socket;
    if (socket && !socket.destroyed && this.state === 'ready') {
      this.socket = undefined;
      this.state = 'idle';
      this.parser.reset();
      socket.end(encodeBinarySimple(Opcode.QuitQ));
      socket.destroySoon();
      socket.unref();
    }
  }

  /** Closes for good: pending and later requests reject with ClientClosedError. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.fail(new ClientClosedError());
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
