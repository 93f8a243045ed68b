import {
  type BinaryResponse,
  type BinaryStoreOpcode,
  binaryStatusError,
  checkSeconds,
  encodeBinaryArith,
  encodeBinaryConcat,
  encodeBinaryDelete,
  encodeBinaryFlush,
  encodeBinaryGat,
  encodeBinaryGet,
  encodeBinarySimple,
  encodeBinaryStat,
  encodeBinaryStore,
  encodeBinaryTouch,
  encodeKey,
  InvalidArgumentError,
  Opcode,
  opcodeName,
  ProtocolError,
  Status,
  saslPlainMessage,
  UnknownCommandError,
} from '@mc/protocol';
import type { Serde } from '@mc/serde';
import { COMMAND_LIST } from '../commands.js';
import { entriesOf } from '../entries.js';
import { FailureListeners, ignoreReadFailures } from '../ignore-exc.js';
import type {
  CasValue,
  CommandOptions,
  MemcacheClient,
  NoreplyOptions,
  StoreOptions,
} from '../memcache-client.js';
import type { MetaArithmeticResult, MetaDeleteResult, MetaGetResult, MetaSetResult } from '../meta.js';
import { type ClientOptionsInput, resolveClientOptions } from '../options/index.js';
import { serializeWithFlags } from '../serialize.js';
import { parseServer, type ServerSpec } from '../server-address.js';
import { type Stats, typeStats } from '../stats.js';
import { type TraceTarget, traceCommandMethods } from '../tracing.js';
import { BinaryConnection, type Collected, isResultStatus } from './binary-connection.js';
import { UnsupportedCommandError } from './errors.js';
import type { BinaryClientOptions } from './options.js';

type Store = 'set' | 'add' | 'replace';
const STORE_OPCODES: Record<Store, readonly [BinaryStoreOpcode, BinaryStoreOpcode]> = {
  set: [Opcode.Set, Opcode.SetQ],
  add: [Opcode.Add, Opcode.AddQ],
  replace: [Opcode.Replace, Opcode.ReplaceQ],
};

const META_HINT = 'the meta protocol is text only; use a text Client (the default protocol)';

/**
 * A memcached client for one server over the binary protocol, with SASL PLAIN authentication (what
 * memcached -S and hosted services such as MemCachier require). Same API, options, serde, key rules
 * and failure rule as the text Client: many requests share one socket, the requests of one tick
 * leave in one write, and any timeout, protocol error or unexpected close discards the socket and
 * fails everything in flight. Every response is matched to its request by opaque and opcode.
 * Multi-gets are quiet pipelines (GetKQ ... Noop); noreply commands use the quiet opcodes, fenced by
 * a Noop. The meta commands and getOrLoad do not exist in the binary protocol: they reject with
 * UnsupportedCommandError.
 */
export class BinaryClient implements MemcacheClient, TraceTarget {
  /** The server's address as text ("host:port", "[v6]:port" or a socket path). */
  readonly server: string;
  readonly options: Readonly<BinaryClientOptions>;
  private readonly conn: BinaryConnection;
  private readonly serde: Serde;
  private readonly keyOptions: { allowUnicode: boolean; prefix: string };
  private readonly noreplyDefault: boolean;
  private readonly failureListeners = new FailureListeners();

  /** @internal For the tracing channel (mc:command): where this client sends its calls. */
  readonly traceServer: TraceTarget['traceServer'];

  constructor(server: ServerSpec, options: BinaryClientOptions = {}) {
    // The text Client's resolver checks every option (types, ranges, sasl, unknown names), so both
    // clients refuse the same mistakes with the same messages; protocol is binary by definition.
    const resolved = resolveClientOptions(
      { ...(options as ClientOptionsInput), protocol: 'binary' },
      { owner: 'BinaryClient' },
    );
    // PLAIN's message cannot hold NUL, and an empty user cannot log in: refuse those now, not at connect.
    if (resolved.sasl) saslPlainMessage(resolved.sasl.username, resolved.sasl.password);
    const address = parseServer(server);
    this.conn = new BinaryConnection(address, resolved);
    this.server = this.conn.address;
    this.traceServer = Object.freeze(
      'path' in address
        ? { server: this.server, host: undefined, port: undefined, socketPath: address.path }
        : { server: this.server, host: address.host, port: address.port, socketPath: undefined },
    );
    this.options = options;
    this.serde = resolved.serde;
    this.keyOptions = { allowUnicode: resolved.allowUnicodeKeys, prefix: resolved.keyPrefix };
    this.noreplyDefault = resolved.defaultNoreply;
    if (resolved.ignoreExc) ignoreReadFailures(this);
  }

  /** @internal For the tracing channel. */
  get traceDefaultNoreply(): boolean {
    return this.noreplyDefault;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private key(key: string): Buffer {
    return encodeKey(key, this.keyOptions);
  }

  private noreply(options?: NoreplyOptions): boolean {
    return options?.noreply ?? this.noreplyDefault;
  }

  private expire(expire: number | undefined): number {
    return expire === undefined ? 0 : checkSeconds('expire', expire);
  }

  /** Throws the typed error of a status that is not a result. */
  private check(r: BinaryResponse): BinaryResponse {
    if (!isResultStatus(r.status)) throw binaryStatusError(r.status, r.value.toString('utf8'));
    return r;
  }

  /** A reply that cannot be memcached's: the connection is discarded, the call rejects. */
  private protocolError(message: string): never {
    const err = new ProtocolError(message);
    this.conn.discard(err);
    throw err;
  }

  private flagsOf(r: BinaryResponse): number {
    if (r.extras.length !== 4)
      this.protocolError(
        `a ${opcodeName(r.opcode)} hit with ${r.extras.length} bytes of extras (flags are 4)`,
      );
    return r.extras.readUInt32BE(0);
  }

  private decode<T>(key: string, r: BinaryResponse): T {
    return this.serde.deserialize(key, r.value, this.flagsOf(r)) as T;
  }

  private withCas<T>(key: string, r: BinaryResponse): CasValue<T> {
    if (r.cas === 0n) this.protocolError(`a ${opcodeName(r.opcode)} hit without a cas token`);
    return { value: this.decode<T>(key, r), cas: r.cas };
  }

  // ---- storage --------------------------------------------------------------------------------

  private async store(
    command: Store,
    key: string,
    value: unknown,
    options: StoreOptions | undefined,
    cas: bigint = 0n,
  ): Promise<BinaryResponse | undefined> {
    const k = this.key(key);
    const s = serializeWithFlags(this.serde, key, value, options?.flags);
    const quiet = this.noreply(options);
    const op = STORE_OPCODES[command][quiet ? 1 : 0];
    const packet = encodeBinaryStore(op, k, s.bytes, s.flags, this.expire(options?.expire), 0, cas);
    if (quiet) {
      this.conn.send(packet, true);
      return undefined;
    }
    return this.check(await this.conn.request(packet, options));
  }

  async set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    const r = await this.store('set', key, value, options);
    return r === undefined || r.status === Status.NoError;
  }

  /** false when the key exists already. */
  async add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    const r = await this.store('add', key, value, options);
    return r === undefined || r.status === Status.NoError;
  }

  /** false when the key is missing. */
  async replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    const r = await this.store('replace', key, value, options);
    return r === undefined || r.status === Status.NoError;
  }

  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.concat(Opcode.Append, Opcode.AppendQ, key, value, options);
  }

  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.concat(Opcode.Prepend, Opcode.PrependQ, key, value, options);
  }

  /** append / prepend: the item keeps its flags and expiry (the serde's flags are not sent). */
  private async concat(
    op: typeof Opcode.Append | typeof Opcode.Prepend,
    quietOp: typeof Opcode.AppendQ | typeof Opcode.PrependQ,
    key: string,
    value: unknown,
    options?: StoreOptions,
  ): Promise<boolean> {
    const k = this.key(key);
    const s = serializeWithFlags(this.serde, key, value, options?.flags);
    if (options?.expire !== undefined) this.expire(options.expire);
    const quiet = this.noreply(options);
    const packet = encodeBinaryConcat(quiet ? quietOp : op, k, s.bytes);
    if (quiet) {
      this.conn.send(packet, true);
      return true;
    }
    const r = this.check(await this.conn.request(packet, options));
    return r.status === Status.NoError;
  }

  /** true: stored; false: the token no longer matches (key exists); undefined: the key is missing. */
  async cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    if (typeof cas !== 'bigint' || cas <= 0n || cas >= 1n << 64n)
      throw new InvalidArgumentError('cas must be a non-zero bigint token from gets()');
    const r = await this.store('set', key, value, options, cas);
    if (r === undefined || r.status === Status.NoError) return true;
    if (r.status === Status.KeyNotFound) return undefined;
    return false;
  }

  async setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    const entries = entriesOf(values);
    // Validate and serialize everything first: bad input fails the call before any byte is sent.
    const expire = this.expire(options?.expire);
    const quiet = this.noreply(options);
    const packets = entries.map(([key, value]) => {
      const s = serializeWithFlags(this.serde, key, value, options?.flags);
      return encodeBinaryStore(Opcode.SetQ, this.key(key), s.bytes, s.flags, expire);
    });
    if (packets.length === 0) return [];
    if (quiet) {
      for (const p of packets) this.conn.send(p, true);
      return [];
    }
    // SetQ answers only when it did not store: the responses name exactly the failed keys.
    const c = await this.conn.requestQuiet(packets, options);
    return [...new Set(c.indexes)].sort((a, b) => a - b).map((i) => entries[i]![0]);
  }

  // ---- retrieval ------------------------------------------------------------------------------

  private async fetch(key: string, options: CommandOptions | undefined): Promise<BinaryResponse | undefined> {
    const r = this.check(await this.conn.request(encodeBinaryGet(Opcode.Get, this.key(key)), options));
    return r.status === Status.NoError ? r : undefined;
  }

  async get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    const r = await this.fetch(key, options);
    return r === undefined ? undefined : this.decode<T>(key, r);
  }

  async gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    const r = await this.fetch(key, options);
    return r === undefined ? undefined : this.withCas<T>(key, r);
  }

  /**
   * A quiet pipeline: one GetKQ per distinct key, then a Noop. Misses send nothing; each hit is
   * matched to its key by opaque and checked against the key the server echoes.
   */
  private async fetchMany(
    keys: Iterable<string>,
    options: CommandOptions | undefined,
  ): Promise<{ unique: string[]; hits: Collected }> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return { unique, hits: { responses: [], indexes: [] } };
    const encoded = unique.map((k) => this.key(k));
    const hits = await this.conn.requestQuiet(
      encoded.map((k) => encodeBinaryGet(Opcode.GetKQ, k)),
      options,
    );
    hits.responses.forEach((r, n) => {
      if (r.status !== Status.NoError) return;
      if (!r.key.equals(encoded[hits.indexes[n]!]!))
        this.protocolError(
          `asked for ${JSON.stringify(encoded[hits.indexes[n]!]!.toString('latin1'))}, the server returned ${JSON.stringify(r.key.toString('latin1'))}`,
        );
    });
    return { unique, hits };
  }

  async getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    const { unique, hits } = await this.fetchMany(keys, options);
    const out = new Map<string, T>();
    hits.responses.forEach((r, n) => {
      if (r.status !== Status.NoError) return;
      const key = unique[hits.indexes[n]!]!;
      out.set(key, this.decode<T>(key, r));
    });
    return out;
  }

  async getsMany<T = unknown>(
    keys: Iterable<string>,
    options?: CommandOptions,
  ): Promise<Map<string, CasValue<T>>> {
    const { unique, hits } = await this.fetchMany(keys, options);
    const out = new Map<string, CasValue<T>>();
    hits.responses.forEach((r, n) => {
      if (r.status !== Status.NoError) return;
      const key = unique[hits.indexes[n]!]!;
      out.set(key, this.withCas<T>(key, r));
    });
    return out;
  }

  private async fetchAndTouch(
    key: string,
    expire: number,
    options: CommandOptions | undefined,
  ): Promise<BinaryResponse | undefined> {
    const packet = encodeBinaryGat(Opcode.Gat, this.key(key), checkSeconds('expire', expire));
    const r = this.check(await this.conn.request(packet, options));
    return r.status === Status.NoError ? r : undefined;
  }

  async gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    const r = await this.fetchAndTouch(key, expire, options);
    return r === undefined ? undefined : this.decode<T>(key, r);
  }

  async gats<T = unknown>(
    key: string,
    expire: number,
    options?: CommandOptions,
  ): Promise<CasValue<T> | undefined> {
    const r = await this.fetchAndTouch(key, expire, options);
    return r === undefined ? undefined : this.withCas<T>(key, r);
  }

  // ---- other keyed commands -------------------------------------------------------------------

  async delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    const quiet = this.noreply(options);
    const packet = encodeBinaryDelete(quiet, this.key(key));
    if (quiet) {
      this.conn.send(packet, true);
      return true;
    }
    return this.check(await this.conn.request(packet, options)).status === Status.NoError;
  }

  async deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    const quiet = this.noreply(options);
    const packets = [...keys].map((k) => encodeBinaryDelete(true, this.key(k)));
    if (packets.length === 0) return true;
    if (quiet) for (const p of packets) this.conn.send(p, true);
    // DeleteQ answers only misses (and errors): one Noop round trip for the whole list.
    else await this.conn.requestQuiet(packets, options);
    return true;
  }

  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.arith(Opcode.Increment, Opcode.IncrementQ, key, delta, options);
  }

  /** Stops at 0, as memcached's decr does. */
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.arith(Opcode.Decrement, Opcode.DecrementQ, key, delta, options);
  }

  /** A missing key is a miss (undefined), as with text incr: the expiration field says "do not create". */
  private async arith(
    op: typeof Opcode.Increment | typeof Opcode.Decrement,
    quietOp: typeof Opcode.IncrementQ | typeof Opcode.DecrementQ,
    key: string,
    delta: number | bigint,
    options?: NoreplyOptions,
  ): Promise<bigint | undefined> {
    const quiet = this.noreply(options);
    const packet = encodeBinaryArith(quiet ? quietOp : op, this.key(key), delta);
    if (quiet) {
      this.conn.send(packet, true);
      return undefined;
    }
    const r = this.check(await this.conn.request(packet, options));
    if (r.status === Status.KeyNotFound) return undefined;
    if (r.status !== Status.NoError) this.protocolError(`${opcodeName(op)} answered ${r.status}`);
    if (r.value.length !== 8)
      this.protocolError(`an ${opcodeName(op)} response of ${r.value.length} bytes (a counter is 8)`);
    return r.value.readBigUInt64BE(0);
  }

  /** Touch has no quiet opcode: with noreply its response is read and dropped (errors reported). */
  async touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    const packet = encodeBinaryTouch(this.key(key), checkSeconds('expire', expire));
    if (this.noreply(options)) {
      this.conn.send(packet, false);
      return true;
    }
    return this.check(await this.conn.request(packet, options)).status === Status.NoError;
  }

  // ---- meta protocol: not in the binary protocol ----------------------------------------------

  async metaGet<T = unknown>(): Promise<MetaGetResult<T> | undefined> {
    throw new UnsupportedCommandError('metaGet', META_HINT);
  }
  async metaGetMany<T = unknown>(): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    throw new UnsupportedCommandError('metaGetMany', META_HINT);
  }
  async metaSet(): Promise<MetaSetResult> {
    throw new UnsupportedCommandError('metaSet', META_HINT);
  }
  async metaDelete(): Promise<MetaDeleteResult> {
    throw new UnsupportedCommandError('metaDelete', META_HINT);
  }
  async metaArithmetic(): Promise<MetaArithmeticResult | undefined> {
    throw new UnsupportedCommandError('metaArithmetic', META_HINT);
  }
  async metaNoop(): Promise<void> {
    throw new UnsupportedCommandError('metaNoop', 'use noop()');
  }
  async invalidate(): Promise<boolean> {
    throw new UnsupportedCommandError('invalidate', META_HINT);
  }
  /** Leases (W/X/Z flags) exist only in the meta protocol. */
  async getOrLoad<T>(): Promise<T> {
    throw new UnsupportedCommandError('getOrLoad', 'leases need the meta protocol (text)');
  }

  // ---- server-level commands ------------------------------------------------------------------

  /**
   * Stat: the general stats, or a group ('items', 'slabs', 'settings', 'sizes', 'detail dump',
   * 'reset'). A group memcached does not offer over the binary protocol (e.g. 'conns') is an
   * UnknownCommandError, as `stats <unknown>` is on text.
   */
  async stats(...args: string[]): Promise<Stats> {
    const group = args.join(' ');
    const c = await this.conn.requestStats(encodeBinaryStat(group));
    const last = c.last;
    if (last && last.status === Status.KeyNotFound)
      throw new UnknownCommandError(`stats ${group}: not offered over the binary protocol`);
    if (last && last.status !== Status.NoError)
      throw binaryStatusError(last.status, last.value.toString('utf8'));
    return typeStats(c.responses.map((r) => [r.key.toString('utf8'), r.value.toString('utf8')] as const));
  }

  async version(options?: CommandOptions): Promise<string> {
    const r = await this.conn.request(encodeBinarySimple(Opcode.Version), options);
    if (r.status !== Status.NoError) throw binaryStatusError(r.status, r.value.toString('utf8'));
    return r.value.toString('latin1');
  }

  /** A round trip that does nothing (Noop). */
  async noop(options?: CommandOptions): Promise<void> {
    const r = await this.conn.request(encodeBinarySimple(Opcode.Noop), options);
    if (r.status !== Status.NoError) throw binaryStatusError(r.status, r.value.toString('utf8'));
  }

  /**
   * The SASL mechanisms the server offers (e.g. ['PLAIN']). On a server started with -S, use a
   * client with `sasl` set (the list is asked on the authenticated connection) or one without it
   * (memcached answers this command before authentication).
   */
  async listMechanisms(options?: CommandOptions): Promise<string[]> {
    const r = await this.conn.request(encodeBinarySimple(Opcode.SaslListMechs), options);
    if (r.status !== Status.NoError) throw binaryStatusError(r.status, r.value.toString('utf8'));
    return r.value.toString('latin1').split(/\s+/).filter(Boolean);
  }

  async flushAll(delay = 0, options?: NoreplyOptions): Promise<boolean> {
    const quiet = this.noreply(options);
    const packet = encodeBinaryFlush(quiet, checkSeconds('delay', delay));
    if (quiet) {
      this.conn.send(packet, true);
      return true;
    }
    const r = await this.conn.request(packet, options);
    if (r.status !== Status.NoError) throw binaryStatusError(r.status, r.value.toString('utf8'));
    return true;
  }

  /**
   * Not offered: memcached 1.6 answers the binary Verbosity opcode with unknown command, late, and
   * then misreads the packets after it (checked against 1.6.18), so sending it would break the stream.
   */
  async verbosity(): Promise<boolean> {
    throw new UnsupportedCommandError(
      'verbosity',
      'memcached 1.6 does not implement it on the binary protocol',
    );
  }

  async cacheMemlimit(): Promise<boolean> {
    throw new UnsupportedCommandError('cacheMemlimit', 'cache_memlimit is a text command');
  }

  async shutdown(): Promise<void> {
    throw new UnsupportedCommandError('shutdown', 'shutdown is a text command');
  }

  async raw(): Promise<Buffer> {
    throw new UnsupportedCommandError('raw', 'raw sends text command lines');
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Waits for the responses of everything already sent, sends QuitQ and closes the socket. The
   * client stays usable: the next call opens (and authenticates) a new connection.
   */
  async quit(): Promise<void> {
    await this.conn.quit();
  }

  /** Closes for good. Pending requests reject with ClientClosedError; later calls too. */
  async close(): Promise<void> {
    this.conn.close();
  }

  /** `await using`: waits for the responses in flight, sends QuitQ, and closes for good. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.conn.quit();
    this.conn.close();
  }

  /**
   * Calls `listener` once per connection-level failure (timeout, protocol error, unexpected close,
   * failed connect or SASL refusal), with the error. Returns a function that removes it. Not called
   * for close() or quit().
   */
  onConnectionError(listener: (error: Error) => void): () => void {
    this.conn.onFailure ??= (error) => this.failureListeners.emit(error);
    return this.failureListeners.add(listener);
  }

  /** Requests queued or in flight on the connection. */
  get pendingCount(): number {
    return this.conn.pendingCount;
  }
}

// Calls are published on the mc:command tracing channel, as the text Client's are.
traceCommandMethods(BinaryClient, COMMAND_LIST);
