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
  if (end - start === 1) {
    // One key (serial gets): head and key written as they are, no joined string to build and flatten.
    let at = offset + writeLatin1(target, head, offset);
    at += utf8 ? writeUtf8(target, keys[start]!, at) : writeLatin1(target, keys[start]!, at);
    target[at] = 0x0d;
    target[at + 1] = 0x0a;
    return at + 2;
  }
  if (utf8) {
    // The line is built as one string and written once: a native write per key costs more than
    // joining the keys (measured: 100 keys, 6.9 µs written one by one, 2.5 µs joined).
    let line = head + keys[start]!;
    for (let i = start + 1; i < end; i++) line += ` ${keys[i]!}`;
    line += '\r\n';
    return offset + writeUtf8(target, line, offset);
  }
  // ASCII keys (checkKey said so): copied char by char, which makes no joined string for the
  // garbage collector (100 keys: 1.2–1.4 µs, joined 1.5–1.9 µs plus 200 string objects).
  let at = offset + writeLatin1(target, head, offset);
  for (let i = start; i < end; i++) {
    if (i !== start) target[at++] = 0x20;
    const k = keys[i]!;
    for (let j = 0; j < k.length; j++) target[at++] = k.charCodeAt(j);
  }
  target[at] = 0x0d;
  target[at + 1] = 0x0a;
  return at + 2;
}
