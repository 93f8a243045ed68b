import { InvalidArgumentError } from './errors.js';
import type { MetaReplyFlags } from './replies.js';

/** Parses the flag tokens of a meta reply line (`c123 t-1 W k<key> O<opaque>` ...). */
export function parseMetaFlags(text: string): MetaReplyFlags {
  const flags: MetaReplyFlags = {};
  if (text.length === 0) return flags;
  for (const token of text.split(' ')) {
    if (token.length === 0) continue;
    const v = token.slice(1);
    switch (token.charCodeAt(0)) {
      case 0x62 /* b */:
        flags.base64 = true;
        break;
      case 0x63 /* c */:
        flags.cas = BigInt(digits(token, v));
        break;
      case 0x66 /* f */:
        flags.clientFlags = Number(digits(token, v));
        break;
      case 0x68 /* h */:
        flags.hitBefore = v === '1';
        break;
      case 0x6b /* k */:
        flags.key = v;
        break;
      case 0x6c /* l */:
        flags.lastAccess = Number(digits(token, v));
        break;
      case 0x4f /* O */:
        flags.opaque = v;
        break;
      case 0x73 /* s */:
        flags.size = Number(digits(token, v));
        break;
      case 0x74 /* t */:
        flags.ttl = v === '-1' ? -1 : Number(digits(token, v));
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
      // Flags this version does not know are ignored: newer servers may add some.
    }
  }
  return flags;
}

function digits(token: string, v: string): string {
  if (!/^\d{1,20}$/.test(v)) throw new InvalidArgumentError(`malformed meta flag ${JSON.stringify(token)}`);
  return v;
}

/** An opaque token: up to 32 printable characters without spaces (memcached's limit). */
export function checkOpaque(opaque: string): string {
  if (!/^[\x21-\x7e]{1,32}$/.test(opaque))
    throw new InvalidArgumentError(
      `opaque must be 1 to 32 printable ASCII characters without spaces, got ${JSON.stringify(opaque)}`,
    );
  return opaque;
}
