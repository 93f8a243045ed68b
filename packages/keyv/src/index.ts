/** @mc/keyv: a Keyv storage adapter over any mc client. */

export { type CreateKeyvOptions, createKeyv } from './create-keyv.js';
export { Generations, newGeneration } from './generation.js';
export {
  dataKey,
  escapeKeyPart,
  generationKey,
  HASH_MARK,
  HASHED_KEY_LENGTH,
  hashKey,
  MEMCACHED_MAX_KEY_LENGTH,
  unescapeKeyPart,
} from './keys.js';
export type { McKeyvStoreOptions } from './options.js';
export { type McKeyvEntry, McKeyvStore } from './store.js';
export { type Exptime, MAX_RELATIVE_EXPTIME, toExptime } from './ttl.js';
