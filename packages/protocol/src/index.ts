/**
 * @mc/protocol: memcached's wire format, text and meta, with no I/O. Encoders produce exact bytes
 * after validating their arguments; ReplyParser reads replies from bytes in any fragmentation.
 */

export * from './binary/index.js';
export * from './errors.js';
export { checkKey, encodeKey, encodeMetaKey, type KeyOptions, MAX_KEY_LENGTH } from './keys.js';
export * from './meta-encoders.js';
export { checkOpaque, parseMetaFlags, parseMetaFlagsAt } from './meta-flags.js';
export { checkExptime, checkSeconds, checkU32, u64Text } from './numbers.js';
export {
  DEFAULT_MAX_VALUE_LENGTH,
  MAX_LINE_LENGTH,
  MAX_RAW_LENGTH,
  ReplyParser,
  type ReplyParserOptions,
} from './parser.js';
export * from './replies.js';
export {
  encodeCacheMemlimit,
  encodeCas,
  encodeDecr,
  encodeDelete,
  encodeFlushAll,
  encodeGat,
  encodeGats,
  encodeGet,
  encodeGets,
  encodeIncr,
  encodeQuit,
  encodeRaw,
  encodeShutdown,
  encodeStats,
  encodeStorage,
  encodeTouch,
  encodeVerbosity,
  encodeVersion,
  type StorageCommand,
} from './text-encoders.js';
export { retrievalSize, writeRetrieval } from './write-retrieval.js';
export { storageLine, valueLength, writeStorageLine } from './write-storage.js';
