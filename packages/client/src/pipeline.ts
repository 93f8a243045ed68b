import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { Expect, encodeMetaNoop, type KeyHint, ProtocolError, type Reply, ReplyParser } from '@mc/protocol';
import { channels } from './diagnostics.js';
import { OutputBuffer } from './output-buffer.js';

/** A request waiting for its reply. One object per request; no per-request timer. */
export interface Pending {
  bytes: Buffer;
  expect: Expect;
  endToken: string | undefined;
  /** performance.now() after which the request has timed out (Infinity: never, or not sent yet). */
  deadline: number;
  timeoutMs: number;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  /** Set when the caller gave up (abort): the reply is still read, and dropped. */
  abandoned: boolean;
  /** A fence after noreply commands: error replies before it belong to them. */
  fence: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Command name for diagnostics; set only when someone subscribes. */
  command: string | undefined;
  started: number;
  /** For a quiet meta pipeline: replies collected until the closing MN. */
  batch: Reply[] | undefined;
  /**
   * Turns the reply into the caller's result inside the read loop (a static function: no closure per
   * request), saving the caller a `.then`. Error replies reject with their error instead.
   */
  map: ((reply: Reply) => unknown) | undefined;
  /** For a multi-key get: the keys asked, so the reply reuses their strings (see KeyHint). */
  hint: KeyHint | undefined;
}

/** What the pipeline needs to know of its connection. */
export interface PipelineOptions {
  /** The server's address, for diagnostics. */
  address: string;
  /** Timeout of the fences (the client's default timeout). */
  timeoutMs: number;
  /** 'get' (default) or 'mn': see ClientOptions.noreplyFence. */
  noreplyFence: 'get' | 'mn';
  /** Told about an error the server answered to a noreply command. */
  onNoreplyError: (error: Error) => void;
}

const NOOP = () => {};
const MN = encodeMetaNoop();
/**
 * The key of the `get` fence. mc never stores it; if someone else did, the fence still works (its
 * value is read and dropped). Sent without the client's keyPrefix.
 */
export const FENCE_KEY = '__mc_noreply_fence__';
const GET_FENCE = Buffer.from(`get ${FENCE_KEY}\r\n`, 'latin1');

/**
 * The request side of one connection, without the socket: the queue of requests in order, the bytes
 * to write, the noreply fences, the deadlines, and the matching of reply bytes to requests. The
 * connection feeds it what the socket reads and writes what it hands out; tests feed it bytes alone.
 *
 * Every Pending is made with all its fields (undefined when unused), so they share one shape and
 * the read loop's property accesses stay monomorphic.
 *
 * Requests [head, sent) are on the wire, [sent, tail) wait for the next takeOutput(). The array is
 * reused once every request is answered (indexes back to 0; setting its `length` would be a runtime
 * call per serial request).
 */
export class Pipeline {
  readonly parser = new ReplyParser();
  private readonly outbox = new OutputBuffer();
  private queue: Pending[] = [];
  private tail = 0;
  private head = 0;
  private sent = 0;
  /** Whether noreply commands were queued since the last fence. */
  private fenceOpen = false;
  /** takeOutput()'s result, reused: read at once by its caller, it costs no object per write. */
  private readonly taken: { chunks: Buffer[]; minDeadline: number } = {
    chunks: [],
    minDeadline: Number.POSITIVE_INFINITY,
  };
  private readonly oneChunk: Buffer[] = [];

  constructor(private readonly options: PipelineOptions) {}

  /** Requests queued or in flight. */
  get pendingCount(): number {
    return this.tail - this.head;
  }

  /** Requests queued since the last takeOutput(): not on the wire yet. */
  get unsentCount(): number {
    return this.tail - this.sent;
  }

  /** Whether requests are on the wire, waiting for their replies. */
  get awaiting(): boolean {
    return this.head < this.sent;
  }

  /** Whether bytes wait to be written (requests, noreply commands or a fence owed). */
  get hasOutput(): boolean {
    return !this.outbox.isEmpty || this.fenceOpen;
  }

  /** Queues a request that expects a reply. */
  enqueue(p: Pending): void {
    if (this.fenceOpen) this.closeFence();
    this.outbox.push(p.bytes);
    this.queue[this.tail++] = p;
  }

  /**
   * The output buffer, for a request encoded in place: an open fence is closed first, so the bytes
   * written next come after it. Follow with enqueueWritten() for the request, synchronously.
   */
  output(): OutputBuffer {
    if (this.fenceOpen) this.closeFence();
    return this.outbox;
  }

  /** Queues a request whose bytes were written into output() just before. */
  enqueueWritten(p: Pending): void {
    this.queue[this.tail++] = p;
  }

  /** Queues a command without a reply; a fence follows the run of them. */
  noreply(bytes: Buffer): void {
    this.outbox.push(bytes);
    this.fenceOpen = true;
  }

  /** The output buffer for a noreply command encoded in place (no fence closed before it). */
  noreplyOutput(): OutputBuffer {
    return this.outbox;
  }

  /** The noreply command just written into noreplyOutput(): a fence follows the run of them. */
  noreplyWritten(): void {
    this.fenceOpen = true;
  }

  /** Puts a request before everything queued, as already sent (the auth command, written directly). */
  sendFirst(p: Pending): void {
    this.queue.splice(this.head, 0, p);
    this.tail++;
    this.sent = this.head + 1;
  }

  private closeFence(): void {
    this.fenceOpen = false;
    const mn = this.options.noreplyFence === 'mn';
    const fence: Pending = {
      bytes: mn ? MN : GET_FENCE,
      expect: mn ? Expect.Meta : Expect.Values,
      endToken: undefined,
      deadline: Number.POSITIVE_INFINITY,
      timeoutMs: this.options.timeoutMs,
      resolve: NOOP,
      reject: NOOP,
      abandoned: true,
      fence: true,
      signal: undefined,
      onAbort: undefined,
      command: undefined,
      started: 0,
      batch: undefined,
      map: undefined,
      hint: undefined,
    };
    this.outbox.push(fence.bytes);
    this.queue[this.tail++] = fence;
  }

  /**
   * The bytes to write now (one Buffer in the common case), with a fence after trailing noreply
   * commands. The requests they carry count as sent from `now`: their deadlines start. Returns the
   * chunks and the earliest new deadline (Infinity when none), in an object reused by the next
   * call (read it before that).
   */
  takeOutput(now: number): { readonly chunks: readonly Buffer[]; readonly minDeadline: number } {
    if (this.fenceOpen) this.closeFence();
    const one = this.outbox.takeOne();
    let chunks: Buffer[];
    if (one === undefined) chunks = this.outbox.take();
    else {
      chunks = this.oneChunk;
      chunks[0] = one;
    }
    let minDeadline = Number.POSITIVE_INFINITY;
    const end = this.tail;
    for (let i = this.sent; i < end; i++) {
      const p = this.queue[i]!;
      if (p.timeoutMs > 0) {
        p.deadline = now + p.timeoutMs;
        if (p.deadline < minDeadline) minDeadline = p.deadline;
      }
    }
    this.sent = end;
    const taken = this.taken;
    taken.chunks = chunks;
    taken.minDeadline = minDeadline;
    return taken;
  }

  /**
   * The socket let go of every chunk takeOutput() gave it (its write completed synchronously): the
   * output slab may be written from its start again.
   */
  outputReleased(): void {
    this.outbox.rewind();
  }

  /**
   * Feeds bytes read from the socket and settles every request they complete, in order. Throws
   * ProtocolError when the bytes cannot be the reply the head request expects: the caller must then
   * discard the connection (failAll), since the stream can no longer be trusted.
   */
  feed(chunk: Buffer): void {
    this.parser.push(chunk);
    this.settle();
  }

  /**
   * Where the socket may read the next bytes directly (the rest of a large value being assembled), or
   * undefined; see ReplyParser.readTarget. Report what was read there with wrote().
   */
  readTarget(minBytes: number): Buffer | undefined {
    return this.parser.readTarget(minBytes);
  }

  /** `n` bytes were read into the last readTarget(): settles what they complete, as feed() does. */
  wrote(n: number): void {
    this.parser.wrote(n);
    this.settle();
  }

  private settle(): void {
    const parser = this.parser;
    while (this.head < this.sent) {
      const p = this.queue[this.head]!;
      const reply = parser.read(p.expect, p.endToken, p.hint);
      if (reply === undefined) break;
      if (p.fence && reply.type === 'error') {
        // An error for a noreply command: report it, keep waiting for the fence's own answer.
        this.reportNoreplyError(reply.error);
        continue;
      }
      if (p.batch && !(reply.type === 'meta' && reply.code === 'MN')) {
        p.batch.push(reply);
        continue;
      }
      if (p.fence && !isFenceReply(reply, p.expect))
        throw new ProtocolError(`unexpected ${reply.type} reply to the noreply fence`);
      this.queue[this.head] = undefined as never;
      this.head++;
      if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
      if (!p.abandoned) {
        if (p.command !== undefined) this.publishEnd(p, reply);
        if (p.map === undefined) p.resolve(reply);
        else if (reply.type === 'error') p.reject(reply.error);
        else p.resolve(p.map(reply) as Reply);
      }
    }
    this.compact();
  }

  /** The request at the head of the queue (the one a protocol error belongs to), if any. */
  get current(): Pending | undefined {
    return this.head < this.tail ? this.queue[this.head] : undefined;
  }

  /**
   * The first sent request past its deadline at `now`, or undefined; and the earliest deadline of the
   * others, for the next timer.
   */
  expired(now: number): { late: Pending | undefined; next: number } {
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.sent; i++) {
      const p = this.queue[i]!;
      if (p.deadline <= now) return { late: p, next };
      if (p.deadline < next) next = p.deadline;
    }
    return { late: undefined, next };
  }

  /** Takes every request out (the connection is being discarded) and forgets the bytes and the parser state. */
  takeAll(): Pending[] {
    const pending = this.queue.slice(this.head, this.tail);
    this.queue = [];
    this.head = this.sent = this.tail = 0;
    this.fenceOpen = false;
    this.outbox.clear();
    this.parser.reset();
    return pending;
  }

  /** Forgets the parser state (a new socket starts a new stream). */
  resetStream(): void {
    this.parser.reset();
  }

  private compact(): void {
    if (this.head === this.tail) {
      // Everything answered: reuse the array (its answered slots were cleared in feed()), unless a
      // burst grew it past what steady traffic needs.
      this.head = this.sent = this.tail = 0;
      if (this.queue.length > 4096) this.queue = [];
    } else if (this.head > 1024 && this.head * 2 > this.tail) {
      this.queue = this.queue.slice(this.head, this.tail);
      this.tail -= this.head;
      this.sent -= this.head;
      this.head = 0;
    }
  }

  private reportNoreplyError(error: Error): void {
    if (channels.noreplyError.hasSubscribers)
      channels.noreplyError.publish({ server: this.options.address, error });
    this.options.onNoreplyError(error);
  }

  private publishEnd(p: Pending, reply: Reply): void {
    const durationMs = performance.now() - p.started;
    if (reply.type === 'error')
      channels.commandError.publish({
        server: this.options.address,
        command: p.command,
        error: reply.error,
        durationMs,
      });
    else channels.commandEnd.publish({ server: this.options.address, command: p.command, durationMs });
  }
}

/** The fence's own answer: MN to `mn`, END (or the fence key's value) to the `get` fence. */
function isFenceReply(reply: Reply, expect: Expect): boolean {
  if (expect === Expect.Meta) return reply.type === 'meta' && reply.code === 'MN';
  return reply.type === 'values' && reply.values.every((v) => v.key === FENCE_KEY);
}
