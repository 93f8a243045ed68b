import { Buffer } from 'node:buffer';
import {
  checkKey,
  checkSeconds,
  Expect,
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
  encodeKey,
  encodeMetaArithmetic,
  encodeMetaDelete,
  encodeMetaGet,
  encodeMetaNoop,
  encodeMetaSet,
  encodeQuit,
  encodeRaw,
  encodeShutdown,
  encodeStats,
  encodeStorage,
  encodeTouch,
  encodeVerbosity,
  encodeVersion,
  InvalidArgumentError,
  ProtocolError,
  type Reply,
  retrievalSize,
  type StorageCommand,
  storageLine,
  type ValueEntry,
  valueLength,
  writeRetrieval,
  writeStorageLine,
} from '@mc/protocol';
import type { Serde, SerializedValue } from '@mc/serde';
import { UnsupportedCommandError } from './binary/errors.js';
import { COMMAND_LIST } from './commands.js';
import { Connection } from './connection.js';
import { entriesOf } from './entries.js';
import { AbortError, ClientClosedError, ConnectionClosedError } from './errors.js';
import { GetBatcher, MAX_BATCH_KEYS } from './get-batcher.js';
import { FailureListeners, ignoreReadFailures } from './ignore-exc.js';
import { getOrLoadWith } from './lease.js';
import type {
  CasValue,
  CommandOptions,
  MemcacheClient,
  NoreplyOptions,
  RawOptions,
  StoreOptions,
} from './memcache-client.js';
import type {
  GetOrLoadOptions,
  MetaArithmeticCallOptions,
  MetaArithmeticResult,
  MetaDeleteCallOptions,
  MetaDeleteResult,
  MetaGetCallOptions,
  MetaGetResult,
  MetaSetCallOptions,
  MetaSetResult,
} from './meta.js';
import { MultiGet } from './multi-get.js';
import { type ResolvedClientOptions, resolveClientOptions } from './options/index.js';
import type { ClientOptions } from './options.js';
import { binaryProtocolFactory, type ProtocolClientFactory } from './protocol-registry.js';
import { serializeWithFlags } from './serialize.js';
import { parseServer, type ServerSpec } from './server-address.js';
import { type Stats, typeStats } from './stats.js';
import { type TraceTarget, traceCommandMethods } from './tracing.js';

/**
 * A memcached client for one server, over TCP, a Unix socket or TLS. Many requests share one socket
 * (pipelining); see the package README for the failure rules, noreply and the options.
 */
export class Client implements MemcacheClient, TraceTarget {
  /** The server's address as text ("host:port", "[v6]:port" or a socket path). */
  readonly server: string;
  /** The options with every default applied (frozen). */
  readonly options: ResolvedClientOptions;
  /** Set with `protocol: 'binary'`: the client every call goes to. */
  private readonly binary: ReturnType<ProtocolClientFactory> | undefined;
  private readonly conn: Connection;
  private readonly serde: Serde;
  private readonly prefix: string;
  private readonly keyOptions: { allowUnicode: boolean; prefix: string };
  private readonly noreplyDefault: boolean;
  private readonly batcher: GetBatcher | undefined;
  private readonly failureListeners = new FailureListeners();

  /** @internal For the tracing channel: where this client sends its calls. */
  readonly traceServer: TraceTarget['traceServer'];

  constructor(server: ServerSpec, options: ClientOptions = {}) {
    // Every option checked once, here, before any connection exists; the layers below read the
    // resolved object only.
    const resolved = resolveClientOptions(options);
    const address = parseServer(server);
    this.conn = new Connection(address, resolved);
    this.server = this.conn.address;
    this.traceServer = Object.freeze(
      'path' in address
        ? { server: this.server, host: undefined, port: undefined, socketPath: address.path }
        : { server: this.server, host: address.host, port: address.port, socketPath: undefined },
    );
    this.options = resolved;
    this.serde = resolved.serde;
    this.prefix = resolved.keyPrefix;
    this.keyOptions = { allowUnicode: resolved.allowUnicodeKeys, prefix: this.prefix };
    this.noreplyDefault = resolved.defaultNoreply;
    this.batcher = resolved.batchGets
      ? new GetBatcher(this.conn, (entry, key) => this.serde.deserialize(key, entry.value, entry.flags))
      : undefined;
    if (resolved.protocol === 'binary') {
      // The binary protocol (SASL): every command goes to a BinaryClient, installed on this instance
      // only, so text clients pay nothing for it. It traces and applies ignoreExc itself.
      const make = binaryProtocolFactory();
      if (make === undefined)
        throw new InvalidArgumentError(
          "Client: protocol 'binary' is not loaded in this bundle: call enableBinaryProtocol() from @mc/client once",
        );
      this.binary = make(server, options);
      forwardToBinary(this, this.binary);
    } else if (resolved.ignoreExc) ignoreReadFailures(this);
  }

  /** @internal For the tracing channel. */
  get traceDefaultNoreply(): boolean {
    return this.noreplyDefault;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private key(key: string): Buffer {
    return encodeKey(key, this.keyOptions);
  }

  /** Sends one command and returns its reply; server error replies reject with their typed error. */
  private send(bytes: Buffer, expect: Expect, options?: CommandOptions, endToken?: string): Promise<Reply> {
    return this.sendMapped(bytes, expect, options, asReply, endToken);
  }

  /**
   * Sends one command; its reply is turned into the result by `map` (a static function) in the read
   * loop, so the call costs one promise. Error replies reject with their typed error.
   */
  private sendMapped<R>(
    bytes: Buffer,
    expect: Expect,
    options: CommandOptions | undefined,
    map: (reply: Reply) => R,
    endToken?: string,
  ): Promise<R> {
    const timeout = callTimeout(options?.timeout);
    this.batcher?.flush();
    return this.conn.request(bytes, expect, options?.signal, timeout, endToken, undefined, undefined, map);
  }

  private noreply(options?: NoreplyOptions): boolean {
    return options?.noreply ?? this.noreplyDefault;
  }

  /**
   * cas, incr and decr answer something the caller needs (stored or not, the new value): as in
   * pymemcache, defaultNoreply does not apply to them; only an explicit noreply does.
   */
  private explicitNoreply(options?: NoreplyOptions): boolean {
    return options?.noreply ?? false;
  }

  /** Sends a noreply command: nothing to wait for. */
  private fire(bytes: Buffer): void {
    this.batcher?.flush();
    this.conn.send(bytes);
  }

  private decode<T>(entry: ValueEntry, key: string): T {
    return this.serde.deserialize(key, entry.value, entry.flags) as T;
  }

  private checkExpire(expire: number | undefined): number {
    return expire === undefined ? 0 : checkSeconds('expire', expire);
  }

  private serialize(key: string, value: unknown, flags?: number): SerializedValue {
    return serializeWithFlags(this.serde, key, value, flags);
  }

  // ---- storage --------------------------------------------------------------------------------

  private store(
    command: StorageCommand,
    key: string,
    value: unknown,
    options?: StoreOptions,
  ): Promise<boolean> {
    try {
      // Every check before any byte is written: key, value, flags, expiry, timeout.
      const keyBytes = checkKey(key, this.keyOptions);
      const s = this.serialize(key, value, options?.flags);
      const noreply = this.noreply(options);
      const expire = this.checkExpire(options?.expire);
      // Text (the default serde's strings, JSON, digits) is encoded once, into the output slab.
      const data = s.text ?? s.bytes;
      const valueBytes = valueLength(data);
      const fullKey = this.prefix + key;
      const line = storageLine(command, fullKey, s.flags, expire, valueBytes, noreply);
      const timeout = callTimeout(options?.timeout);
      const ascii = keyBytes === fullKey.length;
      const size = (ascii ? line.length : line.length - fullKey.length + keyBytes) + valueBytes + 2;
      // Encoded straight into the connection's output (a large one into a buffer of its own there).
      this.batcher?.flush();
      const signal = options?.signal;
      const out = noreply ? this.conn.noreplyWriter() : this.conn.writer(signal);
      if (out !== undefined) {
        const offset = out.reserve(size);
        out.commit(writeStorageLine(out.target, offset, line, !ascii, data));
        if (!noreply) return this.conn.requestWritten(Expect.Store, signal, timeout, command, isStored);
        this.conn.noreplyWritten();
        return Promise.resolve(true);
      }
      // Closed, or aborted: the regular path rejects (or throws) with the right error.
      const bytes = encodeStorage(command, this.key(key), s.flags, expire, s.bytes, noreply);
      if (noreply) {
        this.fire(bytes);
        return Promise.resolve(true);
      }
      return this.sendMapped(bytes, Expect.Store, options, isStored);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.store('set', key, value, options);
  }
  add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.store('add', key, value, options);
  }
  replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.store('replace', key, value, options);
  }
  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.store('append', key, value, options);
  }
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.store('prepend', key, value, options);
  }

  async setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    const entries = entriesOf(values);
    // Validate and serialize everything first: a bad key or value fails the call before any byte is sent.
    const expire = this.checkExpire(options?.expire);
    const noreply = this.noreply(options);
    const encoded = entries.map(([key, value]) => {
      const s = this.serialize(key, value, options?.flags);
      return encodeStorage('set', this.key(key), s.flags, expire, s.bytes, noreply);
    });
    if (noreply) {
      for (const b of encoded) this.fire(b);
      return [];
    }
    const results = await Promise.all(encoded.map((b) => this.send(b, Expect.Store, options)));
    const failed: string[] = [];
    results.forEach((r, i) => {
      if (!(r.type === 'status' && r.status === 'STORED')) failed.push(entries[i]![0]);
    });
    return failed;
  }

  /** true: stored; false: the cas token no longer matches (EXISTS); undefined: the key is missing. */
  async cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    const k = this.key(key);
    if (typeof cas !== 'bigint') throw new InvalidArgumentError('cas must be a bigint token from gets()');
    const s = this.serialize(key, value, options?.flags);
    const bytes = encodeCas(
      k,
      s.flags,
      this.checkExpire(options?.expire),
      s.bytes,
      cas,
      this.explicitNoreply(options),
    );
    if (this.explicitNoreply(options)) {
      this.fire(bytes);
      return true;
    }
    const reply = await this.send(bytes, Expect.Store, options);
    if (reply.type !== 'status') return false;
    if (reply.status === 'STORED') return true;
    if (reply.status === 'NOT_FOUND') return undefined;
    return false;
  }

  // ---- retrieval ------------------------------------------------------------------------------

  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    let keyBytes: number;
    try {
      keyBytes = checkKey(key, this.keyOptions);
    } catch (err) {
      return Promise.reject(err);
    }
    const full = this.prefix + key;
    if (this.batcher && options?.timeout === undefined)
      return this.batcher.get(full, keyBytes, key, options?.signal) as Promise<T | undefined>;
    return this.getAlone<T>(full, key, options);
  }

  private async getAlone<T>(full: string, key: string, options?: CommandOptions): Promise<T | undefined> {
    const reply = await this.send(encodeGet([this.key(key)]), Expect.Values, options);
    const entry = this.single(reply, full);
    return entry ? this.decode<T>(entry, key) : undefined;
  }

  /** The one entry of a single-key reply, checked against the key asked for. */
  private single(reply: Reply, fullKey: string): ValueEntry | undefined {
    if (reply.type !== 'values' || reply.values.length === 0) return undefined;
    const entry = reply.values[0]!;
    if (reply.values.length > 1 || entry.key !== fullKey) {
      const err = new ProtocolError(
        `asked for ${JSON.stringify(fullKey)}, the server returned ${JSON.stringify(entry.key)}`,
      );
      this.conn.discard(err);
      throw err;
    }
    return entry;
  }

  /**
   * Multi-key retrieval, 100 keys per command, each written straight into the output slab. Keys are
   * sent as given (a key asked twice is sent twice, as pymemcache does); hits are matched to the keys
   * in request order (by key when a proxy reorders) and converted straight into the result Map.
   */
  private retrieveMany<R>(
    keys: Iterable<string>,
    head: 'get ' | 'gets ',
    options: CommandOptions | undefined,
    convert: (entry: ValueEntry, key: string) => R,
  ): Promise<Map<string, R>> {
    // Every key checked before any byte is written. Without a prefix the keys sent are the keys
    // asked: one array serves both.
    const prefix = this.prefix;
    // A copy (one native slice for an array): the caller may change its array while the reply is read.
    const userKeys: string[] = Array.isArray(keys) ? (keys as string[]).slice() : [...keys];
    const count = userKeys.length;
    const fullKeys: string[] = prefix.length === 0 ? userKeys : new Array<string>(count);
    /** Key bytes of each command of up to MAX_BATCH_KEYS keys. */
    const partBytes: number[] = [];
    let utf8 = false;
    let timeout: number | undefined;
    try {
      for (let i = 0; i < count; i++) {
        const k = userKeys[i]!;
        const n = checkKey(k, this.keyOptions);
        if (prefix.length !== 0) fullKeys[i] = prefix + k;
        if (n !== k.length + prefix.length) utf8 = true;
        const part = (i / MAX_BATCH_KEYS) | 0;
        partBytes[part] = (partBytes[part] ?? 0) + n;
      }
      timeout = callTimeout(options?.timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    if (count === 0) return Promise.resolve(new Map());
    const signal = options?.signal;
    const command = head === 'get ' ? 'get' : 'gets';
    return new Promise((resolve, reject) => {
      const call = new MultiGet(fullKeys, userKeys, convert, resolve, reject);
      this.batcher?.flush();
      for (let p = 0; p < partBytes.length; p++) {
        const start = p * MAX_BATCH_KEYS;
        const end = Math.min(count, start + MAX_BATCH_KEYS);
        const size = retrievalSize(head, end - start, partBytes[p]!);
        const out = this.conn.writer(signal);
        if (out === undefined) {
          call.fail(signal?.aborted ? new AbortError(signal.reason) : new ClientClosedError());
          return;
        }
        const { onReply, hint } = call.part(start, end);
        const offset = out.reserve(size);
        out.commit(writeRetrieval(out.target, offset, head, fullKeys, utf8, start, end));
        this.conn.requestWrittenCallback(Expect.Values, command, onReply, call.fail, hint, signal, timeout);
      }
    });
  }

  getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    return this.retrieveMany(keys, 'get ', options, (entry, key) => this.decode<T>(entry, key));
  }

  async gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    const reply = await this.send(encodeGets([this.key(key)]), Expect.Values, options);
    const entry = this.single(reply, this.prefix + key);
    return entry ? this.withCas<T>(entry, key) : undefined;
  }

  getsMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, CasValue<T>>> {
    return this.retrieveMany(keys, 'gets ', options, (entry, key) => this.withCas<T>(entry, key));
  }

  private withCas<T>(entry: ValueEntry, key: string): CasValue<T> {
    if (entry.cas === undefined) {
      const err = new ProtocolError('gets reply without a cas token');
      this.conn.discard(err);
      throw err;
    }
    return { value: this.decode<T>(entry, key), cas: entry.cas };
  }

  async gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    const k = this.key(key);
    const reply = await this.send(encodeGat(checkSeconds('expire', expire), [k]), Expect.Values, options);
    const entry = this.single(reply, this.prefix + key);
    return entry ? this.decode<T>(entry, key) : undefined;
  }

  async gats<T = unknown>(
    key: string,
    expire: number,
    options?: CommandOptions,
  ): Promise<CasValue<T> | undefined> {
    const k = this.key(key);
    const reply = await this.send(encodeGats(checkSeconds('expire', expire), [k]), Expect.Values, options);
    const entry = this.single(reply, this.prefix + key);
    return entry ? this.withCas<T>(entry, key) : undefined;
  }

  // ---- other keyed commands -------------------------------------------------------------------

  delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    try {
      const noreply = this.noreply(options);
      const bytes = encodeDelete(this.key(key), noreply);
      if (noreply) {
        this.fire(bytes);
        return Promise.resolve(true);
      }
      return this.sendMapped(bytes, Expect.Delete, options, isDeleted);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    const noreply = this.noreply(options);
    const encoded = [...keys].map((k) => encodeDelete(this.key(k), noreply));
    if (noreply) {
      for (const b of encoded) this.fire(b);
      return true;
    }
    await Promise.all(encoded.map((b) => this.send(b, Expect.Delete, options)));
    return true;
  }

  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.arith(encodeIncr, key, delta, options);
  }

  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.arith(encodeDecr, key, delta, options);
  }

  private async arith(
    encode: typeof encodeIncr,
    key: string,
    delta: number | bigint,
    options?: NoreplyOptions,
  ): Promise<bigint | undefined> {
    const bytes = encode(this.key(key), delta, this.explicitNoreply(options));
    if (this.explicitNoreply(options)) {
      this.fire(bytes);
      return undefined;
    }
    const reply = await this.send(bytes, Expect.Arith, options);
    return reply.type === 'number' ? reply.value : undefined;
  }

  async touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    const bytes = encodeTouch(this.key(key), checkSeconds('expire', expire), this.noreply(options));
    if (this.noreply(options)) {
      this.fire(bytes);
      return true;
    }
    const reply = await this.send(bytes, Expect.Touch, options);
    return reply.type === 'status' && reply.status === 'TOUCHED';
  }

  // ---- server-level commands ------------------------------------------------------------------

  /** `stats [args]`, typed as pymemcache types it (see stats.ts). */
  async stats(...args: string[]): Promise<Stats> {
    // Composite clients forward with fixed arity: trailing undefined arguments are not arguments.
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const reply = await this.send(encodeStats(...args), Expect.Stats);
    return reply.type === 'stats' ? typeStats(reply.stats) : {};
  }

  async version(options?: CommandOptions): Promise<string> {
    const reply = await this.send(encodeVersion(), Expect.Version, options);
    return reply.type === 'version' ? reply.version : '';
  }

  async flushAll(delay = 0, options?: NoreplyOptions): Promise<boolean> {
    const bytes = encodeFlushAll(delay, this.noreply(options));
    if (this.noreply(options)) {
      this.fire(bytes);
      return true;
    }
    await this.send(bytes, Expect.Ok, options);
    return true;
  }

  async verbosity(level: number, options?: NoreplyOptions): Promise<boolean> {
    const bytes = encodeVerbosity(level, this.noreply(options));
    if (this.noreply(options)) {
      this.fire(bytes);
      return true;
    }
    await this.send(bytes, Expect.Ok, options);
    return true;
  }

  /** `cache_memlimit <megabytes>`: changes the server's memory limit at run time. */
  async cacheMemlimit(megabytes: number, options?: NoreplyOptions): Promise<boolean> {
    const bytes = encodeCacheMemlimit(megabytes, this.noreply(options));
    if (this.noreply(options)) {
      this.fire(bytes);
      return true;
    }
    await this.send(bytes, Expect.Ok, options);
    return true;
  }

  /**
   * `shutdown [graceful]`: stops the server (it must run with -A). Resolves when the server closed
   * the connection; rejects with UnknownCommandError when shutdown is not enabled.
   */
  async shutdown(graceful?: boolean): Promise<void> {
    graceful ??= false;
    try {
      await this.send(encodeShutdown(graceful), Expect.Ok);
    } catch (err) {
      if (err instanceof ConnectionClosedError) return;
      throw err;
    }
  }

  /**
   * The escape hatch: sends any command line (validated: printable ASCII, no CR/LF) and returns the
   * raw reply up to and including `endToken` (default CRLF). Example: `raw('config get cluster', { endToken: 'END\r\n' })`.
   */
  async raw(command: string, options: RawOptions = {}): Promise<Buffer> {
    const reply = await this.send(
      encodeRaw(command, options.data),
      Expect.Raw,
      options,
      options.endToken ?? '\r\n',
    );
    return reply.type === 'raw' ? reply.bytes : Buffer.alloc(0);
  }

  // ---- meta protocol (memcached 1.6+) ---------------------------------------------------------

  /** Meta ttl (T) and touch values: the client refuses negative ones, as it does for `expire`. */
  private checkMetaTimes(o: { ttl?: number | boolean; touch?: number }): void {
    if (typeof o.ttl === 'number') checkSeconds('ttl', o.ttl);
    if (o.touch !== undefined) checkSeconds('touch', o.touch);
  }

  /** The serde's name for a meta key: the string, or base64 for binary keys. */
  private metaKeyText(key: string | Uint8Array): string {
    return typeof key === 'string' ? key : Buffer.from(key).toString('base64');
  }

  private metaResult<T>(
    key: string | Uint8Array,
    reply: Reply,
    wantValue: boolean,
  ): MetaGetResult<T> | undefined {
    if (reply.type !== 'meta') throw new ProtocolError(`expected a meta reply, got ${reply.type}`);
    if (reply.code === 'EN') return undefined;
    if (reply.code !== 'VA' && reply.code !== 'HD') throw new ProtocolError(`unexpected ${reply.code} to mg`);
    const f = reply.flags;
    const empty = reply.value !== undefined && reply.value.length === 0 && (f.clientFlags ?? 0) === 0;
    // An empty item with flags 0 and a lease flag but not stale is the placeholder vivify (N) created.
    const placeholder = empty && (f.won === true || f.alreadyWon === true) && f.stale !== true;
    const result: MetaGetResult<T> = { ...f, placeholder };
    if (wantValue && reply.value !== undefined && !placeholder)
      result.value = this.serde.deserialize(this.metaKeyText(key), reply.value, f.clientFlags ?? 0) as T;
    return result;
  }

  /**
   * `mg`: a get with typed flags and results (cas, ttl, client flags, hit-before, last access, and the
   * W/X/Z lease flags). Binary keys (Uint8Array) and keys the text protocol refuses go as base64.
   * Resolves undefined on a miss.
   */
  async metaGet<T = unknown>(
    key: string | Uint8Array,
    options: MetaGetCallOptions = {},
  ): Promise<MetaGetResult<T> | undefined> {
    const wantValue = options.value ?? true;
    this.checkMetaTimes(options);
    const { signal, timeout, ...flags } = options;
    const bytes = encodeMetaGet(key, {
      ...flags,
      value: wantValue,
      clientFlags: wantValue,
      keyOptions: this.keyOptions,
    });
    const reply = await this.send(bytes, Expect.Meta, { signal, timeout });
    return this.metaResult<T>(key, reply, wantValue);
  }

  /**
   * A multi-get as a quiet meta pipeline: one `mg <key> v f k O<i> q` per key, then `mn`. Misses send
   * nothing; every hit is matched to its request by its opaque token and checked against the echoed key.
   */
  async metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options: CommandOptions = {},
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    const list = [...keys];
    const out = new Map<string | Uint8Array, MetaGetResult<T>>();
    if (list.length === 0) return out;
    const tokens: string[] = [];
    const parts: Buffer[] = list.map((key, i) => {
      const b = encodeMetaGet(key, {
        value: true,
        clientFlags: true,
        returnKey: true,
        opaque: String(i),
        quiet: true,
        keyOptions: this.keyOptions,
      });
      tokens.push(b.toString('latin1', 3, b.indexOf(0x20, 3)));
      return b;
    });
    parts.push(encodeMetaNoop());
    this.batcher?.flush();
    const replies = await this.conn.requestBatch(
      Buffer.concat(parts),
      options.signal,
      callTimeout(options.timeout),
    );
    for (const reply of replies) {
      if (reply.type === 'error') throw reply.error;
      const i = reply.type === 'meta' ? Number(reply.flags.opaque) : Number.NaN;
      if (
        reply.type !== 'meta' ||
        !Number.isInteger(i) ||
        i < 0 ||
        i >= list.length ||
        reply.flags.key !== tokens[i]
      ) {
        const err = new ProtocolError('a quiet meta reply does not match any request (opaque or key)');
        this.conn.discard(err);
        throw err;
      }
      const r = this.metaResult<T>(list[i]!, reply, true);
      if (r) out.set(list[i]!, r);
    }
    return out;
  }

  /** `ms`: a set with typed flags (mode, cas compare, invalidate, ttl...). */
  async metaSet(
    key: string | Uint8Array,
    value: unknown,
    options: MetaSetCallOptions = {},
  ): Promise<MetaSetResult> {
    this.checkMetaTimes(options);
    const { signal, timeout, flags, ...rest } = options;
    const s = this.serialize(this.metaKeyText(key), value, flags);
    const bytes = encodeMetaSet(key, s.bytes, { ...rest, clientFlags: s.flags, keyOptions: this.keyOptions });
    const reply = await this.send(bytes, Expect.Meta, { signal, timeout });
    if (reply.type !== 'meta' || !['HD', 'NS', 'EX', 'NF'].includes(reply.code))
      throw new ProtocolError('unexpected reply to ms');
    return { ...reply.flags, stored: reply.code === 'HD', code: reply.code as MetaSetResult['code'] };
  }

  /** `md`: delete, or with `invalidate` mark the item stale (stale-while-revalidate). */
  async metaDelete(key: string | Uint8Array, options: MetaDeleteCallOptions = {}): Promise<MetaDeleteResult> {
    this.checkMetaTimes(options);
    const { signal, timeout, ...rest } = options;
    const reply = await this.send(
      encodeMetaDelete(key, { ...rest, keyOptions: this.keyOptions }),
      Expect.Meta,
      { signal, timeout },
    );
    if (reply.type !== 'meta' || !['HD', 'NF', 'EX'].includes(reply.code))
      throw new ProtocolError('unexpected reply to md');
    return { ...reply.flags, deleted: reply.code === 'HD', code: reply.code as MetaDeleteResult['code'] };
  }

  /** `ma`: incr/decr with vivify, initial value and ttl. Resolves undefined when the key is missing (NF). */
  async metaArithmetic(
    key: string | Uint8Array,
    options: MetaArithmeticCallOptions = {},
  ): Promise<MetaArithmeticResult | undefined> {
    this.checkMetaTimes(options);
    const { signal, timeout, ...rest } = options;
    const bytes = encodeMetaArithmetic(key, { ...rest, value: true, keyOptions: this.keyOptions });
    const reply = await this.send(bytes, Expect.Meta, { signal, timeout });
    if (reply.type !== 'meta') throw new ProtocolError('unexpected reply to ma');
    if (reply.code === 'NF') return undefined;
    if (reply.code !== 'VA' || !reply.value)
      throw new ProtocolError(`ma answered ${reply.code} without a value`);
    const text = Buffer.from(reply.value).toString('latin1').trim();
    if (!/^\d{1,20}$/.test(text)) throw new ProtocolError('ma returned a non-numeric value');
    return { ...reply.flags, value: BigInt(text) };
  }

  /** `mn`: a no-op round trip (answered MN). */
  async metaNoop(options?: CommandOptions): Promise<void> {
    await this.send(encodeMetaNoop(), Expect.Meta, options);
  }

  /**
   * Marks an item stale instead of deleting it (`md <key> I T<staleTtl>`): readers keep getting the old
   * value flagged stale, and exactly one of them (the one the server marks W) recomputes it.
   */
  async invalidate(key: string | Uint8Array, staleTtl = 30, options?: CommandOptions): Promise<boolean> {
    return (
      await this.metaDelete(key, {
        invalidate: true,
        ttl: staleTtl,
        signal: options?.signal,
        timeout: options?.timeout,
      })
    ).deleted;
  }

  /**
   * Read-through with a lease, against thundering herds. On a miss exactly one caller (the one the
   * server marks W) runs `loader` and stores its value with cas; the others wait and retry, or get the
   * stale value when there is one (after invalidate). A loader that throws releases the lease. See the
   * README's guide.
   */
  async getOrLoad<T>(key: string, loader: () => Promise<T> | T, options: GetOrLoadOptions = {}): Promise<T> {
    return getOrLoadWith(this, key, loader, options);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Waits for the replies of everything already sent, sends `quit`, and closes the socket. The client
   * stays usable, as in pymemcache: the next call opens a new connection. close() is final.
   */
  async quit(): Promise<void> {
    this.batcher?.flush();
    await this.conn.quit(encodeQuit());
  }

  /** Closes at once, for good. Pending requests reject with ClientClosedError; later calls too. */
  async close(): Promise<void> {
    this.conn.close();
  }

  /**
   * The SASL mechanisms the server offers (binary protocol only; with `protocol: 'binary'` this is
   * answered by the server, on the text protocol it rejects with UnsupportedCommandError).
   */
  async listMechanisms(_options?: CommandOptions): Promise<string[]> {
    throw new UnsupportedCommandError(
      'listMechanisms',
      "SASL exists only on the binary protocol (protocol: 'binary')",
    );
  }

  /** `await using`: waits for the replies in flight, sends `quit`, and closes for good. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.batcher?.flush();
    await this.conn.quit(encodeQuit(), true);
  }

  /**
   * Calls `listener` once per connection-level failure of this client (timeout, protocol error,
   * unexpected close, failed connect), with the error. Returns a function that removes it. Not
   * called for close() or quit().
   */
  onConnectionError(listener: (error: Error) => void): () => void {
    this.conn.onFailure ??= (error) => this.failureListeners.emit(error);
    return this.failureListeners.add(listener);
  }

  /** Requests queued or in flight on the connection. */
  get pendingCount(): number {
    return this.binary === undefined ? this.conn.pendingCount : this.binary.pendingCount;
  }
}

traceCommandMethods(Client, COMMAND_LIST);

/** Requests smaller than this are encoded in place; larger values are passed to the socket uncopied. */

// Reply mappers: static, so a request carries no closure of its own.
function asReply(reply: Reply): Reply {
  return reply;
}
function isStored(reply: Reply): boolean {
  return reply.type === 'status' && reply.status === 'STORED';
}
function isDeleted(reply: Reply): boolean {
  return reply.type === 'status' && reply.status === 'DELETED';
}

/** `protocol: 'binary'`: every command, and the failure hook, answered by the BinaryClient. */
function forwardToBinary(client: Client, binary: object): void {
  const self = client as unknown as Record<string | symbol, unknown>;
  const target = binary as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
  for (const name of [
    ...COMMAND_LIST.map((s) => s.name),
    'onConnectionError',
    'listMechanisms',
    Symbol.asyncDispose,
  ])
    self[name] = target[name]!.bind(binary);
}

/** A per-call timeout, checked before anything is sent. */
function callTimeout(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
    throw new InvalidArgumentError(`timeout must be a non-negative finite number of ms, got ${String(ms)}`);
  return ms;
}
