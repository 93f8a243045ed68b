/**
 * The client-flag bits. Bits 0-4 are pymemcache's (and python-memcached's), so values written by
 * Python are read correctly and vice versa. Bits 5-15 are reserved for mc's first-party serdes and
 * codecs; bits 16-31 are free for third-party plugins (declare yours in `flagMask`).
 */
export const FLAGS = {
  /** Raw bytes (pymemcache FLAG_BYTES). */
  BYTES: 0,
  /** Python pickle (pymemcache FLAG_PICKLE). mc cannot read it. */
  PICKLE: 1 << 0,
  /** Decimal integer text (pymemcache FLAG_INTEGER). */
  INTEGER: 1 << 1,
  /** Decimal integer text, Python 2 long (pymemcache FLAG_LONG). Read as INTEGER. */
  LONG: 1 << 2,
  /** zlib-compressed (pymemcache CompressedSerde's FLAG_COMPRESSED). */
  COMPRESSED: 1 << 3,
  /** UTF-8 text (pymemcache FLAG_TEXT). */
  TEXT: 1 << 4,
  /** JSON text (mc's defaultSerde). */
  JSON: 1 << 5,
  /** MessagePack (@mc/serde-msgpack). */
  MSGPACK: 1 << 6,
  /** LZ4-compressed (@mc/serde-lz4); distinct from zlib's bit so the two are never confused. */
  LZ4: 1 << 7,
  /** First bit free for third-party plugins. */
  THIRD_PARTY_FIRST: 1 << 16,
} as const;

/** Bits reserved for mc's first-party serdes and codecs (0-15). */
export const FIRST_PARTY_MASK = 0xffff;
/** Bits third-party plugins may use (16-31). */
export const THIRD_PARTY_MASK = 0xffff0000;

/** Names the set bits of a flags value, for error messages. */
export function describeFlags(flags: number): string {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(FLAGS))
    if (bit && name !== 'THIRD_PARTY_FIRST' && flags & bit) names.push(name);
  const known = names.length ? ` (${names.join('|')})` : '';
  return `${flags} = 0x${(flags >>> 0).toString(16)}${known}`;
}
