import { SerdeError } from '@mc/serde';

/**
 * Why a pickle could not be read or a value could not be written. Stable: switch on it.
 * - MC_ERR_PICKLE_FORBIDDEN: an opcode that would import a class or call code (GLOBAL or STACK_GLOBAL
 *   of anything but the built-in data types, REDUCE on anything else, BUILD, INST, OBJ, NEWOBJ,
 *   NEWOBJ_EX, PERSID, BINPERSID, EXT1/2/4).
 * - MC_ERR_PICKLE_TRUNCATED: the bytes end before STOP or inside an opcode's argument.
 * - MC_ERR_PICKLE_INVALID: bytes Python's pickler cannot have written (unknown opcode, stack underflow,
 *   an opcode applied to the wrong type, malformed text, unhashable dict key, bytes after STOP...).
 * - MC_ERR_PICKLE_LIMIT: maxDepth, maxItems or maxSize exceeded, or a decimal integer too long.
 * - MC_ERR_PICKLE_UNSUPPORTED: a valid pickle feature mc does not read (recursive structures,
 *   out-of-band buffers), or a JavaScript value with no Python equivalent (undefined, functions,
 *   class instances, cycles, unhashable dict keys...).
 */
export type PickleErrorCode =
  | 'MC_ERR_PICKLE_FORBIDDEN'
  | 'MC_ERR_PICKLE_TRUNCATED'
  | 'MC_ERR_PICKLE_INVALID'
  | 'MC_ERR_PICKLE_LIMIT'
  | 'MC_ERR_PICKLE_UNSUPPORTED';

/**
 * A pickle that cannot be read, or a value that cannot be pickled. It is a SerdeError, so `code` stays
 * 'MC_ERR_SERDE' (every handler of serde failures keeps working) and `pickleCode` says why.
 */
export class PickleError extends SerdeError {
  readonly pickleCode: PickleErrorCode;
  /** Byte offset in the pickle where reading failed (reading only). */
  readonly offset: number | undefined;

  constructor(
    pickleCode: PickleErrorCode,
    message: string,
    options: { cause?: unknown; flags?: number; offset?: number } = {},
  ) {
    super(message, options);
    this.name = 'PickleError';
    this.pickleCode = pickleCode;
    this.offset = options.offset;
  }
}

/** True for a PickleError, also one thrown by another installed copy of this package. */
export function isPickleError(value: unknown): value is PickleError {
  return (
    value instanceof Error &&
    (value as { code?: unknown }).code === 'MC_ERR_SERDE' &&
    typeof (value as { pickleCode?: unknown }).pickleCode === 'string'
  );
}
