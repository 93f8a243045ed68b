import { isUtf8 } from 'node:buffer';

/**
 * Text as Python's pickle stores it. Python encodes str with UTF-8 and 'surrogatepass', so a lone
 * surrogate (legal in both Python and JavaScript strings) is stored as its 3-byte form instead of
 * being replaced. Node's own UTF-8 codec replaces it with U+FFFD, so these helpers handle that case
 * by hand and leave every well-formed string to Node.
 */

/**
 * Recently decoded short ASCII strings, by a hash of their bytes. Dict keys repeat from value to
 * value; handing back the same string object saves building it and lets V8 skip re-internalizing
 * it when it becomes a property name. A slot holds one string and is checked byte for byte.
 */
const SHORT_CACHE_SIZE = 1024;
const SHORT_MAX = 32;
const shortCache: (string | undefined)[] = new Array(SHORT_CACHE_SIZE).fill(undefined);

/** Decodes UTF-8 allowing encoded surrogates (Python's 'surrogatepass'); undefined if invalid. */
export function decodeUtf8(buf: Buffer, start: number, end: number): string | undefined {
  const n = end - start;
  if (n <= SHORT_MAX) {
    let hash = n;
    let i = start;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) break;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    if (i === end) {
      const slot = hash & (SHORT_CACHE_SIZE - 1);
      const cached = shortCache[slot];
      if (cached !== undefined && cached.length === n) {
        let same = true;
        for (let k = 0; k < n; k++)
          if (cached.charCodeAt(k) !== buf[start + k]) {
            same = false;
            break;
          }
        if (same) return cached;
      }
      const text = buf.toString('latin1', start, end);
      shortCache[slot] = text;
      return text;
    }
  }
  const slice = buf.subarray(start, end);
  if (isUtf8(slice)) return slice.toString('utf8');
  return decodeUtf8SurrogatePass(slice);
}

function decodeUtf8SurrogatePass(b: Buffer): string | undefined {
  const units: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      units.push(c);
      i += 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      const c1 = cont(b, i + 1);
      if (c1 < 0) return undefined;
      units.push(((c & 0x1f) << 6) | c1);
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const c1 = cont(b, i + 1);
      const c2 = cont(b, i + 2);
      if (c1 < 0 || c2 < 0) return undefined;
      const cp = ((c & 0x0f) << 12) | (c1 << 6) | c2;
      if (cp < 0x800) return undefined; // overlong; surrogates (0xd800-0xdfff) are allowed here
      units.push(cp);
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const c1 = cont(b, i + 1);
      const c2 = cont(b, i + 2);
      const c3 = cont(b, i + 3);
      if (c1 < 0 || c2 < 0 || c3 < 0) return undefined;
      const cp = ((c & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
      if (cp < 0x10000 || cp > 0x10ffff) return undefined;
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      i += 4;
    } else return undefined;
  }
  let out = '';
  for (let k = 0; k < units.length; k += 8192) out += String.fromCharCode(...units.slice(k, k + 8192));
  return out;
}

function cont(b: Buffer, i: number): number {
  const c = b[i];
  return c !== undefined && (c & 0xc0) === 0x80 ? c & 0x3f : -1;
}

/** True when the string has no lone surrogate (String.prototype.isWellFormed, Node 20+). */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** UTF-8 with 'surrogatepass' for a string that has lone surrogates; same length as Buffer.byteLength. */
export function encodeUtf8SurrogatePass(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Buffer.from(out);
}

/**
 * Python's 'raw-unicode-escape' decoding (opcode UNICODE, protocol 0): bytes are Latin-1 code
 * points, except \uXXXX and \UXXXXXXXX after an odd number of backslashes. undefined if malformed.
 */
export function decodeRawUnicodeEscape(b: Buffer): string | undefined {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let run = 0;
    while (i < b.length && b[i] === 0x5c) {
      run++;
      i++;
    }
    const next = b[i];
    if (run % 2 === 0 || (next !== 0x75 && next !== 0x55)) {
      out += '\\'.repeat(run);
      continue;
    }
    out += '\\'.repeat(run - 1);
    const digits = next === 0x75 ? 4 : 8;
    const hex = b.toString('latin1', i + 1, i + 1 + digits);
    if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
    const cp = Number.parseInt(hex, 16);
    if (cp > 0x10ffff) return undefined;
    out += String.fromCodePoint(cp);
    i += 1 + digits;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
};

/**
 * The body of a Python 2 str repr (opcode STRING), as codecs.escape_decode reads it: \\ \' \" \a \b
 * \f \n \r \t \v, \<newline>, octal \ooo, \xhh; an unknown escape is kept with its backslash.
 * undefined if malformed (a \x without two hex digits, a trailing backslash).
 */
export function decodeEscapes(b: Buffer): Buffer | undefined {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c !== 0x5c) {
      out.push(c);
      i++;
      continue;
    }
    const n = b[i + 1];
    if (n === undefined) return undefined;
    const ch = String.fromCharCode(n);
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out.push(simple);
      i += 2;
    } else if (n === 0x0a) {
      i += 2;
    } else if (n >= 0x30 && n <= 0x37) {
      let j = i + 1;
      let v = 0;
      while (j < b.length && j < i + 4 && (b[j] as number) >= 0x30 && (b[j] as number) <= 0x37)
        v = v * 8 + ((b[j++] as number) - 0x30);
      out.push(v & 0xff);
      i = j;
    } else if (n === 0x78) {
      const hex = b.toString('latin1', i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out.push(Number.parseInt(hex, 16));
      i += 4;
    } else {
      out.push(0x5c, n);
      i += 2;
    }
  }
  return Buffer.from(out);
}
