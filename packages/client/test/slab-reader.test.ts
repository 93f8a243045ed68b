import { describe, expect, it } from 'vitest';
import { slabReader } from '../src/slab-reader.js';

/** A sink that records what it is told, with a direct target handed out while `target` is set. */
function recordingSink() {
  const sink = {
    target: undefined as Buffer | undefined,
    /** What missing() answers: bytes of a large value still to come (0: none). */
    missing: 0,
    chunks: [] as Buffer[],
    wrote: [] as number[],
  };
  const reader = slabReader({
    target: (minBytes) =>
      sink.target !== undefined && sink.target.length >= minBytes ? sink.target : undefined,
    missing: () => sink.missing,
    wrote: (n) => {
      sink.wrote.push(n);
    },
    chunk: (bytes) => {
      sink.chunks.push(bytes);
    },
  });
  /** Simulates one socket read of `bytes` into the buffer the reader hands out. */
  const read = (bytes: Buffer): Buffer => {
    const into = reader.buffer();
    const n = bytes.copy(into);
    reader.callback(n, into);
    return into;
  };
  return { sink, reader, read };
}

describe('slabReader', () => {
  it('reads into one slab, each chunk after the last, never over bytes handed out', () => {
    const { sink, reader, read } = recordingSink();
    const first = reader.buffer();
    expect(first.length).toBe(64 * 1024);
    read(Buffer.from('END\r\n'));
    read(Buffer.from('STORED\r\n'));
    expect(sink.chunks.map((c) => c.toString())).toEqual(['END\r\n', 'STORED\r\n']);
    // The two chunks are neighbours in the same slab: the second did not overwrite the first.
    expect(sink.chunks[1]!.buffer).toBe(sink.chunks[0]!.buffer);
    expect(sink.chunks[1]!.byteOffset).toBe(sink.chunks[0]!.byteOffset + 5);
    expect(reader.buffer().length).toBe(64 * 1024 - 13);
  });

  it('a slab with less than 8 KiB free is replaced, and the old bytes stay as they were', () => {
    const { sink, reader, read } = recordingSink();
    read(Buffer.alloc(60 * 1024, 1));
    const next = reader.buffer();
    expect(next.length).toBe(64 * 1024);
    expect(next.buffer).not.toBe(sink.chunks[0]!.buffer);
    next.fill(2);
    expect(sink.chunks[0]!.every((b) => b === 1)).toBe(true);
  });

  it('reads the rest of a large value in place, then probes with a short read before the next one', () => {
    const { sink, reader } = recordingSink();
    const assembly = Buffer.alloc(100 * 1024);
    sink.target = assembly.subarray(1000);
    const direct = reader.buffer();
    expect(direct).toBe(sink.target);
    reader.callback(20_000, direct);
    expect(sink.wrote).toEqual([20_000]);
    expect(sink.chunks).toEqual([]);
    // The value is complete: the next read goes to the slab, but only 2 KiB of it, so that a large
    // value following is read in place from its first KiB instead of through a full slab read.
    sink.target = undefined;
    const probe = reader.buffer();
    expect(probe.length).toBe(2 * 1024);
    reader.callback(Buffer.from('END\r\n').copy(probe), probe);
    expect(sink.chunks.map((c) => c.toString())).toEqual(['END\r\n']);
    // The probe did not fill: that was all the server had sent, and the next large value's header
    // may come next, so the next read is short too.
    const again = reader.buffer();
    expect(again.length).toBe(2 * 1024);
    // A probe that fills means a stream of replies: reads are full slab reads again.
    reader.callback(again.length, again);
    expect(reader.buffer().length).toBe(64 * 1024 - 5 - 2 * 1024);
  });

  it('reads the rest of a large value too short to read in place with only 2 KiB more', () => {
    const { sink, reader } = recordingSink();
    sink.missing = 10_000;
    const tail = reader.buffer();
    expect(tail.length).toBe(10_000 + 2 * 1024);
    // It filled: replies are streaming, the next read is a full one.
    reader.callback(tail.length, tail);
    sink.missing = 0;
    expect(reader.buffer().length).toBe(64 * 1024 - tail.length);
    // A tail read that did not fill is followed by a probe.
    sink.missing = 3000;
    const short = reader.buffer();
    expect(short.length).toBe(3000 + 2 * 1024);
    reader.callback(3005, short);
    sink.missing = 0;
    expect(reader.buffer().length).toBe(2 * 1024);
  });

  it('never offers more than the slab has free for the rest of a large value', () => {
    const { sink, reader, read } = recordingSink();
    read(Buffer.alloc(50 * 1024, 1));
    sink.missing = 15_000;
    expect(reader.buffer().length).toBe(64 * 1024 - 50 * 1024);
  });

  it('a target shorter than 16 KiB is not read into (the slab read is cheaper)', () => {
    const { sink, reader } = recordingSink();
    sink.target = Buffer.alloc(16 * 1024 - 1);
    expect(reader.buffer()).not.toBe(sink.target);
    expect(reader.buffer().length).toBe(64 * 1024);
  });
});
