/**
 * The serialization interface. Version 1.
 *
 * A Serde turns an application value into the bytes and the 32-bit client flags memcached stores
 * with an item, and back. Both directions are synchronous: they sit on the hot path of every request.
 */
export interface Serde {
  /** Interface version this serde implements. Today always 1. Lets the interface evolve without breaking plugins. */
  readonly specVersion: 1;
  /**
   * The flag bits this serde may set or read. checkSerde verifies serialize() stays inside them, and
   * deserialize() must reject any flags with bits outside them with a SerdeError.
   */
  readonly flagMask: number;
  /** Turns a value into bytes and flags. Throws SerdeError for a value it cannot represent. */
  serialize(key: string, value: unknown): SerializedValue;
  /** Turns stored bytes and flags back into a value. Throws SerdeError for flags it does not know. */
  deserialize(key: string, bytes: Uint8Array, flags: number): unknown;
}

/** What {@link Serde.serialize} returns. */
export interface SerializedValue {
  readonly bytes: Uint8Array;
  /** Unsigned 32-bit client flags stored with the item. */
  readonly flags: number;
  /**
   * Optional: the value as text, when `bytes` is exactly its UTF-8 encoding. A writer that sees it
   * may encode the text straight into its output instead of copying `bytes` (mc's Client does).
   * Make such values with textValue(), which only builds `bytes` when something reads it.
   */
  readonly text?: string;
}

/** A compression codec for {@link withCodec}. */
export interface Codec {
  /** Short name, used in error messages. */
  readonly name: string;
  compress(input: Uint8Array): Uint8Array;
  decompress(input: Uint8Array): Uint8Array;
}
