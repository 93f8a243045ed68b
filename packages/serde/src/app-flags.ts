import { Buffer } from 'node:buffer';
import { SerdeError } from './errors.js';
import type { Serde } from './types.js';

/** Options of {@link withAppFlags}. */
export interface AppFlagsOptions {
  /**
   * The flag bits your application (or another client sharing the cache) sets itself with the
   * `flags` store option. Must not overlap the serde's own flagMask.
   */
  mask: number;
}

/**
 * A serde that also accepts items carrying your application's own flag bits, and returns their
 * bytes as they are (a Buffer), as pymemcache's deserializer does for flags it does not interpret.
 *
 * Why it is opt-in: mc's serdes refuse flags they do not know, so a value written by a plugin you do
 * not have (or a Python pickle) is an error, never garbage. When you store with an explicit `flags`
 * (pymemcache's `flags=`: it replaces the flags the serde chose), declare those bits here, and the
 * value reads back:
 *
 * ```js
 * const client = new Client(addr, { serde: withAppFlags(defaultSerde, { mask: 0x0100_0000 }) });
 * await client.set('k', Buffer.from('x'), { flags: 0x0100_0000 });
 * await client.get('k'); // <Buffer 78>
 * ```
 */
export function withAppFlags(serde: Serde, options: AppFlagsOptions): Serde {
  const mask = options.mask;
  if (!Number.isInteger(mask) || mask <= 0 || mask > 0xffffffff)
    throw new SerdeError(
      `withAppFlags: mask must be a non-zero unsigned 32-bit integer, got ${String(mask)}`,
    );
  if ((mask & serde.flagMask) !== 0)
    throw new SerdeError(
      `withAppFlags: mask 0x${(mask >>> 0).toString(16)} overlaps the serde's flagMask 0x${(serde.flagMask >>> 0).toString(16)}`,
    );
  return {
    specVersion: 1,
    flagMask: (serde.flagMask | mask) >>> 0,
    serialize: (key, value) => serde.serialize(key, value),
    deserialize(key, bytes, flags) {
      if ((flags & mask) !== 0)
        return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return serde.deserialize(key, bytes, flags);
    },
  };
}
