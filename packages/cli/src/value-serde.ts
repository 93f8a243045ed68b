import type { Serde } from '@mc/serde';
import { defaultSerde, withCodec, zlibCodec } from '@mc/serde';

/** A stored item as the server holds it: the bytes and the client flags. */
export interface StoredValue {
  readonly bytes: Buffer;
  readonly flags: number;
}

/** Marks a value the CLI wants written exactly, with the given flags (`mc set --type bytes --flags N`). */
export class RawValue implements StoredValue {
  constructor(
    readonly bytes: Buffer,
    readonly flags: number,
  ) {}
}

/**
 * The serde the CLI gives its clients. Reading never decodes: it hands back bytes and flags, so the
 * CLI can show the flags and decide how to decode (or not, with --raw). Writing uses the default
 * serde, except for RawValue, which goes as it is.
 */
export const passThroughSerde: Serde = {
  specVersion: 1,
  flagMask: 0xffffffff,
  serialize(key, value) {
    if (value instanceof RawValue) return { bytes: value.bytes, flags: value.flags };
    return defaultSerde.serialize(key, value);
  },
  deserialize(_key, bytes, flags): StoredValue {
    // A copy: the client may hand out a view into its read buffer.
    return { bytes: Buffer.from(bytes), flags };
  },
};

/**
 * How values are decoded for display: the default serde (text, integers, JSON, bytes) plus zlib, so
 * values pymemcache's CompressedSerde wrote are readable too.
 */
export const displaySerde: Serde = withCodec(defaultSerde, zlibCodec());
