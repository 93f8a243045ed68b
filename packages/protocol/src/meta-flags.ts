import { Buffer } from 'node:buffer';
import { InvalidArgumentError, ProtocolError } from './errors.js';
import type { MetaReplyFlags } from './replies.js';

const SPACE = 0x20;
const MAX_U64 = (1n << 64n) - 1n;

/**
 * Parses the flag tokens of a meta reply line (`c123 t-1 W k<key> O<opaque>` ...) held in
 * buf[from, to). Malformed numbers throw ProtocolError: the bytes cannot be memcached's reply.
 * Flags this version does not know are skipped, since newer servers may add some.
 */
export function parseMetaFlagsAt(buf: Buffer, from: number, to: number): MetaReplyFlags {
  const flags: MetaReplyFlags = {};
  let p = from;
  while (p < to) {
    if (buf[p] === SPACE) {
      p++;
      continue;
    }
    const flag = buf[p]!;
    let q = p + 1;
    while (q < to && buf[q] !== SPACE) q++;
    // The token's argument is buf[p + 1, q).
    switch (flag) {
      case 0x62 /* b */:
        flags.base64 = true;
        break;
      case 0x63 /* c */:
        flags.cas = bigDigits(buf, p, q);
        break;
      case 0x66 /* f */:
        {
          const n = smallDigits(buf, p, q);
          if (n > 0xffffffff) bad(buf, p, q);
          flags.clientFlags = n;
          break;
        }
      case 0x68 /* h */:
        if (q - p !== 2 || (buf[p + 1] !== 0x30 && buf[p + 1] !== 0x31)) bad(buf, p, q);
        flags.hitBefore = buf[p + 1] === 0x31;
        break;
      case 0x6b /* k */:
        // UTF-8: keys may be non-ASCII with allowUnicode (base64 ones are ASCII anyway).
        flags.key = buf.toString('utf8', p + 1, q);
        break;
      case 0x6c /* l */:
        flags.lastAccess = smallDigits(buf, p, q);
        break;
      case 0x4f /* O */:
        flags.opaque = latin1(buf, p + 1, q);
        break;
      case 0x73 /* s */:
        flags.size = smallDigits(buf, p, q);
        break;
      case 0x74 /* t */:
        flags.ttl = q - p === 3 && buf[p + 1] === 0x2d && buf[p + 2] === 0x31 ? -1 : smallDigits(buf, p, q);
        break;
      case 0x57 /* W */:
        flags.won = true;
        break;
      case 0x58 /* X */:
        flags.stale = true;
        break;
      case 0x5a /* Z */:
        flags.alreadyWon = true;
        break;
      default:
    }
    p = q;
  }
  return flags;
}

/** parseMetaFlagsAt on a string of flag tokens. */
export function parseMetaFlags(text: string): MetaReplyFlags {
  const bytes = Buffer.from(text, 'latin1');
  return parseMetaFlagsAt(bytes, 0, bytes.length);
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

function bad(buf: Uint8Array, p: number, q: number): never {
  throw new ProtocolError(`malformed meta flag ${JSON.stringify(latin1(buf, p, Math.min(q, p + 40)))}`);
}

/** The decimal argument of the token at buf[p, q), as a number (at most 15 digits: always exact). */
function smallDigits(buf: Uint8Array, p: number, q: number): number {
  if (q - p < 2 || q - p > 16) bad(buf, p, q);
  let n = 0;
  for (let i = p + 1; i < q; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) bad(buf, p, q);
    n = n * 10 + d;
  }
  return n;
}

/** The decimal argument of the token at buf[p, q), as an unsigned 64-bit bigint. */
function bigDigits(buf: Uint8Array, p: number, q: number): bigint {
  if (q - p <= 16) return BigInt(smallDigits(buf, p, q));
  if (q - p > 21) bad(buf, p, q);
  const text = latin1(buf, p + 1, q);
  if (!/^\d+$/.test(text)) bad(buf, p, q);
  const n = BigInt(text);
  if (n > MAX_U64) bad(buf, p, q);
  return n;
}

/** An opaque token: up to 32 printable characters without spaces (memcached's limit). */
export function checkOpaque(opaque: string): string {
  if (typeof opaque !== 'string' || !/^[\x21-\x7e]{1,32}$/.test(opaque))
    throw new InvalidArgumentError(
      `opaque must be 1 to 32 printable ASCII characters without spaces, got ${JSON.stringify(opaque)}`,
    );
  return opaque;
}
