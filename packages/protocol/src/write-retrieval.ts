import { writeLatin1, writeUtf8 } from './buffer-write.js';

/**
 * Bytes of `<head><k1> <k2> … <kn>\r\n` for keys whose byte lengths (prefix included, as checkKey
 * returns them) add up to `keyBytes`: for writers that reserve room before writing in place.
 */
export function retrievalSize(head: string, keyCount: number, keyBytes: number): number {
  return head.length + keyBytes + keyCount - 1 + 2;
}

/**
 * Writes a retrieval command (`get `, `gets `, `gat <exptime> `: `head`, already checked) with the
 * full keys `keys[start, end)` (prefix included, each already checked with checkKey; default all)
 * into `target` at `offset`, and returns the offset after it. Keys are written as latin1 unless
 * `utf8` (some key is not ASCII; UTF-8 of an ASCII key is the same bytes). `target` must have room
 * for retrievalSize() bytes.
 */
export function writeRetrieval(
  target: Buffer,
  offset: number,
  head: string,
  keys: readonly string[],
  utf8: boolean,
  start = 0,
  end = keys.length,
): number {
  let off = offset + writeLatin1(target, head, offset);
  for (let i = start; i < end; i++) {
    if (i > start) target[off++] = 0x20;
    off += utf8 ? writeUtf8(target, keys[i]!, off) : writeLatin1(target, keys[i]!, off);
  }
  target[off++] = 0x0d;
  target[off++] = 0x0a;
  return off;
}
