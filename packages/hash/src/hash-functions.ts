import { createHash } from 'node:crypto';

/*
 * The hash functions the placement algorithms need, each bit-exact with the implementation it
 * mirrors. All return unsigned 32-bit integers.
 */

/** MD5 of `data`, 4 bytes taken little-endian at `alignment * 4` (libmemcached's ketama_server_hash). */
export function md5Word(data: Uint8Array | string, alignment = 0): number {
  const d = createHash('md5').update(data).digest();
  return d.readUInt32LE(alignment * 4);
}

/** All four little-endian words of the MD5 of `data`. */
export function md5Words(data: Uint8Array | string): [number, number, number, number] {
  const d = createHash('md5').update(data).digest();
  return [d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12)];
}

/** Bob Jenkins' one-at-a-time hash as libmemcached computes it: chars are signed on x86, so bytes >= 0x80 are sign-extended. */
export function oneAtATime(data: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    v = (v + (b >= 0x80 ? (b | 0xffffff00) >>> 0 : b)) >>> 0;
    v = (v + (v << 10)) >>> 0;
    v = (v ^ (v >>> 6)) >>> 0;
  }
  v = (v + (v << 3)) >>> 0;
  v = (v ^ (v >>> 11)) >>> 0;
  v = (v + (v << 15)) >>> 0;
  return v;
}

/**
 * twemproxy's fnv1a_64: despite the name it runs in 32 bits, with the 64-bit offset basis and prime
 * truncated to their low 32 bits, and signed chars (sign-extended bytes).
 */
export function fnv1a64Twemproxy(data: Uint8Array): number {
  let h = 0x84222325; // (uint32_t) 0xcbf29ce484222325
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    h = (h ^ (b >= 0x80 ? (b | 0xffffff00) >>> 0 : b)) >>> 0;
    h = Math.imul(h, 0x1b3) >>> 0; // (uint32_t) 0x100000001b3
  }
  return h;
}

/**
 * MurmurHash3 x86_32 over a sequence of byte values, as pymemcache's pure-Python murmur3_32 computes
 * it over a str: one "byte" per code point (its low 8 bits), so non-ASCII keys hash code points, not UTF-8.
 */
export function murmur3_32(bytes: ArrayLike<number>, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = bytes.length;
  let h = seed >>> 0;
  const rounded = len & ~3;
  for (let i = 0; i < rounded; i += 4) {
    let k =
      (bytes[i]! & 0xff) |
      ((bytes[i + 1]! & 0xff) << 8) |
      ((bytes[i + 2]! & 0xff) << 16) |
      ((bytes[i + 3]! & 0xff) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = len & 3;
  if (tail === 3) k ^= (bytes[rounded + 2]! & 0xff) << 16;
  if (tail >= 2) k ^= (bytes[rounded + 1]! & 0xff) << 8;
  if (tail >= 1) {
    k ^= bytes[rounded]! & 0xff;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The code points of a string (what Python iterates over), for murmur3_32. */
export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/** memjs's hashCode (Java's String.hashCode over UTF-16 code units, then Math.abs). */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (31 * h + s.charCodeAt(i)) << 0;
  return Math.abs(h);
}
