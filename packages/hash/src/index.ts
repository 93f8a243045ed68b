/** @mc/hash: key placement (rendezvous, ketama, modula) and HashClient across many servers. */

export { HashClient, type HashClientOptions, NoServersError, ServerFailedError } from './hash-client.js';
export {
  codePoints,
  fnv1a64Twemproxy,
  javaHashCode,
  md5Word,
  murmur3_32,
  oneAtATime,
} from './hash-functions.js';
export {
  KetamaHash,
  type KetamaOptions,
  type KetamaServer,
  type KeyHash,
  nodeName,
  type PointFormat,
} from './ketama.js';
export { ModulaHash } from './modula.js';
export type { NodeLocator } from './node-locator.js';
export {
  HASH_CLIENT_DEFAULTS,
  HASH_CLIENT_EXTRA_NAMES,
  HASH_OPTION_NAMES,
  type HashClientOptionsInput,
  type ResolvedHashClientOptions,
  resolveHashClientOptions,
} from './options.js';
export { pymemcacheNodeName, RendezvousHash } from './rendezvous.js';
