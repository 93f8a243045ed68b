import { Buffer } from 'node:buffer';

/**
 * How a plain (non-TLS) socket reads: into slices of a 64 KiB slab through net's `onread`, and the
 * rest of a large value straight into the buffer it is assembled in.
 *
 * Why: with 'data' events every read allocates a 64 KiB buffer, shrinks it to what was read and
 * goes through the Readable stream machinery; a slab costs one allocation per 64 KiB received, and
 * a value read in place is copied once less. Measured with bench/local/ab.mjs on the raw baseline:
 * about 1.4 µs less client CPU per serial get, 100 KiB gets ~1.4× the rate, 16 MiB gets ~1.2×.
 *
 * The cost: received values are views of the slab, so a small Buffer value kept for long keeps its
 * 64 KiB slab alive (the client README says so; copy such a value with Buffer.from).
 */

/** Size of each read slab. */
const SLAB_BYTES = 64 * 1024;
/** A slab with less free space than this is replaced rather than read into. */
const SLAB_MIN_FREE = 8 * 1024;
/** The rest of a value is read in place only when at least this much of it is missing. */
const DIRECT_MIN_BYTES = 16 * 1024;
/**
 * After a value read in place, the next read into the slab is at most this long: enough for the end
 * of that reply and the next VALUE header (at most ~300 bytes), so when another large value follows
 * (values of one size tend to come together) its body is read in place from its first KiB, instead of
 * arriving in a full slab read and being copied out of it. Costs at most one read per large value.
 */
const PROBE_BYTES = 2 * 1024;

/** Where a slab reader puts what it reads. */
export interface ReadSink {
  /** A place to read the next bytes into directly, at least `minBytes` long, or undefined. */
  target(minBytes: number): Buffer | undefined;
  /**
   * Bytes still missing of a value of at least `minSize` bytes being assembled (its header read), or
   * 0: the rest of such a value, when too short for target(), is read into the slab with only
   * PROBE_BYTES more.
   */
  missing(minSize: number): number;
  /**
   * `n` bytes were read into the last target(). `full`: the read filled the buffer it was given, so
   * libuv reads again at once and more of the reply is probably waiting (see Connection.moreToRead).
   */
  wrote(n: number, full: boolean): void;
  /** Bytes read into the slab: a view whose bytes are never written again. `full`: as for wrote(). */
  chunk(bytes: Buffer, full: boolean): void;
}

/** The `onread` option of net.connect for one socket, delivering to `sink`. */
export function slabReader(sink: ReadSink): {
  buffer: () => Buffer;
  callback: (n: number, buf: Uint8Array) => boolean;
} {
  let slab = Buffer.allocUnsafe(SLAB_BYTES);
  let used = 0;
  // Whether the buffer handed out last was sink.target() (else a slice of the slab).
  let direct = false;
  // Whether the next slab read is a short one (PROBE_BYTES): after a read into sink.target(), and
  // after a short read that did not fill its buffer.
  let probe = false;
  // Length of the buffer handed out last: a read of that many bytes filled it.
  let offered = 0;
  return {
    buffer(): Buffer {
      const target = sink.target(DIRECT_MIN_BYTES);
      if (target !== undefined) {
        direct = true;
        offered = target.length;
        return target;
      }
      direct = false;
      // Bytes already read stay where they are (values are views of them): a full slab is replaced.
      if (SLAB_BYTES - used < SLAB_MIN_FREE) {
        slab = Buffer.allocUnsafe(SLAB_BYTES);
        used = 0;
      }
      if (probe) {
        probe = false;
        offered = PROBE_BYTES;
        return slab.subarray(used, used + PROBE_BYTES);
      }
      const missing = sink.missing(DIRECT_MIN_BYTES);
      if (missing > 0) {
        offered = Math.min(SLAB_BYTES - used, missing + PROBE_BYTES);
        return slab.subarray(used, used + offered);
      }
      offered = SLAB_BYTES - used;
      return slab.subarray(used);
    },
    callback(n: number, buf: Uint8Array): boolean {
      if (direct) {
        probe = true;
        sink.wrote(n, n === offered);
      } else {
        // A short read (less than the slab had free: a probe, or the rest of a large value) that
        // did not fill: what the server had sent ends here, and a large value's header may come
        // next; its first bytes should not arrive in a full slab read either.
        if (n < offered && offered < SLAB_BYTES - used) probe = true;
        used += n;
        sink.chunk((buf as Buffer).subarray(0, n), n === offered);
      }
      return true;
    },
  };
}
