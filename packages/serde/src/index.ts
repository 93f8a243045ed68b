/** @mc/serde: the serialization interface of mc, its default serde and compression codecs. No dependencies. */

export { type AppFlagsOptions, withAppFlags } from './app-flags.js';
export { checkSerde, SerdeCheckError, type SerdeProblem } from './check-serde.js';
export {
  DEFAULT_MAX_DECOMPRESSED_SIZE,
  type FlaggedCodec,
  type WithCodecOptions,
  withCodec,
  type ZlibCodecOptions,
  zlibCodec,
} from './codec.js';
export { defaultSerde, unknownFlags } from './default-serde.js';
export { SerdeError } from './errors.js';
export { describeFlags, FIRST_PARTY_MASK, FLAGS, THIRD_PARTY_MASK } from './flags.js';
export { textValue } from './text-value.js';
export type { Codec, Serde, SerializedValue } from './types.js';
