import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { encodeKey, InvalidArgumentError, InvalidKeyError } from '@mc/protocol';
import { defaultSerde, type Serde } from '@mc/serde';
import { type ClientOptions, DEFAULTS } from '../options.js';
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkKnownNames,
  checkMs,
  checkObject,
  checkOneOf,
  checkOptionsObject,
  checkString,
  describeValue,
  optionError,
} from './validate.js';

/** Wire protocol of a Client. */
export type WireProtocol = 'text' | 'binary';

/** SASL credentials (binary protocol). */
export interface SaslCredentials {
  username: string;
  password: string;
  /** Default and only one: 'PLAIN' (use TLS when the network is not trusted). */
  mechanism?: 'PLAIN';
}

/**
 * What the resolver accepts: ClientOptions, plus the options that are coming with the binary
 * protocol (`protocol`, `sasl`, `maxValueLength`) and `ignoreExc`, so one resolver serves both.
 */
export interface ClientOptionsInput extends ClientOptions {
  /** 'text' (default: works through twemproxy and every memcached) or 'binary' (needed for SASL). */
  protocol?: WireProtocol;
  /** SASL authentication, done first on every connection. Needs protocol 'binary'. Default none. */
  sasl?: SaslCredentials;
  /** Reads answer a miss instead of failing, as pymemcache's ignore_exc. Default false. */
  ignoreExc?: boolean;
  /** Largest value accepted in a reply, in bytes; larger is a ProtocolError. Default 1 GiB. */
  maxValueLength?: number;
  /** The command written after a run of noreply commands: 'get' (default, works everywhere) or 'mn' (memcached 1.6+). */
  noreplyFence?: NoreplyFence;
}

/** What follows a run of noreply commands on the wire (see ClientOptions.noreplyFence). */
export type NoreplyFence = 'get' | 'mn';

/** Every option of a Client with its default applied. Frozen. */
export interface ResolvedClientOptions {
  readonly connectTimeout: number;
  readonly timeout: number;
  readonly noDelay: boolean;
  readonly keepAlive: boolean;
  readonly keepAliveInitialDelay: number;
  /** false (plain TCP), or the node:tls connect options (`{}` for `tls: true`). */
  readonly tls: false | TlsConnectionOptions;
  readonly auth: Readonly<{ username: string; password: string }> | undefined;
  readonly keyPrefix: string;
  readonly defaultNoreply: boolean;
  readonly allowUnicodeKeys: boolean;
  readonly serde: Serde;
  readonly batchGets: boolean;
  readonly onNoreplyError: ((error: Error) => void) | undefined;
  readonly protocol: WireProtocol;
  readonly sasl: Readonly<Required<SaslCredentials>> | undefined;
  readonly ignoreExc: boolean;
  readonly maxValueLength: number;
  readonly noreplyFence: NoreplyFence;
}

/** Every default of a Client: one table, DEFAULTS in options.ts. */
export const CLIENT_DEFAULTS = DEFAULTS;

/** Every option name a Client accepts. */
export const CLIENT_OPTION_NAMES: readonly string[] = Object.freeze([
  'connectTimeout',
  'timeout',
  'noDelay',
  'keepAlive',
  'keepAliveInitialDelay',
  'tls',
  'auth',
  'keyPrefix',
  'defaultNoreply',
  'allowUnicodeKeys',
  'serde',
  'batchGets',
  'onNoreplyError',
  'protocol',
  'sasl',
  'ignoreExc',
  'maxValueLength',
  'noreplyFence',
]);

/** How a resolver that embeds the Client's options (PooledClient, HashClient...) calls this one. */
export interface ResolveContext {
  /** Class named in messages. Default 'Client'. */
  owner?: string;
  /** Option names of the embedding class: accepted here, validated (and returned) by it. */
  extraNames?: readonly string[];
}

/**
 * Validates a Client's options and returns them with every default applied, frozen. Throws
 * InvalidArgumentError naming the class and the option for a wrong type, a value out of range, a
 * keyPrefix that breaks the key rules, a serde without serialize/deserialize, or an unknown name.
 * Resolving an already resolved object gives an equal one.
 */
export function resolveClientOptions(
  options?: ClientOptionsInput,
  context: ResolveContext = {},
): ResolvedClientOptions {
  const owner = context.owner ?? 'Client';
  const o = checkOptionsObject(owner, options);
  checkKnownNames(owner, o, [...CLIENT_OPTION_NAMES, ...(context.extraNames ?? [])]);

  const allowUnicodeKeys = checkBoolean(
    owner,
    'allowUnicodeKeys',
    o.allowUnicodeKeys,
    DEFAULTS.allowUnicodeKeys,
  );
  const protocol = checkOneOf(owner, 'protocol', o.protocol, CLIENT_DEFAULTS.protocol as WireProtocol, [
    'text',
    'binary',
  ]);
  const auth = checkAuth(owner, o.auth);
  const sasl = checkSasl(owner, o.sasl);
  if (sasl && protocol !== 'binary')
    throw new InvalidArgumentError(
      `${owner}: option "sasl" needs protocol: 'binary' (memcached speaks SASL only on the binary protocol)`,
    );
  if (auth && protocol === 'binary')
    throw new InvalidArgumentError(
      `${owner}: option "auth" is memcached's text-protocol authentication; with protocol: 'binary' use "sasl"`,
    );

  const resolved: ResolvedClientOptions = {
    connectTimeout: checkMs(owner, 'connectTimeout', o.connectTimeout, DEFAULTS.connectTimeout),
    timeout: checkMs(owner, 'timeout', o.timeout, DEFAULTS.timeout),
    noDelay: checkBoolean(owner, 'noDelay', o.noDelay, DEFAULTS.noDelay),
    keepAlive: checkBoolean(owner, 'keepAlive', o.keepAlive, DEFAULTS.keepAlive),
    keepAliveInitialDelay: checkMs(
      owner,
      'keepAliveInitialDelay',
      o.keepAliveInitialDelay,
      DEFAULTS.keepAliveInitialDelay,
    ),
    tls: checkTls(owner, o.tls),
    auth,
    keyPrefix: checkKeyPrefix(owner, o.keyPrefix, allowUnicodeKeys),
    defaultNoreply: checkBoolean(owner, 'defaultNoreply', o.defaultNoreply, DEFAULTS.defaultNoreply),
    allowUnicodeKeys,
    serde: checkSerde(owner, o.serde),
    batchGets: checkBoolean(owner, 'batchGets', o.batchGets, DEFAULTS.batchGets),
    onNoreplyError: checkFunction<(error: Error) => void>(owner, 'onNoreplyError', o.onNoreplyError),
    protocol,
    sasl,
    ignoreExc: checkBoolean(owner, 'ignoreExc', o.ignoreExc, CLIENT_DEFAULTS.ignoreExc),
    maxValueLength: checkInteger(
      owner,
      'maxValueLength',
      o.maxValueLength,
      CLIENT_DEFAULTS.maxValueLength,
      0,
    ),
    noreplyFence: checkOneOf(
      owner,
      'noreplyFence',
      o.noreplyFence,
      CLIENT_DEFAULTS.noreplyFence as NoreplyFence,
      ['get', 'mn'],
    ),
  };
  return Object.freeze(resolved);
}

function checkTls(owner: string, value: unknown): false | TlsConnectionOptions {
  if (value === undefined || value === false) return false;
  if (value === true) return Object.freeze({});
  checkObject(owner, 'tls', value, 'true, false or node:tls connect options');
  return value as TlsConnectionOptions;
}

function checkAuth(owner: string, value: unknown): ResolvedClientOptions['auth'] {
  if (value === undefined) return undefined;
  const expected = 'an object { username, password } of strings';
  const a = checkObject(owner, 'auth', value, expected) as Record<string, unknown>;
  if (typeof a.username !== 'string' || typeof a.password !== 'string')
    throw optionError(owner, 'auth', expected, value);
  // memcached reads the data block "username password" up to the first space.
  if (a.username.length === 0 || /\s/.test(a.username))
    throw new InvalidArgumentError(
      `${owner}: option "auth" needs a non-empty username without whitespace, got ${describeValue(a.username)}`,
    );
  return Object.freeze({ username: a.username, password: a.password });
}

function checkSasl(owner: string, value: unknown): ResolvedClientOptions['sasl'] {
  if (value === undefined) return undefined;
  const expected = "an object { username, password, mechanism?: 'PLAIN' }";
  const s = checkObject(owner, 'sasl', value, expected) as Record<string, unknown>;
  if (typeof s.username !== 'string' || typeof s.password !== 'string')
    throw optionError(owner, 'sasl', expected, value);
  const mechanism = checkOneOf(owner, 'sasl.mechanism', s.mechanism, 'PLAIN', ['PLAIN']);
  checkKnownNames(`${owner}: option "sasl"`, s, ['username', 'password', 'mechanism']);
  return Object.freeze({ username: s.username, password: s.password, mechanism });
}

function checkKeyPrefix(owner: string, value: unknown, allowUnicode: boolean): string {
  const prefix = checkString(owner, 'keyPrefix', value, DEFAULTS.keyPrefix);
  if (prefix === '') return prefix;
  try {
    // The prefix must itself pass the key rules, and leave room for at least one byte of key.
    encodeKey(`${prefix}x`, { allowUnicode });
  } catch (err) {
    if (!(err instanceof InvalidKeyError)) throw err;
    const reason = err.message.slice(err.message.lastIndexOf(': ') + 2);
    throw optionError(owner, 'keyPrefix', `a valid key prefix (${reason})`, value);
  }
  return prefix;
}

function checkSerde(owner: string, value: unknown): Serde {
  if (value === undefined) return defaultSerde;
  const s = value as Partial<Serde> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.serialize !== 'function' ||
    typeof s.deserialize !== 'function'
  )
    throw optionError(owner, 'serde', 'an object with serialize() and deserialize() functions', value);
  return value as Serde;
}
