import { createHash } from 'node:crypto';

/** memcached's limit on a key, in bytes (the client's keyPrefix counts towards it). */
export const MEMCACHED_MAX_KEY_LENGTH = 250;

/**
 * Starts a hashed key. Escaping writes '%' only before two hex digits, so no escaped key contains
 * '%h' and a hashed key can never equal an escaped one.
 */
export const HASH_MARK = '%h';

/** Length of a hashed key: the mark and a base64url SHA-256 (43 characters). */
export const HASHED_KEY_LENGTH = HASH_MARK.length + 43;

const COLON = 0x3a;

/** A byte a memcached key may hold as it is: printable ASCII except '%' (the escape) and, where asked, ':'. */
function isPlain(code: number, escapeColon: boolean): boolean {
  return code > 0x20 && code < 0x7f && code !== 0x25 && !(escapeColon && code === COLON);
}

/**
 * Escapes one part of a key so memcached accepts it: every byte of its UTF-8 that is not printable
 * ASCII (space, control bytes, DEL, non-ASCII) and '%' itself become `%XX` (and ':' too with
 * `escapeColon`, used for namespaces so that the first ':' of a stored key always ends the
 * namespace). Reversible with {@link unescapeKeyPart}. Returns undefined for a string with lone
 * surrogates, which UTF-8 cannot carry: such keys are hashed instead.
 */
export function escapeKeyPart(part: string, escapeColon = false): string | undefined {
  let plain = true;
  for (let i = 0; i < part.length; i++) {
    if (!isPlain(part.charCodeAt(i), escapeColon)) {
      plain = false;
      break;
    }
  }
  if (plain) return part;
  const bytes = Buffer.from(part, 'utf8');
  // A lone surrogate becomes U+FFFD: two different keys would share one escape.
  if (bytes.toString('utf8') !== part) return undefined;
  let out = '';
  for (const byte of bytes) {
    out += isPlain(byte, escapeColon)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of {@link escapeKeyPart}. */
export function unescapeKeyPart(escaped: string): string {
  if (!escaped.includes('%')) return escaped;
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(Number.parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `%h` + base64url(SHA-256(bytes)): 45 bytes of printable ASCII. */
export function hashKey(bytes: Buffer): string {
  return HASH_MARK + createHash('sha256').update(bytes).digest('base64url');
}

/**
 * The memcached key of one Keyv key: `<namespace>:<generation>:<key>`, each part escaped (the
 * namespace with ':' escaped too), at most `maxLength` bytes. A longer key, or one with a lone
 * surrogate, is hashed (`%h<sha256>`): not reversible, still distinct from every other key.
 */
export function dataKey(namespace: string, generation: string, key: string, maxLength: number): string {
  const ns = escapeKeyPart(namespace, true);
  const gen = escapeKeyPart(generation, true);
  const k = escapeKeyPart(key);
  if (ns === undefined || gen === undefined || k === undefined) {
    // Escaped keys are ASCII; this input is UTF-16 with a NUL-free tag, so it cannot hash the same.
    return hashKey(Buffer.from(`u16\u0000${namespace}\u0000${generation}\u0000${key}`, 'utf16le'));
  }
  const wire = `${ns}:${gen}:${k}`;
  // Escaped keys are ASCII: length is the byte length.
  return wire.length <= maxLength ? wire : hashKey(Buffer.from(wire, 'latin1'));
}

/**
 * The key holding a namespace's generation: `<namespace>:%gen`. It has one ':' where data keys have
 * two or more, so it can never be a data key.
 */
export function generationKey(namespace: string, maxLength: number): string {
  const ns = escapeKeyPart(namespace, true);
  if (ns === undefined) return hashKey(Buffer.from(`u16gen\u0000${namespace}`, 'utf16le'));
  const wire = `${ns}:%gen`;
  return wire.length <= maxLength ? wire : hashKey(Buffer.from(wire, 'latin1'));
}
