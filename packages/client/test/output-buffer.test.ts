import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../src/output-buffer.js';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
const joined = (chunks: Buffer[]) => Buffer.concat(chunks);

describe('OutputBuffer', () => {
  it('a tick of small requests leaves as one chunk, also when the slab had to grow', () => {
    const out = new OutputBuffer();
    const sent: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const b = bytes(1000, i);
      out.push(b);
      sent.push(b);
    }
    const chunks = out.take();
    expect(chunks).toHaveLength(1);
    expect(joined(chunks).equals(joined(sent))).toBe(true);
    expect(out.isEmpty).toBe(true);
  });

  it('bytes taken are never written over until rewind(), and order is kept across large chunks', () => {
    const out = new OutputBuffer();
    out.push(bytes(10, 1));
    const first = out.take();
    const copy = Buffer.from(first[0]!);
    // Not rewound: the socket may still hold `first`.
    out.push(bytes(10, 2));
    out.push(bytes(20_000, 3)); // large: passed through as its own chunk
    out.push(bytes(10, 4));
    expect(first[0]!.equals(copy)).toBe(true);
    const second = out.take();
    expect(second.map((c) => c[0])).toEqual([2, 3, 4]);
    expect(joined(second).length).toBe(20_020);
  });

  it('rewind() reuses the slab from its start, and only when nothing is queued', () => {
    const out = new OutputBuffer();
    out.push(bytes(10, 1));
    const [a] = out.take();
    out.rewind();
    out.push(bytes(10, 2));
    const [b] = out.take();
    expect(b!.buffer).toBe(a!.buffer);
    expect(b!.byteOffset).toBe(a!.byteOffset);
    expect(a![0]).toBe(2); // the same memory, written again
    out.push(bytes(5, 3));
    out.rewind(); // something queued: ignored
    expect(joined(out.take())).toEqual(bytes(5, 3));
  });

  it('in-place writes: reserve() then commit(), kept in order with pushed bytes', () => {
    const out = new OutputBuffer();
    out.push(Buffer.from('get a\r\n'));
    const offset = out.reserve(7);
    const end = offset + out.target.write('get b\r\n', offset, 'latin1');
    out.commit(end);
    const at = out.reserve(16_000); // past the first slab's room: a new slab, the queued bytes move with it
    out.target.fill(0x78, at, at + 3);
    out.commit(at + 3);
    const chunks = out.take();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.toString('latin1')).toBe('get a\r\nget b\r\nxxx');
  });

  it('a large request reserved in place gets a buffer of its own, as its own chunk, in order', () => {
    const out = new OutputBuffer();
    out.push(Buffer.from('a'));
    const at = out.reserve(20_000);
    expect(at).toBe(0);
    out.target.fill(0x62, at, at + 20_000);
    out.commit(at + 20_000);
    out.push(Buffer.from('c'));
    const chunks = out.take();
    expect(chunks.map((c) => [c[0], c.length])).toEqual([
      [0x61, 1],
      [0x62, 20_000],
      [0x63, 1],
    ]);
  });

  it('takeOne() gives the one slab chunk, and defers to take() when a large request is queued', () => {
    const out = new OutputBuffer();
    expect(out.takeOne()).toBeUndefined();
    out.push(bytes(10, 1));
    expect(out.takeOne()).toEqual(bytes(10, 1));
    expect(out.isEmpty).toBe(true);
    out.push(bytes(10, 2));
    out.push(bytes(20_000, 3));
    expect(out.takeOne()).toBeUndefined();
    expect(out.take().map((c) => c.length)).toEqual([10, 20_000]);
  });

  it('clear() drops what is queued', () => {
    const out = new OutputBuffer();
    out.push(bytes(10, 1));
    out.push(bytes(20_000, 2));
    out.clear();
    expect(out.isEmpty).toBe(true);
    expect(out.take()).toEqual([]);
  });
});
