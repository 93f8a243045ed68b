import { Buffer } from 'node:buffer';
import { InvalidKeyError } from './errors.js';

/** memcached's limit on a key, in bytes. */
export const MAX_KEY_LENGTH = 250;

export interface KeyOptions {
  /** Accept non-ASCII keys (sent as UTF-8). Default false, as pymemcache's allow_unicode_keys. */
  allowUnicode?: boolean;
  /** Prepended to every key; counts towards the 250-byte limit. Default ''. */
  prefix?: string;
}

/**
 * Validates a key and returns its bytes (prefix included). Throws InvalidKeyError for an empty key,
 * more than 250 bytes of UTF-8, whitespace or control characters (so CR/LF injection is impossible),
 * or non-ASCII characters without allowUnicode.
 */
export function encodeKey(key: string, options?: KeyOptions): Buffer {
  const n = checkKey(key, options);
  const prefix = options?.prefix ?? '';
  const full = prefix.length === 0 ? key : prefix + key;
  return Buffer.from(full, n === full.length ? 'latin1' : 'utf8');
}

/**
 * Validates a key by the rules of encodeKey without making its bytes, and returns its length in
 * bytes, prefix included. The key is ASCII exactly when that length equals the string length of
 * prefix + key (any other character takes two bytes or more), so a caller can write it with latin1.
 */
export function checkKey(key: string, options?: KeyOptions): number {
  if (typeof key !== 'string') throw new InvalidKeyError(String(key), 'a key must be a string');
  const prefix = options?.prefix ?? '';
  const full = prefix.length === 0 ? key : prefix + key;
  if (key.length === 0) throw new InvalidKeyError(key, 'a key cannot be empty');
  let ascii = true;
  for (let i = 0; i < full.length; i++) {
    const c = full.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f)
      throw new InvalidKeyError(key, 'whitespace and control characters are not allowed');
    if (c >= 0x80) {
      ascii = false;
      // C1 controls and Unicode whitespace would be read as separators by some proxies.
      if (c <= 0x9f || c === 0x2028 || c === 0x2029 || c === 0x85 || c === 0xa0 || c === 0x3000)
        throw new InvalidKeyError(key, 'whitespace and control characters are not allowed');
    }
  }
  if (!ascii && !options?.allowUnicode)
    throw new InvalidKeyError(key, 'non-ASCII keys need allowUnicodeKeys');
  if (ascii) {
    if (full.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `longer than ${MAX_KEY_LENGTH} bytes`);
    return full.length;
  }
  const bytes = Buffer.byteLength(full, 'utf8');
  if (bytes > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `longer than ${MAX_KEY_LENGTH} bytes of UTF-8`);
  return bytes;
}

/**
 * A key for the meta protocol: binary keys, or keys that the text rules reject, are sent base64
 * encoded with the `b` flag. Returns the key token and whether `b` must be set.
 */
export function encodeMetaKey(
  key: string | Uint8Array,
  options?: KeyOptions,
): { key: Buffer; base64: boolean } {
  if (typeof key === 'string') {
    try {
      return { key: encodeKey(key, options), base64: false };
    } catch (err) {
      if (!(err instanceof InvalidKeyError) || key.length === 0) throw err;
      return encodeMetaKey(Buffer.from((options?.prefix ?? '') + key, 'utf8'));
    }
  }
  if (key.length === 0) throw new InvalidKeyError('', 'a key cannot be empty');
  if (key.length > MAX_KEY_LENGTH)
    throw new InvalidKeyError(Buffer.from(key).toString('hex'), `longer than ${MAX_KEY_LENGTH} bytes`);
  return {
    key: Buffer.from(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64'), 'latin1'),
    base64: true,
  };
}

/**
 * Checks key bytes handed to a text encoder (normally made by encodeKey): 1 to 250 bytes, none of
 * them whitespace or control characters, so a key can never inject a second command.
 */
export function checkKeyBytes(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array))
    throw new InvalidKeyError(String(key), 'an encoded key must be bytes (use encodeKey)');
  const n = key.length;
  if (n === 0) throw new InvalidKeyError('', 'a key cannot be empty');
  if (n > MAX_KEY_LENGTH)
    throw new InvalidKeyError(Buffer.from(key).toString('latin1'), `longer than ${MAX_KEY_LENGTH} bytes`);
  for (let i = 0; i < n; i++) {
    const c = key[i]!;
    if (c <= 0x20 || c === 0x7f)
      throw new InvalidKeyError(
        Buffer.from(key).toString('latin1'),
        'whitespace and control characters are not allowed',
      );
  }
  return key;
}
