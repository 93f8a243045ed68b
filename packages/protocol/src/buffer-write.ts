import { Buffer } from 'node:buffer';

/**
 * String writes into a Buffer for the encoders' hot path. Node's Buffer has `latin1Write` and
 * `utf8Write` (what `buf.write(string, offset, encoding)` calls after checking and dispatching on its
 * arguments): calling them directly costs about a third less per short write. They are not in the
 * typings and another runtime may lack them, so they are looked up once, with `write` as fallback.
 */
interface FastWrites {
  latin1Write?: (s: string, offset: number) => number;
  utf8Write?: (s: string, offset: number) => number;
}

const proto = Buffer.prototype as unknown as FastWrites;
const hasFast = typeof proto.latin1Write === 'function' && typeof proto.utf8Write === 'function';

/** Writes `s` (each char one byte) at `offset`; returns the bytes written. */
export const writeLatin1: (target: Buffer, s: string, offset: number) => number = hasFast
  ? (target, s, offset) => (target as unknown as Required<FastWrites>).latin1Write(s, offset)
  : (target, s, offset) => target.write(s, offset, 'latin1');

/** Writes `s` as UTF-8 at `offset`; returns the bytes written. */
export const writeUtf8: (target: Buffer, s: string, offset: number) => number = hasFast
  ? (target, s, offset) => (target as unknown as Required<FastWrites>).utf8Write(s, offset)
  : (target, s, offset) => target.write(s, offset, 'utf8');
