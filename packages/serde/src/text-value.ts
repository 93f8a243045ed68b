import { Buffer } from 'node:buffer';
import type { SerializedValue } from './types.js';

/**
 * A serialized value that is text: what a serde returns for a string (or JSON, or digits) so the
 * client can encode it once, as UTF-8, straight into its output buffer, instead of making a Buffer
 * here and copying it there. `bytes` is still there for every reader of SerializedValue (a codec,
 * a mock): it is made from the text the first time it is read, and kept.
 */
class TextValue implements SerializedValue {
  private encoded: Uint8Array | undefined;

  constructor(
    readonly text: string,
    readonly flags: number,
  ) {}

  get bytes(): Uint8Array {
    this.encoded ??= Buffer.from(this.text, 'utf8');
    return this.encoded;
  }
}

/** A SerializedValue whose bytes are the UTF-8 of `text` (see SerializedValue.text). */
export function textValue(text: string, flags: number): SerializedValue {
  return new TextValue(text, flags);
}
