import type { ClientOptions } from '@mc/client';

/** Options of {@link McKeyvStore}. Every field is optional. */
export interface McKeyvStoreOptions {
  /**
   * ms a namespace generation read from memcached is trusted before it is checked again. Default
   * 0: every call checks it, in the same round trip as the call (one extra key in the `get`, or one
   * extra `get` pipelined with a write), so a clear() by any process is seen by the next call of
   * every process. A larger value saves that key; a clear() elsewhere is then seen within that time.
   */
  generationMaxAge?: number;
  /**
   * The longest memcached key the store writes; longer keys are hashed. Default 250 minus the bytes
   * of the client's keyPrefix when the client shows it (`client.options.keyPrefix`, as Client
   * does); set it yourself for a PooledClient or HashClient with a keyPrefix. At least 45.
   */
  maxKeyLength?: number;
  /**
   * Whether disconnect() quits the client. Default: true when the store made the client from an
   * address, false for a client you passed (it may serve other stores).
   */
  quitOnDisconnect?: boolean;
  /** Namespace until Keyv sets its own (Keyv always does: default 'keyv'). Default undefined. */
  namespace?: string;
  /** Options of the Client made when the store is given an address instead of a client. */
  clientOptions?: ClientOptions;
}
