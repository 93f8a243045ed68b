import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Serde } from '@mc/serde';

/** Options of {@link Client}. Every field is optional; defaults are in {@link DEFAULTS}. */
export interface ClientOptions {
  /** ms to open the connection (TCP + TLS + auth). Default 2000. */
  connectTimeout?: number;
  /** ms a request may wait for its reply before the connection is discarded. Default 2000. 0 disables. */
  timeout?: number;
  /** TCP_NODELAY. Default true: requests are already batched per tick, so Nagle only adds latency. */
  noDelay?: boolean;
  /** TCP keep-alive. Default true. */
  keepAlive?: boolean;
  /** Initial keep-alive delay in ms. Default 30000. */
  keepAliveInitialDelay?: number;
  /** TLS: true for Node's defaults, or node:tls connect options. Certificates are verified unless you say otherwise. */
  tls?: boolean | TlsConnectionOptions;
  /** memcached ASCII auth (-Y): sent as the first command of every connection. */
  auth?: { username: string; password: string };
  /** Prepended to every key (counts towards the 250-byte limit) and stripped from returned keys. Default ''. */
  keyPrefix?: string;
  /** Default for `noreply` on commands that accept it. Default false: a resolved promise means the server applied it. */
  defaultNoreply?: boolean;
  /** Accept non-ASCII keys (sent as UTF-8). Default false, as pymemcache. */
  allowUnicodeKeys?: boolean;
  /** Serialization. Default @mc/serde's defaultSerde. */
  serde?: Serde;
  /**
   * Merge concurrent single-key get() calls made in the same tick into one multi-key `get`.
   * Default true. Every caller still gets exactly its own value or miss.
   */
  batchGets?: boolean;
  /**
   * Reads (get, gets, getMany, getsMany, gat, gats, metaGet, metaGetMany) answer a miss instead of
   * failing, as pymemcache's ignore_exc. A bad key or argument still throws. Default false.
   */
  ignoreExc?: boolean;
  /**
   * Wire protocol. Default 'text'. 'binary' is memcached's binary protocol, the one that carries
   * SASL (memcached -S, MemCachier): every command it has works the same; the meta commands, raw,
   * verbosity, cacheMemlimit and shutdown reject with UnsupportedCommandError. See
   * docs/migrating-from-memjs.md.
   */
  protocol?: 'text' | 'binary';
  /** SASL PLAIN credentials, sent first on every connection; needs protocol 'binary'. Default none. */
  sasl?: { username: string; password: string; mechanism?: 'PLAIN' };
  /** Largest value accepted from the server, in bytes; a larger one is a ProtocolError. Default 1 GiB. */
  maxValueLength?: number;
  /**
   * The command that follows each run of noreply commands, so that an error the server sends for one
   * of them is recognised as such and never read as the reply of the next request. 'get' (default):
   * `get __mc_noreply_fence__`, answered by every memcached since 1.4, by twemproxy and by mcrouter.
   * 'mn': the meta no-op, a little cheaper, memcached 1.6+ only (twemproxy closes the connection on it,
   * memcached 1.5 answers ERROR).
   */
  noreplyFence?: 'get' | 'mn';
  /** Called when the server answers an error to a noreply command (also published on mc:client:noreply:error). */
  onNoreplyError?: (error: Error) => void;
}

export const DEFAULTS = {
  connectTimeout: 2000,
  timeout: 2000,
  noDelay: true,
  keepAlive: true,
  keepAliveInitialDelay: 30_000,
  keyPrefix: '',
  defaultNoreply: false,
  allowUnicodeKeys: false,
  batchGets: true,
  ignoreExc: false,
  noreplyFence: 'get',
  protocol: 'text',
  maxValueLength: 1024 * 1024 * 1024,
} as const;
