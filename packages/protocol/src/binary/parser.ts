import { InvalidArgumentError, ProtocolError } from '../errors.js';
import { DEFAULT_MAX_VALUE_LENGTH } from '../parser.js';
import { BINARY_HEADER_LENGTH, DATA_TYPE_RAW, MAGIC_RESPONSE, opcodeName } from './opcodes.js';

/** One response packet. `extras`, `key` and `value` are views into the received bytes (no copy). */
export interface BinaryResponse {
  opcode: number;
  status: number;
  opaque: number;
  cas: bigint;
  extras: Buffer;
  key: Buffer;
  value: Buffer;
}

export interface BinaryResponseParserOptions {
  /**
   * Largest value accepted, in bytes (the body minus extras and key); a larger announced size is a
   * ProtocolError as soon as the header is read, before anything is buffered for it.
   * Default 1 GiB, memcached's largest item size, as the text parser's maxValueLength.
   */
  maxValueLength?: number;
}

/** memcached's key limit; a response announcing a longer key is not memcached's. */
const MAX_KEY = 250;
const EMPTY = Buffer.alloc(0);

/**
 * Incremental parser of binary responses. push() chunks as they arrive, in any fragmentation; read()
 * returns the next complete packet or undefined when more bytes are needed. A header that cannot be
 * memcached's (wrong magic, unknown data type, lengths that do not add up, a value past
 * maxValueLength) throws ProtocolError: the caller must discard the connection (and may reset()).
 * Statuses are not interpreted here: see binaryStatusError.
 *
 * Memory: chunks are queued as they came (push never copies). A packet inside one chunk is returned
 * as views into it; only a packet that straddles chunks is joined, into one buffer of its exact size,
 * so a large value arriving in many chunks is copied once. Bytes handed out are never written again.
 */
export class BinaryResponseParser {
  private chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  /** Bytes buffered past offset, over all chunks. */
  private available = 0;
  private readonly maxValueLength: number;
  /** Header of the packet being waited for, already checked (so a big value is checked once). */
  private header: Buffer | undefined;
  private bodyLength = 0;

  constructor(options: BinaryResponseParserOptions = {}) {
    const max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
    if (!Number.isSafeInteger(max) || max < 0)
      throw new InvalidArgumentError(`maxValueLength must be a non-negative integer, got ${String(max)}`);
    this.maxValueLength = max;
  }

  /** Bytes received and not yet returned in a packet. */
  get bufferedBytes(): number {
    return this.available;
  }

  /** Adds received bytes. The parser keeps a reference to the chunk: do not write into it afterwards. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n));
    this.available += n;
  }

  /** Drops everything buffered and any half-read packet. */
  reset(): void {
    this.chunks = [];
    this.offset = this.available = this.bodyLength = 0;
    this.header = undefined;
  }

  /** The next complete response, or undefined when more bytes are needed. */
  read(): BinaryResponse | undefined {
    let header = this.header;
    if (header === undefined) {
      if (this.available < BINARY_HEADER_LENGTH) return undefined;
      header = this.peek(BINARY_HEADER_LENGTH);
      this.bodyLength = this.check(header);
      this.header = header;
    }
    const total = BINARY_HEADER_LENGTH + this.bodyLength;
    if (this.available < total) return undefined;
    const packet = this.take(total);
    this.header = undefined;
    const extrasLength = packet[4]!;
    const keyLength = packet.readUInt16BE(2);
    const keyAt = BINARY_HEADER_LENGTH + extrasLength;
    const valueAt = keyAt + keyLength;
    return {
      opcode: packet[1]!,
      status: packet.readUInt16BE(6),
      opaque: packet.readUInt32BE(12),
      cas: readCas(packet),
      extras: extrasLength === 0 ? EMPTY : packet.subarray(BINARY_HEADER_LENGTH, keyAt),
      key: keyLength === 0 ? EMPTY : packet.subarray(keyAt, valueAt),
      value: valueAt === total ? EMPTY : packet.subarray(valueAt, total),
    };
  }

  /** Checks a header and returns its body length. */
  private check(h: Buffer): number {
    if (h[0] !== MAGIC_RESPONSE)
      throw new ProtocolError(
        `expected a binary response (magic 0x81), got byte 0x${h[0]!.toString(16).padStart(2, '0')}`,
      );
    if (h[5] !== DATA_TYPE_RAW)
      throw new ProtocolError(`unknown data type 0x${h[5]!.toString(16)} in a ${opcodeName(h[1]!)} response`);
    const keyLength = h.readUInt16BE(2);
    const extrasLength = h[4]!;
    const bodyLength = h.readUInt32BE(8);
    if (keyLength > MAX_KEY)
      throw new ProtocolError(`a ${opcodeName(h[1]!)} response announces a key of ${keyLength} bytes`);
    if (extrasLength + keyLength > bodyLength)
      throw new ProtocolError(
        `a ${opcodeName(h[1]!)} response has extras (${extrasLength}) and key (${keyLength}) longer than its body (${bodyLength})`,
      );
    if (bodyLength - extrasLength - keyLength > this.maxValueLength)
      throw new ProtocolError(
        `a ${opcodeName(h[1]!)} response announces a value of ${bodyLength - extrasLength - keyLength} bytes, past maxValueLength ${this.maxValueLength}`,
      );
    return bodyLength;
  }

  /** The next n bytes without consuming them (a view when they lie in one chunk; n is small). */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let at = this.offset;
    for (let i = 0; filled < n; i++) {
      const c = this.chunks[i]!;
      const m = Math.min(c.length - at, n - filled);
      c.copy(out, filled, at, at + m);
      filled += m;
      at = 0;
    }
    return out;
  }

  /** Consumes n bytes (n ≤ available): a view into one chunk, or a joined copy when they straddle. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    const inFirst = first.length - this.offset;
    this.available -= n;
    if (inFirst >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) this.dropFirst();
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const m = Math.min(c.length - this.offset, n - filled);
      c.copy(out, filled, this.offset, this.offset + m);
      filled += m;
      this.offset += m;
      if (this.offset === c.length) this.dropFirst();
    }
    return out;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.offset = 0;
  }
}

function readCas(packet: Buffer): bigint {
  const hi = packet.readUInt32BE(16);
  const lo = packet.readUInt32BE(20);
  // Most replies carry no token, and small tokens skip the 64-bit read.
  if (hi === 0) return lo === 0 ? 0n : BigInt(lo);
  return packet.readBigUInt64BE(16);
}
