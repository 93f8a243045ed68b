/**
 * memcached's binary protocol: request encoders, an incremental response parser, opcodes and statuses,
 * and the mapping of error statuses onto mc's typed errors. Needed for SASL, which memcached offers
 * only on the binary protocol.
 */
export {
  BINARY_ARITH_NO_CREATE,
  type BinaryRequestFields,
  checkBinaryKey,
  encodeBinaryArith,
  encodeBinaryConcat,
  encodeBinaryDelete,
  encodeBinaryFlush,
  encodeBinaryGat,
  encodeBinaryGet,
  encodeBinaryRequest,
  encodeBinarySimple,
  encodeBinaryStat,
  encodeBinaryStore,
  encodeBinaryTouch,
  encodeBinaryVerbosity,
  encodeSaslAuth,
  saslPlainMessage,
} from './encoders.js';
export { AuthError, binaryStatusError, describeStatus } from './errors.js';
export {
  BINARY_HEADER_LENGTH,
  type BinaryArithOpcode,
  type BinaryConcatOpcode,
  type BinaryGatOpcode,
  type BinaryGetOpcode,
  type BinaryStoreOpcode,
  DATA_TYPE_RAW,
  MAGIC_REQUEST,
  MAGIC_RESPONSE,
  Opcode,
  opcodeName,
  quietOpcode,
  Status,
} from './opcodes.js';
export { type BinaryResponse, BinaryResponseParser, type BinaryResponseParserOptions } from './parser.js';
