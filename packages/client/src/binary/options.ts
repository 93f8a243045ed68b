import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Serde } from '@mc/serde';

/** SASL credentials for {@link BinaryClientOptions.sasl}. */
export interface SaslOptions {
  username: string;
  password: string;
  /** The mechanism. Default and only one supported: 'PLAIN' (use TLS when the network is not trusted). */
  mechanism?: 'PLAIN';
}

/**
 * Options of {@link BinaryClient}. The fields shared with the text Client mean the same, have the
 * same defaults and are checked by the same resolver (resolveClientOptions); every field is
 * optional. (The text Client's `batchGets` is accepted and has no effect; its `auth` is refused.)
 */
export interface BinaryClientOptions {
  /** ms to open the connection (TCP + TLS + SASL). Default 2000. */
  connectTimeout?: number;
  /** ms a request may wait for its reply before the connection is discarded. Default 2000. 0 disables. */
  timeout?: number;
  /** TCP_NODELAY. Default true. */
  noDelay?: boolean;
  /** TCP keep-alive. Default true. */
  keepAlive?: boolean;
  /** Initial keep-alive delay in ms. Default 30000. */
  keepAliveInitialDelay?: number;
  /** TLS: true for Node's defaults, or node:tls connect options. */
  tls?: boolean | TlsConnectionOptions;
  /** SASL authentication, done first on every connection. Default none. */
  sasl?: SaslOptions;
  /** Prepended to every key (counts towards the 250-byte limit). Default ''. */
  keyPrefix?: string;
  /** Default for `noreply` on commands that accept it. Default false. */
  defaultNoreply?: boolean;
  /** Accept non-ASCII keys (sent as UTF-8). Default false. */
  allowUnicodeKeys?: boolean;
  /** Serialization. Default @mc/serde's defaultSerde (the same bytes and flags as the text Client). */
  serde?: Serde;
  /** Called when the server answers an error to a noreply command (also published on mc:client:noreply:error). */
  onNoreplyError?: (error: Error) => void;
  /** Largest value accepted in a response, in bytes; a larger one is a ProtocolError. Default 1 GiB. */
  maxValueLength?: number;
  /** Reads (get, gets, getMany, getsMany, gat, gats) answer a miss instead of failing, as pymemcache's ignore_exc. Default false. */
  ignoreExc?: boolean;
}

export const BINARY_DEFAULTS = {
  connectTimeout: 2000,
  timeout: 2000,
  noDelay: true,
  keepAlive: true,
  keepAliveInitialDelay: 30_000,
  keyPrefix: '',
  defaultNoreply: false,
  allowUnicodeKeys: false,
} as const;
