import { Buffer } from 'node:buffer';
import {
  ClientReplyError,
  InvalidArgumentError,
  ProtocolError,
  ServerError,
  UnknownCommandError,
} from './errors.js';
import { parseMetaFlagsAt } from './meta-flags.js';
import {
  Expect,
  type KeyHint,
  type MetaCode,
  type Reply,
  type StatusWord,
  type ValueEntry,
} from './replies.js';

/** Longest reply line accepted without CRLF; past it the bytes cannot be memcached's. */
export const MAX_LINE_LENGTH = 8192;
/** Longest reply accepted for Expect.Raw. */
export const MAX_RAW_LENGTH = 64 * 1024 * 1024;
/** Default for ReplyParserOptions.maxValueLength: memcached's largest item size (-I 1024m). */
export const DEFAULT_MAX_VALUE_LENGTH = 1024 * 1024 * 1024;

export interface ReplyParserOptions {
  /**
   * Largest value (VALUE or VA data block) accepted, in bytes; a larger declared size is a
   * ProtocolError before anything is allocated for it. Default 1 GiB (memcached's maximum item size).
   */
  maxValueLength?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const EMPTY = Buffer.alloc(0);
/** Smallest buffer allocated to join a line split across chunks (it then grows by doubling). */
const MIN_JOIN = 1024;

const STORE_WORDS: ReadonlySet<string> = new Set(['STORED', 'NOT_STORED', 'EXISTS', 'NOT_FOUND']);
/** The reply to nearly every store: one frozen object, not one per reply. */
const STORED_REPLY: Reply = Object.freeze({ type: 'status', status: 'STORED' });
/**
 * The END of a reply whose values all went to KeyHint.onValue: one frozen object (its list is empty
 * by definition), not two new ones per get. Frozen, so a caller that tried to add to it would fail
 * loudly rather than change every later reply.
 */
const STREAMED_END: Reply = Object.freeze({ type: 'values', values: Object.freeze([]) as never });
const META_CODES: ReadonlySet<string> = new Set(['HD', 'VA', 'EN', 'NS', 'EX', 'NF', 'MN', 'ME']);

/**
 * Incremental reply parser. Feed it chunks with push() as they arrive, in any fragmentation; read()
 * returns the next complete reply of the kind the caller expects, or undefined when more bytes are
 * needed. Bytes that cannot be that reply throw ProtocolError: the caller must then discard the
 * connection (and may call reset()).
 *
 * Memory: the parser reads from a window buf[start, end) and keeps later chunks in a queue, as
 * they came: push() never copies. When the window is used up, the next chunk becomes the window
 * (zero copy). Only a reply that straddles two chunks is joined: a line is joined up to its LF,
 * a data block of known size into one buffer allocated at that size, so a 16 MiB value arriving in
 * 64 KiB chunks is copied once, and the rest of the last chunk is not copied at all. Values are
 * views (subarray) into the window; bytes already handed out are never written again.
 */
export class ReplyParser {
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** Whether buf was allocated here (its spare capacity past `end` may be written). */
  private owned = false;
  /** Chunks received after the window, not yet looked at. */
  private queue: Buffer[] = [];
  private queued = 0;
  /** Values already parsed of the multi-value reply being read. */
  private partialValues: ValueEntry[] | null = null;
  private partialStats: Array<[string, string]> | null = null;
  /** Bytes of the raw reply being read already searched for the end token. */
  private rawScanned = 0;
  /** Whether values of the reply being read went to KeyHint.onValue (an error line is then not a reply). */
  private streamedValues = false;
  /** Cursor of the KeyHint after the last VALUE header parsed (-1: its key was not hinted). */
  private hintNext = -1;
  /** Size declared by the last VALUE header parsed. */
  private declaredSize = 0;
  /**
   * The VALUE header at `start` whose data block is still arriving, and its length (CRLF included):
   * the header is parsed once, not again for every chunk of a large value.
   */
  private pendingEntry: ValueEntry | null = null;
  private pendingHeaderLength = 0;
  /**
   * The entry handed to KeyHint.onValue, reused for every streamed value: onValue takes what it
   * keeps before it returns, so a 100-key reply allocates no entry objects (the values array of an
   * unstreamed reply gets its own). Always with a `cas` field, so it keeps one shape.
   */
  private readonly streamEntry: ValueEntry = { key: '', flags: 0, value: EMPTY, cas: undefined };
  /** The buffer the last readTarget() handed out, until wrote() or reset(). */
  private target: Buffer | null = null;
  private readonly maxValueLength: number;

  constructor(options: ReplyParserOptions = {}) {
    const max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
    if (!Number.isSafeInteger(max) || max < 0)
      throw new InvalidArgumentError(`maxValueLength must be a non-negative integer, got ${String(max)}`);
    this.maxValueLength = max;
  }

  /** Bytes received and not yet consumed by a reply. */
  get bufferedBytes(): number {
    return this.end - this.start + this.queued;
  }

  /** Adds received bytes. The parser keeps a reference to the chunk: do not write into it afterwards. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n);
    if (this.start === this.end && this.queued === 0) {
      this.buf = b;
      this.start = 0;
      this.end = n;
      this.owned = false;
      return;
    }
    this.queue.push(b);
    this.queued += n;
  }

  /**
   * Where the next bytes read from the socket may go directly, or undefined. While a value's data
   * block is arriving (its header parsed, at least `minBytes` of it still missing, nothing queued),
   * this is the unfilled part of the one buffer the block is being assembled in: a socket that reads
   * into it and reports with wrote() saves the copy push() would make, and the allocation of a read
   * buffer. It never extends past the block's CRLF, so the next reply's bytes are not read into it.
   */
  readTarget(minBytes: number): Buffer | undefined {
    if (this.pendingEntry === null || this.queued !== 0) return undefined;
    const want = this.pendingBlockLength();
    if (want - (this.end - this.start) < Math.max(1, minBytes)) return undefined;
    if (!this.owned || this.start + want > this.buf.length)
      // The block's first bytes are still in the chunk they came in: assemble it from here on. They
      // are placed half a page away from where they sit in their chunk (mod 4096): copied to nearly
      // the same page offset, memmove's loads alias its own recent stores (4K aliasing), and this
      // copy ran at 2.5-2.9 GB/s instead of 8.6-9.3 (bench/local/ab.mjs get100k). It assumes the two
      // buffers start at the same page offset, which large allocations here mostly do; it costs at
      // most 4 KiB more for a value whose missing part is at least `minBytes`.
      this.ownWindow(want, (this.buf.byteOffset + this.start + 2048) & 4095);
    this.target = this.buf;
    return this.buf.subarray(this.end, this.start + want);
  }

  /**
   * Bytes still missing of the data block being assembled (its VALUE header parsed, nothing queued)
   * when its value is at least `minSize` bytes, else 0. A reader that does not get a readTarget()
   * for them (too few) can size its next read to them, so the bytes after them (the next reply, which
   * may be another large value) do not arrive in the same read only to be copied out of it.
   */
  missing(minSize: number): number {
    if (this.pendingEntry === null || this.queued !== 0 || this.declaredSize < minSize) return 0;
    return this.pendingBlockLength() - (this.end - this.start);
  }

  /**
   * Reports `n` bytes written at the start of the last readTarget(). Then read() as after push().
   * Throws if the parser moved on since (reset, or bytes pushed): those bytes are not where it reads.
   */
  wrote(n: number): void {
    const target = this.target;
    this.target = null;
    if (target === null || target !== this.buf || this.queued !== 0 || this.pendingEntry === null)
      throw new InvalidArgumentError('wrote() without a current readTarget()');
    if (!Number.isInteger(n) || n < 0 || this.end - this.start + n > this.pendingBlockLength())
      throw new InvalidArgumentError(`wrote(${String(n)}) past the readTarget()`);
    this.end += n;
  }

  /** Bytes from `start` to the end of the pending value's block: header, data and CRLF. */
  private pendingBlockLength(): number {
    return this.pendingHeaderLength + this.declaredSize + 2;
  }

  /** Drops everything buffered and any half-read reply. */
  reset(): void {
    this.buf = EMPTY;
    this.start = this.end = this.queued = this.rawScanned = 0;
    this.owned = false;
    this.queue = [];
    this.partialValues = null;
    this.partialStats = null;
    this.streamedValues = false;
    this.pendingEntry = null;
    this.target = null;
  }

  /**
   * Reads the next reply, which must be of the expected kind. `endToken` is for Expect.Raw: the
   * reply runs up to and including its first occurrence (default CRLF). `keys` is for Expect.Values:
   * the keys asked, whose strings the entries then reuse (see KeyHint).
   */
  read(expect: Expect, endToken?: string | Uint8Array, keys?: KeyHint): Reply | undefined {
    switch (expect) {
      case Expect.Values:
        return this.readValues(keys);
      case Expect.Stats:
        return this.readStats();
      case Expect.Meta:
        return this.readMeta();
      case Expect.Raw:
        return this.readRaw(endToken ?? '\r\n');
      default:
        return this.readSimple(expect);
    }
  }

  /**
   * Moves queued bytes into the window. `want` > 0: the window should hold `want` bytes from start
   * (a data block of known size); 0: one more line (up to the next LF); -1: a whole chunk. Returns
   * false when nothing is queued. start may move (to 0) when the window is reallocated.
   */
  private more(want: number): boolean {
    const next = this.queue[0];
    if (next === undefined) return false;
    const pending = this.end - this.start;
    if (pending === 0) {
      this.queue.shift();
      this.queued -= next.length;
      this.buf = next;
      this.start = 0;
      this.end = next.length;
      this.owned = false;
      return true;
    }
    let take = next.length;
    if (want > 0) take = Math.min(take, Math.max(1, want - pending));
    else if (want === 0) {
      const lf = next.indexOf(LF);
      take = lf < 0 ? Math.min(take, MAX_LINE_LENGTH + 1) : lf + 1;
    }
    if (!this.owned || this.end + take > this.buf.length)
      this.ownWindow(want > 0 ? Math.max(want, pending + take) : Math.max(2 * (pending + take), MIN_JOIN), 0);
    next.copy(this.buf, this.end, 0, take);
    this.end += take;
    if (take === next.length) this.queue.shift();
    else this.queue[0] = next.subarray(take);
    this.queued -= take;
    return true;
  }

  /** Moves the window into a new buffer of `size` bytes (plus `at`), starting at offset `at`. */
  private ownWindow(size: number, at: number): void {
    const joined = Buffer.allocUnsafe(size + at);
    const pending = this.end - this.start;
    this.buf.copy(joined, at, this.start, this.end);
    this.buf = joined;
    this.start = at;
    this.end = at + pending;
    this.owned = true;
  }

  /** Index of the LF ending the line at `start` (joining queued chunks as needed), or -1. */
  private lineEnd(): number {
    for (;;) {
      const { buf, start, end } = this;
      // An owned buffer has unwritten capacity past `end`: search only the window.
      let i =
        this.owned && end < buf.length
          ? buf.subarray(start, end).indexOf(LF) + start
          : buf.indexOf(LF, start);
      if (i >= end || i < start) i = -1;
      if (i >= 0) {
        if (i === start || buf[i - 1] !== CR) throw new ProtocolError('reply line not terminated by CRLF');
        return i;
      }
      if (end - start > MAX_LINE_LENGTH)
        throw new ProtocolError(`reply line longer than ${MAX_LINE_LENGTH} bytes without CRLF`);
      if (!this.more(0)) return -1;
    }
  }

  private text(from: number, to: number): string {
    return this.buf.toString('latin1', from, to);
  }

  /** ERROR / CLIENT_ERROR / SERVER_ERROR at [s, e) (e excludes CRLF), or undefined. */
  private errorReply(s: number, e: number): Reply | undefined {
    const b = this.buf;
    if (
      b[s] === 0x45 /* E */ &&
      e - s >= 5 &&
      this.text(s, s + 5) === 'ERROR' &&
      (e - s === 5 || b[s + 5] === SP || b[s + 5] === 0x3a)
    )
      // memcached 1.6 sometimes adds a reason: "ERROR: shutdown not enabled".
      return {
        type: 'error',
        error: new UnknownCommandError(this.buf.toString('utf8', s + 5, e).replace(/^[:\s]+/, '')),
      };
    if (b[s] === 0x43 /* C */ && e - s >= 12 && this.text(s, s + 12) === 'CLIENT_ERROR')
      return {
        type: 'error',
        error: new ClientReplyError(this.buf.toString('utf8', Math.min(s + 13, e), e)),
      };
    if (b[s] === 0x53 /* S */ && e - s >= 12 && this.text(s, s + 12) === 'SERVER_ERROR')
      return { type: 'error', error: new ServerError(this.buf.toString('utf8', Math.min(s + 13, e), e)) };
    return undefined;
  }

  private unexpected(s: number, e: number, what: string): never {
    const shown = this.buf.toString('latin1', s, Math.min(e, s + 80)).replace(/[^\x20-\x7e]/g, '?');
    throw new ProtocolError(`expected ${what}, got ${JSON.stringify(shown)}`);
  }

  private readSimple(expect: Expect): Reply | undefined {
    if (EXPECT_NAMES[expect] === undefined)
      throw new InvalidArgumentError(`unknown expectation ${String(expect)}`);
    const lf = this.lineEnd();
    if (lf < 0) return undefined;
    const s = this.start;
    const e = lf - 1;
    const err = this.errorReply(s, e);
    if (err) {
      this.start = lf + 1;
      return err;
    }
    let reply: Reply | undefined;
    switch (expect) {
      case Expect.Store: {
        // STORED is by far the most common reply: recognise it without making a string.
        const b = this.buf;
        if (e - s === 6 && b[s] === 0x53 && b[s + 1] === 0x54 && b[s + 2] === 0x4f && b[s + 3] === 0x52)
          reply = b[s + 4] === 0x45 && b[s + 5] === 0x44 ? STORED_REPLY : undefined;
        else {
          const word = this.text(s, e);
          if (STORE_WORDS.has(word)) reply = { type: 'status', status: word as StatusWord };
        }
        break;
      }
      case Expect.Delete: {
        const word = this.text(s, e);
        if (word === 'DELETED' || word === 'NOT_FOUND') reply = { type: 'status', status: word };
        break;
      }
      case Expect.Touch: {
        const word = this.text(s, e);
        if (word === 'TOUCHED' || word === 'NOT_FOUND') reply = { type: 'status', status: word };
        break;
      }
      case Expect.Ok:
        if (e - s === 2 && this.buf[s] === 0x4f && this.buf[s + 1] === 0x4b)
          reply = { type: 'status', status: 'OK' };
        break;
      case Expect.Arith:
        reply = this.arith(s, e);
        break;
      case Expect.Version:
        if (e - s > 8 && this.text(s, s + 8) === 'VERSION ')
          reply = { type: 'version', version: this.text(s + 8, e) };
        break;
    }
    if (!reply) this.unexpected(s, e, EXPECT_NAMES[expect]!);
    this.start = lf + 1;
    return reply;
  }

  /** incr/decr: an unsigned 64-bit decimal, or NOT_FOUND. */
  private arith(s: number, e: number): Reply | undefined {
    const b = this.buf;
    if (e - s === 9 && b[s] === 0x4e && this.text(s, e) === 'NOT_FOUND')
      return { type: 'status', status: 'NOT_FOUND' };
    const value = decimal(b, s, e);
    return value === undefined ? undefined : { type: 'number', value };
  }

  private readValues(hint: KeyHint | undefined): Reply | undefined {
    for (;;) {
      if (this.pendingEntry !== null) {
        if (!this.readValueBody(this.pendingEntry, this.start + this.pendingHeaderLength, hint))
          return undefined;
        continue;
      }
      const lf = this.lineEnd();
      if (lf < 0) return undefined;
      const b = this.buf;
      const s = this.start;
      const e = lf - 1;
      if (e - s === 3 && b[s] === 0x45 && b[s + 1] === 0x4e && b[s + 2] === 0x44) {
        // END
        this.start = lf + 1;
        const values = this.partialValues;
        this.partialValues = null;
        this.streamedValues = false;
        if (values !== null) return { type: 'values', values };
        return hint?.onValue !== undefined ? STREAMED_END : { type: 'values', values: [] };
      }
      if (
        e - s > 6 &&
        b[s] === 0x56 &&
        b[s + 1] === 0x41 &&
        b[s + 2] === 0x4c &&
        b[s + 3] === 0x55 &&
        b[s + 4] === 0x45 &&
        b[s + 5] === SP
      ) {
        // VALUE <key> <flags> <bytes> [<cas>]
        const entry = this.valueHeader(s + 6, e, hint);
        if (!this.readValueBody(entry, lf + 1, hint)) return undefined;
        continue;
      }
      if (this.partialValues === null && !this.streamedValues) {
        const err = this.errorReply(s, e);
        if (err) {
          this.start = lf + 1;
          return err;
        }
      }
      this.unexpected(s, e, 'VALUE or END');
    }
  }

  /**
   * The data block of `entry` (its header parsed, declaredSize and hintNext set), from `bodyStart`:
   * the block is joined into one buffer of its size from what is queued; when it is whole, the value
   * is taken and the window moves past it (true), otherwise the header stays pending and readValues
   * goes on from it after the next push (false).
   */
  private readValueBody(entry: ValueEntry, bodyStart: number, hint: KeyHint | undefined): boolean {
    const size = this.declaredSize;
    if (this.end - bodyStart < size + 2) {
      // more() moves one queued chunk at a time and may move the window (start to 0): the body is
      // found again from the header's length.
      const headerLength = bodyStart - this.start;
      const want = headerLength + size + 2;
      while (this.end - this.start < want)
        if (!this.more(want)) {
          this.pendingEntry = entry;
          this.pendingHeaderLength = headerLength;
          return false;
        }
      bodyStart = this.start + headerLength;
    }
    this.pendingEntry = null;
    const b = this.buf;
    if (b[bodyStart + size] !== CR || b[bodyStart + size + 1] !== LF)
      throw new ProtocolError('value data block not terminated by CRLF (length mismatch)');
    entry.value = b.subarray(bodyStart, bodyStart + size);
    // The cursor moves once the value is read whole.
    if (hint !== undefined && this.hintNext >= 0) hint.pos = this.hintNext;
    this.start = bodyStart + size + 2;
    if (hint?.onValue !== undefined) {
      // Streamed: the caller has it now, not at END (a large multi-value reply keeps flowing).
      this.streamedValues = true;
      hint.onValue(entry, this.hintNext < 0 ? -1 : this.hintNext - 1);
      // The reused entry must not keep the received chunk alive.
      entry.value = EMPTY;
    } else if (this.partialValues === null) this.partialValues = [entry];
    else this.partialValues.push(entry);
    return true;
  }

  /** Parses `<key> <flags> <bytes> [<cas>]` at [s, e); the size goes to declaredSize. */
  private valueHeader(s: number, e: number, hint: KeyHint | undefined): ValueEntry {
    const b = this.buf;
    // The key at the hint's cursor, the one memcached answers next, is compared in place: a match
    // reads the key's bytes once, instead of finding the space and then comparing.
    let j = hint === undefined ? -1 : atCursor(hint, b, s, e);
    let i = j < 0 ? s : s + hint!.keys[j]!.length;
    // High bits of the key's bytes: an ASCII key (the usual one) is read as latin1, which V8 turns
    // into a one-byte string faster than it decodes UTF-8.
    let high = 0;
    if (j < 0) {
      for (let c = b[i]; i < e && c !== SP; c = b[++i]) high |= c!;
      if (i >= e || i === s) this.unexpected(s - 6, e, 'VALUE <key> <flags> <bytes>');
    }
    let p = i + 1;
    let flags = 0;
    let digits = 0;
    for (; p < e && b[p] !== SP; p++, digits++) {
      const d = b[p]! - 0x30;
      if (d < 0 || d > 9) this.unexpected(s - 6, e, 'numeric flags');
      flags = flags * 10 + d;
    }
    if (digits === 0 || digits > 10 || flags > 0xffffffff || p >= e)
      this.unexpected(s - 6, e, 'VALUE <key> <flags> <bytes>');
    p++;
    let size = 0;
    digits = 0;
    for (; p < e && b[p] !== SP; p++, digits++) {
      const d = b[p]! - 0x30;
      if (d < 0 || d > 9) this.unexpected(s - 6, e, 'numeric size');
      size = size * 10 + d;
    }
    if (digits === 0 || digits > 10) this.unexpected(s - 6, e, 'VALUE <key> <flags> <bytes>');
    if (size > this.maxValueLength)
      throw new ProtocolError(
        `value of ${size} bytes is larger than maxValueLength (${this.maxValueLength})`,
      );
    let cas: bigint | undefined;
    if (p < e) {
      cas = decimal(b, p + 1, e);
      if (cas === undefined) this.unexpected(s - 6, e, 'numeric cas');
    }
    this.declaredSize = size;
    let key: string;
    if (j < 0 && hint !== undefined && high < 0x80) j = hinted(hint, b, s, i);
    this.hintNext = j < 0 ? -1 : j + 1;
    if (j >= 0) key = hint!.keys[j]!;
    else key = high < 0x80 ? latin1(b, s, i) : utf8(b, s, i);
    if (hint?.onValue !== undefined) {
      const entry = this.streamEntry;
      entry.key = key;
      entry.flags = flags;
      entry.cas = cas;
      return entry;
    }
    return cas === undefined ? { key, flags, value: EMPTY } : { key, flags, value: EMPTY, cas };
  }

  private readStats(): Reply | undefined {
    for (;;) {
      const lf = this.lineEnd();
      if (lf < 0) return undefined;
      const s = this.start;
      const e = lf - 1;
      const line = this.text(s, e);
      if (line === 'END') {
        this.start = lf + 1;
        const stats = this.partialStats ?? [];
        this.partialStats = null;
        return { type: 'stats', stats };
      }
      // STAT <name> <value>; `stats cachedump` answers ITEM lines, `stats detail dump` PREFIX lines.
      const word = line.indexOf(' ');
      const kind = word < 0 ? '' : line.slice(0, word);
      if (kind === 'STAT' || kind === 'ITEM' || kind === 'PREFIX') {
        const sp = line.indexOf(' ', word + 1);
        const name = sp < 0 ? line.slice(word + 1) : line.slice(word + 1, sp);
        const value = sp < 0 ? '' : line.slice(sp + 1);
        if (this.partialStats === null) this.partialStats = [[name, value]];
        else this.partialStats.push([name, value]);
        this.start = lf + 1;
        continue;
      }
      if (this.partialStats === null) {
        // `stats reset` answers RESET and `stats detail on|off` OK, instead of a list.
        const reply =
          line === 'RESET' || line === 'OK'
            ? ({ type: 'status', status: line } as const)
            : this.errorReply(s, e);
        if (reply) {
          this.start = lf + 1;
          return reply;
        }
      }
      this.unexpected(s, e, 'STAT or END');
    }
  }

  private readMeta(): Reply | undefined {
    for (;;) {
      const lf = this.lineEnd();
      if (lf < 0) return undefined;
      const b = this.buf;
      const s = this.start;
      const e = lf - 1;
      const err = this.errorReply(s, e);
      if (err) {
        this.start = lf + 1;
        return err;
      }
      let code = e - s >= 2 ? this.text(s, s + 2) : '';
      if (code === 'OK') code = 'HD'; // ElastiCache 1.6.6 answers OK where memcached answers HD.
      if (!META_CODES.has(code) || (e - s > 2 && b[s + 2] !== SP)) this.unexpected(s, e, 'a meta reply');
      if (code === 'ME') {
        this.start = lf + 1;
        return { type: 'meta', code: 'ME', flags: {}, debug: b.toString('utf8', Math.min(s + 3, e), e) };
      }
      if (code !== 'VA') {
        const flags = e - s > 3 ? parseMetaFlagsAt(b, s + 3, e) : {};
        this.start = lf + 1;
        return { type: 'meta', code: code as MetaCode, flags };
      }
      // VA <size> <flags>*, then the data block.
      let p = s + 3;
      let size = 0;
      let digits = 0;
      for (; p < e && b[p] !== SP; p++, digits++) {
        const d = b[p]! - 0x30;
        if (d < 0 || d > 9) this.unexpected(s, e, 'VA <size>');
        size = size * 10 + d;
      }
      if (digits === 0 || digits > 10) this.unexpected(s, e, 'VA <size>');
      if (size > this.maxValueLength)
        throw new ProtocolError(
          `value of ${size} bytes is larger than maxValueLength (${this.maxValueLength})`,
        );
      const bodyStart = lf + 1;
      if (this.end - bodyStart < size + 2) {
        if (!this.more(bodyStart - s + size + 2)) return undefined;
        continue;
      }
      if (b[bodyStart + size] !== CR || b[bodyStart + size + 1] !== LF)
        throw new ProtocolError('meta value not terminated by CRLF (length mismatch)');
      const flags = parseMetaFlagsAt(b, p, e);
      this.start = bodyStart + size + 2;
      return { type: 'meta', code: 'VA', flags, value: b.subarray(bodyStart, bodyStart + size) };
    }
  }

  private readRaw(endToken: string | Uint8Array): Reply | undefined {
    const token = typeof endToken === 'string' ? Buffer.from(endToken, 'latin1') : endToken;
    if (token.length === 0) throw new InvalidArgumentError('the raw end token cannot be empty');
    if (this.rawScanned === 0) {
      // The first line decides: an error line is the whole reply whatever the end token (ERROR
      // never ends with "END\r\n").
      const lf = this.lineEnd();
      if (lf < 0) return undefined;
      const err = this.errorReply(this.start, lf - 1);
      if (err) {
        this.start = lf + 1;
        return err;
      }
    }
    for (;;) {
      const { buf, start, end } = this;
      // Search again only the bytes that can complete a match (a token may straddle two chunks).
      const from = start + Math.max(0, this.rawScanned - token.length + 1);
      let i = buf.indexOf(token, from);
      if (i >= 0 && i + token.length > end) i = -1;
      if (i >= 0) {
        const stop = i + token.length;
        this.start = stop;
        this.rawScanned = 0;
        return { type: 'raw', bytes: buf.subarray(start, stop) };
      }
      this.rawScanned = Math.max(1, end - start);
      if (end - start > MAX_RAW_LENGTH)
        throw new ProtocolError(`raw reply longer than ${MAX_RAW_LENGTH} bytes`);
      if (!this.more(-1)) return undefined;
    }
  }
}

type SliceFn = (this: Buffer, start: number, end: number) => string;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: SliceFn }).utf8Slice;
/**
 * UTF-8 text of buf[s, e). Buffer#utf8Slice (what toString('utf8') calls after checking its
 * arguments) saves a third of the cost of a short key; toString where a runtime lacks it.
 */
const utf8: (buf: Buffer, s: number, e: number) => string =
  typeof utf8Slice === 'function'
    ? (buf, s, e) => utf8Slice.call(buf, s, e)
    : (buf, s, e) => buf.toString('utf8', s, e);

/**
 * The index of the hint's key whose bytes are buf[s, e) (ASCII), searched from the hint's cursor
 * on; -1 when no key matches (the caller decodes the bytes).
 */
function hinted(hint: KeyHint, buf: Buffer, s: number, e: number): number {
  const keys = hint.keys;
  const len = e - s;
  const end = hint.end;
  for (let j = hint.pos; j < end; j++) {
    const k = keys[j]!;
    if (k.length === len && isAsciiKeyAt(k, buf, s)) return j;
  }
  return -1;
}

/**
 * The hint's cursor when its key is buf[s, ...) followed by a space before `e` (ASCII keys only: a
 * character past 0x7f is never taken for a byte), or -1 (the caller then finds the key's end itself).
 */
function atCursor(hint: KeyHint, buf: Buffer, s: number, e: number): number {
  const j = hint.pos;
  if (j >= hint.end) return -1;
  const k = hint.keys[j]!;
  const len = k.length;
  if (len === 0 || s + len >= e || buf[s + len] !== SP) return -1;
  return isAsciiKeyAt(k, buf, s) ? j : -1;
}

/**
 * Whether buf[s, s + k.length) are the bytes of `k`, an ASCII key: a character past 0x7f is never
 * taken for the byte of the same value (it would be two bytes of UTF-8).
 */
function isAsciiKeyAt(k: string, buf: Buffer, s: number): boolean {
  for (let x = 0; x < k.length; x++) {
    const c = k.charCodeAt(x);
    if (c !== buf[s + x] || c >= 0x80) return false;
  }
  return true;
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: SliceFn }).latin1Slice;
/** latin1 text of buf[s, e) (for ASCII bytes, the same string as UTF-8), as utf8() is made. */
const latin1: (buf: Buffer, s: number, e: number) => string =
  typeof latin1Slice === 'function'
    ? (buf, s, e) => latin1Slice.call(buf, s, e)
    : (buf, s, e) => buf.toString('latin1', s, e);

/** An unsigned 64-bit decimal at buf[s, e), or undefined when it is not one. */
function decimal(buf: Buffer, s: number, e: number): bigint | undefined {
  const len = e - s;
  if (len < 1 || len > 20) return undefined;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    if (len <= 15) n = n * 10 + d;
  }
  if (len <= 15) return BigInt(n);
  const big = BigInt(buf.toString('latin1', s, e));
  return big > MAX_U64 ? undefined : big;
}

const MAX_U64 = (1n << 64n) - 1n;

const EXPECT_NAMES: Record<number, string> = {
  [Expect.Store]: 'STORED, NOT_STORED, EXISTS or NOT_FOUND',
  [Expect.Delete]: 'DELETED or NOT_FOUND',
  [Expect.Touch]: 'TOUCHED or NOT_FOUND',
  [Expect.Ok]: 'OK',
  [Expect.Arith]: 'a number or NOT_FOUND',
  [Expect.Version]: 'VERSION',
};
