import type { MemcacheClient, ServerSpec } from '@mc/client';
import { Keyv, type KeyvOptions } from 'keyv';
import type { McKeyvStoreOptions } from './options.js';
import { McKeyvStore } from './store.js';

/** Keyv's own options (namespace, ttl, serialize...) and the store's. */
export interface CreateKeyvOptions extends Omit<KeyvOptions, 'store'> {
  store?: McKeyvStoreOptions;
}

/** A Keyv on memcached: `createKeyv(client, { namespace: 'sessions', ttl: 60_000 })`. */
export function createKeyv<Value = unknown>(
  client: MemcacheClient | ServerSpec,
  options: CreateKeyvOptions = {},
): Keyv<Value> {
  const { store, ...keyvOptions } = options;
  return new Keyv<Value>({ ...keyvOptions, store: new McKeyvStore(client, store) });
}
