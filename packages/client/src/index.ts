export type {
  CasValue,
  CommandOptions,
  MemcacheClient,
  NoreplyOptions,
  StoreOptions,
} from './memcache-client.js';
export * from './wrappers/index.js';
