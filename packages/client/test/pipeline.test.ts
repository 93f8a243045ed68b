import { Expect, ProtocolError, type Reply } from '@mc/protocol';
import { describe, expect, it } from 'vitest';
import { type Pending, Pipeline } from '../src/pipeline.js';

// The request side of a connection, tested with bytes alone: no socket, no server.

function pipeline(noreplyFence: 'get' | 'mn' = 'get') {
  const noreplyErrors: Error[] = [];
  const p = new Pipeline({
    address: 'test',
    timeoutMs: 1000,
    noreplyFence,
    onNoreplyError: (e) => noreplyErrors.push(e),
  });
  return { p, noreplyErrors };
}

function request(bytes: string, expect: Expect, timeoutMs = 1000) {
  const settled: { reply?: Reply; error?: Error } = {};
  const pending: Pending = {
    bytes: Buffer.from(bytes),
    expect,
    endToken: undefined,
    deadline: Number.POSITIVE_INFINITY,
    timeoutMs,
    resolve: (reply) => {
      settled.reply = reply;
    },
    reject: (error) => {
      settled.error = error;
    },
    abandoned: false,
    fence: false,
    signal: undefined,
    onAbort: undefined,
    command: undefined,
    started: 0,
    batch: undefined,
    map: undefined,
    hint: undefined,
  };
  return { pending, settled };
}

const text = (chunks: readonly Buffer[]) => Buffer.concat(chunks).toString('latin1');

describe('Pipeline', () => {
  it('writes queued requests in order in one chunk and settles them as reply bytes arrive, split anywhere', () => {
    const { p } = pipeline();
    const a = request('get a\r\n', Expect.Values);
    const b = request('set b 0 0 1\r\nx\r\n', Expect.Store);
    const c = request('delete c\r\n', Expect.Delete);
    for (const r of [a, b, c]) p.enqueue(r.pending);
    const out = p.takeOutput(0);
    expect(out.chunks).toHaveLength(1);
    expect(text(out.chunks)).toBe('get a\r\nset b 0 0 1\r\nx\r\ndelete c\r\n');
    const replies = Buffer.from('VALUE a 0 2\r\nhi\r\nEND\r\nSTORED\r\nNOT_FOUND\r\n');
    for (let i = 0; i < replies.length; i++) p.feed(replies.subarray(i, i + 1));
    expect(a.settled.reply).toMatchObject({ type: 'values' });
    expect(b.settled.reply).toMatchObject({ type: 'status', status: 'STORED' });
    expect(c.settled.reply).toMatchObject({ type: 'status', status: 'NOT_FOUND' });
    expect(p.pendingCount).toBe(0);
  });

  it('a request queued after takeOutput is not on the wire until the next one', () => {
    const { p } = pipeline();
    const a = request('get a\r\n', Expect.Values);
    p.enqueue(a.pending);
    p.takeOutput(0);
    const b = request('get b\r\n', Expect.Values);
    p.enqueue(b.pending);
    expect(p.awaiting).toBe(true);
    // A reply for b's position cannot be matched before b was written: only a settles.
    p.feed(Buffer.from('END\r\nEND\r\n'));
    expect(a.settled.reply).toBeDefined();
    expect(b.settled.reply).toBeUndefined();
    expect(text(p.takeOutput(1).chunks)).toBe('get b\r\n');
    p.feed(Buffer.alloc(0));
    expect(b.settled.reply).toMatchObject({ type: 'values', values: [] });
  });

  it('noreply commands are followed by a fence; an error before it is reported, never given to the next request', () => {
    for (const fence of ['get', 'mn'] as const) {
      const { p, noreplyErrors } = pipeline(fence);
      p.noreply(Buffer.from('set a 0 0 1 noreply\r\nx\r\n'));
      const next = request('get a\r\n', Expect.Values);
      p.enqueue(next.pending);
      const written = text(p.takeOutput(0).chunks);
      const fenceLine = fence === 'get' ? 'get __mc_noreply_fence__\r\n' : 'mn\r\n';
      expect(written).toBe(`set a 0 0 1 noreply\r\nx\r\n${fenceLine}get a\r\n`);
      const fenceReply = fence === 'get' ? 'END\r\n' : 'MN\r\n';
      p.feed(Buffer.from(`CLIENT_ERROR bad data chunk\r\n${fenceReply}VALUE a 0 1\r\nx\r\nEND\r\n`));
      expect(noreplyErrors).toHaveLength(1);
      expect(next.settled.reply).toMatchObject({ type: 'values' });
      expect(next.settled.error).toBeUndefined();
    }
  });

  it('trailing noreply commands get their fence at takeOutput', () => {
    const { p } = pipeline();
    p.noreply(Buffer.from('delete a noreply\r\n'));
    expect(p.hasOutput).toBe(true);
    expect(text(p.takeOutput(0).chunks)).toBe('delete a noreply\r\nget __mc_noreply_fence__\r\n');
    expect(p.pendingCount).toBe(1);
    p.feed(Buffer.from('END\r\n'));
    expect(p.pendingCount).toBe(0);
  });

  it('a reply that cannot answer the head request throws ProtocolError and names it', () => {
    const { p } = pipeline();
    const a = request('get a\r\n', Expect.Values);
    p.enqueue(a.pending);
    p.takeOutput(0);
    expect(() => p.feed(Buffer.from('STORED\r\n'))).toThrow(ProtocolError);
    expect(p.current).toBe(a.pending);
    const all = p.takeAll();
    expect(all).toEqual([a.pending]);
    expect(p.pendingCount).toBe(0);
    expect(p.hasOutput).toBe(false);
  });

  it('deadlines start when the bytes are taken, and expired() names the first late request', () => {
    const { p } = pipeline();
    const a = request('get a\r\n', Expect.Values, 100);
    const b = request('get b\r\n', Expect.Values, 50);
    p.enqueue(a.pending);
    p.enqueue(b.pending);
    expect(p.expired(1e9).late).toBeUndefined(); // not sent: no deadline yet
    const { minDeadline } = p.takeOutput(1000);
    expect(minDeadline).toBe(1050);
    expect(p.expired(1049)).toEqual({ late: undefined, next: 1050 });
    expect(p.expired(1050).late).toBe(b.pending);
    p.feed(Buffer.from('END\r\n'));
    expect(p.expired(1060).late).toBe(b.pending);
    expect(p.expired(1060).next).toBe(Number.POSITIVE_INFINITY);
  });

  it('mapped requests resolve with the mapped value; error replies reject with their error', () => {
    const { p } = pipeline();
    const a = request('set a 0 0 1\r\nx\r\n', Expect.Store);
    a.pending.map = (r) => r.type === 'status' && r.status === 'STORED';
    const b = request('set b 0 0 1\r\nx\r\n', Expect.Store);
    b.pending.map = () => 'unused';
    p.enqueue(a.pending);
    p.enqueue(b.pending);
    p.takeOutput(0);
    p.feed(Buffer.from('STORED\r\nSERVER_ERROR out of memory\r\n'));
    expect(a.settled.reply).toBe(true);
    expect(b.settled.error).toMatchObject({ code: 'MC_ERR_SERVER' });
  });

  it('an abandoned request (aborted) has its reply read and dropped, keeping the stream in sync', () => {
    const { p } = pipeline();
    const a = request('get a\r\n', Expect.Values);
    const b = request('get b\r\n', Expect.Values);
    p.enqueue(a.pending);
    p.enqueue(b.pending);
    p.takeOutput(0);
    a.pending.abandoned = true;
    p.feed(Buffer.from('VALUE a 0 1\r\nx\r\nEND\r\nVALUE b 0 1\r\ny\r\nEND\r\n'));
    expect(a.settled.reply).toBeUndefined();
    expect(b.settled.reply).toMatchObject({ type: 'values', values: [{ key: 'b' }] });
  });

  it('settles requests in order across bursts: the queue is reused when all are answered, and after a burst past 4096', () => {
    const { p } = pipeline();
    for (const n of [1, 3, 5000, 2]) {
      const rs = Array.from({ length: n }, (_, i) => request(`get k${i}\r\n`, Expect.Values));
      for (const r of rs) p.enqueue(r.pending);
      expect(p.pendingCount).toBe(n);
      expect(text(p.takeOutput(0).chunks)).toBe(rs.map((_, i) => `get k${i}\r\n`).join(''));
      p.feed(Buffer.from(rs.map((_, i) => `VALUE k${i} 0 1\r\n${i % 10}\r\nEND\r\n`).join('')));
      expect(p.pendingCount).toBe(0);
      rs.forEach((r, i) => {
        expect(r.settled.reply).toMatchObject({ type: 'values', values: [{ key: `k${i}` }] });
      });
    }
  });
});
