import { ClientReplyError, ProtocolError, ServerError, UnknownCommandError } from './errors.js';
import { parseMetaFlags } from './meta-flags.js';
import { Expect, type MetaCode, type Reply, type StatusWord, type ValueEntry } from './replies.js';

/** Longest reply line accepted without CRLF; past it the bytes cannot be memcached's. */
export const MAX_LINE_LENGTH = 8192;
/** Longest reply accepted for Expect.Raw. */
export const MAX_RAW_LENGTH = 64 * 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

const STORE_WORDS: ReadonlySet<string> = new Set(['STORED', 'NOT_STORED', 'EXISTS', 'NOT_FOUND']);
const META_CODES: ReadonlySet<string> = new Set(['HD', 'VA', 'EN', 'NS', 'EX', 'NF', 'MN', 'ME']);

/**
 * Incremental reply parser. Feed it chunks with push() as they arrive, in any fragmentation; read()
 * returns the next complete reply of the kind the caller expects, or undefined when more bytes are
 * needed. Bytes that cannot be that reply throw ProtocolError: the caller must then discard the
 * connection (and may call reset()).
 *
 * Memory: bytes live in one buffer with a read and a write position. A chunk that arrives when
 * nothing is buffered is used as it is (zero copy). Otherwise chunks are appended into an owned
 * buffer that grows geometrically, or, when a value's size is known, straight to that size, so a
 * 16 MiB value arriving in 64 KiB chunks is copied once. Values are views (subarray) into that
 * buffer; bytes already handed out are never written again.
 */
export class ReplyParser {
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** Whether buf was allocated here (spare capacity may be written) or is a caller's chunk. */
  private owned = false;
  /** Bytes the reply being read needs in all, from `start`; lets push() allocate once. */
  private need = 0;
  /** Values already parsed of the multi-value reply being read. */
  private partialValues: ValueEntry[] | null = null;
  private partialStats: Array<[string, string]> | null = null;

  /** Bytes received and not yet consumed by a reply. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Adds received bytes. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    const pending = this.end - this.start;
    if (pending === 0 && this.need <= n) {
      this.buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n);
      this.start = 0;
      this.end = n;
      this.owned = false;
      return;
    }
    if (this.owned && this.end + n <= this.buf.length) {
      this.buf.set(chunk, this.end);
      this.end += n;
      return;
    }
    const wanted = pending + n;
    // Exactly what a known value needs; otherwise grow geometrically past 64 KiB so a long reply of
    // unknown length (raw, stats) is not copied once per chunk.
    const size = Math.max(
      this.need,
      wanted > 65536 ? Math.min(wanted * 2, wanted + 8 * 1024 * 1024) : wanted,
    );
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.end);
    next.set(chunk, pending);
    this.buf = next;
    this.start = 0;
    this.end = wanted;
    this.owned = true;
  }

  /** Drops everything buffered and any half-read reply. */
  reset(): void {
    this.buf = EMPTY;
    this.start = this.end = this.need = 0;
    this.owned = false;
    this.partialValues = null;
    this.partialStats = null;
  }

  /**
   * Reads the next reply, which must be of the expected kind. `endToken` is for Expect.Raw: the
   * reply runs up to and including its first occurrence (default CRLF).
   */
  read(expect: Expect, endToken?: string | Uint8Array): Reply | undefined {
    switch (expect) {
      case Expect.Values:
        return this.readValues();
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

  /** Index of the LF ending the line at `start`, or -1 when the line is incomplete. */
  private lineEnd(limit = MAX_LINE_LENGTH): number {
    const { buf, start, end } = this;
    let i = buf.indexOf(LF, start);
    if (i >= end) i = -1;
    if (i < 0) {
      if (end - start > limit) throw new ProtocolError(`reply line longer than ${limit} bytes without CRLF`);
      return -1;
    }
    if (i === start || buf[i - 1] !== CR) throw new ProtocolError('reply line not terminated by CRLF');
    return i;
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
      (e - s === 5 || b[s + 5] === 0x20 || b[s + 5] === 0x3a)
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
    const word = this.text(s, e);
    switch (expect) {
      case Expect.Store:
        if (STORE_WORDS.has(word)) reply = { type: 'status', status: word as StatusWord };
        break;
      case Expect.Delete:
        if (word === 'DELETED' || word === 'NOT_FOUND') reply = { type: 'status', status: word };
        break;
      case Expect.Touch:
        if (word === 'TOUCHED' || word === 'NOT_FOUND') reply = { type: 'status', status: word };
        break;
      case Expect.Ok:
        if (word === 'OK') reply = { type: 'status', status: 'OK' };
        break;
      case Expect.Arith:
        if (word === 'NOT_FOUND') reply = { type: 'status', status: 'NOT_FOUND' };
        else if (/^\d{1,20}$/.test(word)) reply = { type: 'number', value: BigInt(word) };
        break;
      case Expect.Version:
        if (word.startsWith('VERSION ')) reply = { type: 'version', version: word.slice(8) };
        break;
      default:
        throw new ProtocolError(`unknown expectation ${String(expect)}`);
    }
    if (!reply) this.unexpected(s, e, EXPECT_NAMES[expect] ?? 'a reply');
    this.start = lf + 1;
    return reply;
  }

  private readValues(): Reply | undefined {
    for (;;) {
      const lf = this.lineEnd();
      if (lf < 0) return undefined;
      const b = this.buf;
      const s = this.start;
      const e = lf - 1;
      if (e - s === 3 && b[s] === 0x45 && b[s + 1] === 0x4e && b[s + 2] === 0x44) {
        // END
        this.start = lf + 1;
        const values = this.partialValues ?? [];
        this.partialValues = null;
        return { type: 'values', values };
      }
      if (e - s > 6 && b[s] === 0x56 && this.text(s, s + 6) === 'VALUE ') {
        const entry = this.valueHeader(s + 6, e);
        const bodyStart = lf + 1;
        const size = this.declaredSize;
        if (this.end - bodyStart < size + 2) {
          // Tell push() how much the whole block needs, so it allocates once.
          this.need = bodyStart - this.start + size + 2;
          return undefined;
        }
        this.need = 0;
        if (b[bodyStart + size] !== CR || b[bodyStart + size + 1] !== LF)
          throw new ProtocolError('value data block not terminated by CRLF (length mismatch)');
        entry.value = b.subarray(bodyStart, bodyStart + size);
        (this.partialValues ??= []).push(entry);
        this.start = bodyStart + size + 2;
        continue;
      }
      if (this.partialValues === null) {
        const err = this.errorReply(s, e);
        if (err) {
          this.start = lf + 1;
          return err;
        }
      }
      this.unexpected(s, e, 'VALUE or END');
    }
  }

  /** Size declared by the last VALUE header parsed. */
  private declaredSize = 0;

  /** Parses `<key> <flags> <bytes> [<cas>]` at [s, e); the size goes to declaredSize. */
  private valueHeader(s: number, e: number): ValueEntry {
    const b = this.buf;
    const i = b.indexOf(0x20, s);
    if (i < 0 || i >= e || i === s) this.unexpected(s - 6, e, 'VALUE <key> <flags> <bytes>');
    const key = b.toString('utf8', s, i);
    let p = i + 1;
    let flags = 0;
    let digits = 0;
    for (; p < e && b[p] !== 0x20; p++, digits++) {
      const d = b[p]! - 0x30;
      if (d < 0 || d > 9) this.unexpected(s - 6, e, 'numeric flags');
      flags = flags * 10 + d;
    }
    if (digits === 0 || flags > 0xffffffff || p >= e)
      this.unexpected(s - 6, e, 'VALUE <key> <flags> <bytes>');
    p++;
    let size = 0;
    digits = 0;
    for (; p < e && b[p] !== 0x20; p++, digits++) {
      const d = b[p]! - 0x30;
      if (d < 0 || d > 9) this.unexpected(s - 6, e, 'numeric size');
      size = size * 10 + d;
    }
    if (digits === 0 || digits > 10) this.unexpected(s - 6, e, 'VALUE <key> <flags> <bytes>');
    let cas: bigint | undefined;
    if (p < e) {
      const t = this.text(p + 1, e);
      if (!/^\d{1,20}$/.test(t)) this.unexpected(s - 6, e, 'numeric cas');
      cas = BigInt(t);
    }
    this.declaredSize = size;
    const entry: ValueEntry = { key, flags, value: EMPTY };
    if (cas !== undefined) entry.cas = cas;
    return entry;
  }

  private readStats(): Reply | undefined {
    for (;;) {
      const lf = this.lineEnd();
      if (lf < 0) return undefined;
      const s = this.start;
      const e = lf - 1;
      const line = this.text(s, e);
      this.start = lf + 1;
      if (line === 'END') {
        const stats = this.partialStats ?? [];
        this.partialStats = null;
        return { type: 'stats', stats };
      }
      if (line.startsWith('STAT ')) {
        const sp = line.indexOf(' ', 5);
        const name = sp < 0 ? line.slice(5) : line.slice(5, sp);
        const value = sp < 0 ? '' : line.slice(sp + 1);
        (this.partialStats ??= []).push([name, value]);
        continue;
      }
      if (this.partialStats === null) {
        const err = this.errorReply(s, e);
        if (err) return err;
      }
      this.start = s;
      this.unexpected(s, e, 'STAT or END');
    }
  }

  private readMeta(): Reply | undefined {
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
    if (!META_CODES.has(code) || (e - s > 2 && b[s + 2] !== 0x20)) this.unexpected(s, e, 'a meta reply');
    if (code === 'ME') {
      this.start = lf + 1;
      return { type: 'meta', code: 'ME', flags: {}, debug: b.toString('utf8', Math.min(s + 3, e), e) };
    }
    if (code === 'VA') {
      let p = s + 3;
      let size = 0;
      let digits = 0;
      for (; p < e && b[p] !== 0x20; p++, digits++) {
        const d = b[p]! - 0x30;
        if (d < 0 || d > 9) this.unexpected(s, e, 'VA <size>');
        size = size * 10 + d;
      }
      if (digits === 0 || digits > 10) this.unexpected(s, e, 'VA <size>');
      const flags = parseMetaFlags(this.text(p, e));
      const bodyStart = lf + 1;
      if (this.end - bodyStart < size + 2) {
        this.need = bodyStart - s + size + 2;
        return undefined;
      }
      this.need = 0;
      if (b[bodyStart + size] !== CR || b[bodyStart + size + 1] !== LF)
        throw new ProtocolError('meta value not terminated by CRLF (length mismatch)');
      this.start = bodyStart + size + 2;
      return { type: 'meta', code: 'VA', flags, value: b.subarray(bodyStart, bodyStart + size) };
    }
    const flags = e - s > 3 ? parseMetaFlags(this.text(s + 3, e)) : {};
    this.start = lf + 1;
    return { type: 'meta', code: code as MetaCode, flags };
  }

  private readRaw(endToken: string | Uint8Array): Reply | undefined {
    const token = typeof endToken === 'string' ? Buffer.from(endToken, 'latin1') : endToken;
    if (token.length === 0) throw new ProtocolError('raw end token cannot be empty');
    // An error line is the whole reply whatever the end token: ERROR never ends with "END\r\n".
    const lf = this.buf.indexOf(LF, this.start);
    if (lf >= 0 && lf < this.end && lf > this.start && this.buf[lf - 1] === CR) {
      const err = this.errorReply(this.start, lf - 1);
      if (err) {
        this.start = lf + 1;
        return err;
      }
    }
    let i = this.buf.indexOf(token, this.start);
    if (i >= 0 && i + token.length > this.end) i = -1;
    if (i < 0) {
      if (this.end - this.start > MAX_RAW_LENGTH)
        throw new ProtocolError(`raw reply longer than ${MAX_RAW_LENGTH} bytes`);
      return undefined;
    }
    const stop = i + token.length;
    const bytes = this.buf.subarray(this.start, stop);
    this.start = stop;
    return { type: 'raw', bytes };
  }
}

const EXPECT_NAMES: Record<number, string> = {
  [Expect.Store]: 'STORED, NOT_STORED, EXISTS or NOT_FOUND',
  [Expect.Delete]: 'DELETED or NOT_FOUND',
  [Expect.Touch]: 'TOUCHED or NOT_FOUND',
  [Expect.Ok]: 'OK',
  [Expect.Arith]: 'a number or NOT_FOUND',
  [Expect.Version]: 'VERSION',
};
