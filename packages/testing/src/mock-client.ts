import {
  type CasValue,
  ClientClosedError,
  ClientReplyError,
  type CommandOptions,
  defaultSerde,
  encodeKey,
  entriesOf,
  type GetOrLoadOptions,
  getOrLoadWith,
  InvalidArgumentError,
  type MemcacheClient,
  type MetaArithmeticCallOptions,
  type MetaArithmeticResult,
  type MetaDeleteCallOptions,
  type MetaDeleteResult,
  type MetaGetCallOptions,
  type MetaGetResult,
  type MetaSetCallOptions,
  type MetaSetResult,
  type NoreplyOptions,
  type RawOptions,
  type Serde,
  ServerError,
  type Stats,
  type StoreOptions,
  serializeWithFlags,
  UnknownCommandError,
} from '@mc/client';

/** Options of {@link MockClient}. */
export interface MockClientOptions {
  keyPrefix?: string;
  allowUnicodeKeys?: boolean;
  serde?: Serde;
  defaultNoreply?: boolean;
  /** Largest value accepted, in bytes (memcached's -I, less its item overhead). Default 1 MiB - 512. */
  itemSizeMax?: number;
  /** The clock, in ms since the epoch. Default Date.now. advance() moves it forward. */
  now?: () => number;
  /** What version() answers. Default '1.6.18' (the memcached the tests run against). */
  version?: string;
  /** The memory limit stats report as limit_maxbytes, in megabytes (memcached's -m). Default 64. */
  memoryMb?: number;
}

interface Item {
  bytes: Uint8Array;
  flags: number;
  /** Unix seconds after which the item is gone; 0 = never. */
  exptime: number;
  cas: bigint;
  storedAt: number;
  /** Invalidated by md I: served flagged X until replaced. */
  stale?: boolean;
  /** The W (recache) token was handed out; later readers see Z. */
  winSent?: boolean;
  /** lastAccess (seconds) and whether it was read before, for the h and l flags. */
  accessedAt?: number;
  fetched?: boolean;
}

const THIRTY_DAYS = 60 * 60 * 24 * 30;
const U64 = 1n << 64n;

/**
 * An in-memory MemcacheClient with the semantics of a real memcached 1.6: relative and absolute
 * expiry, cas tokens, incr wrapping at 2^64 and decr stopping at 0 (with memcached's space padding),
 * append/prepend that need an existing item, the item size limit, the same key validation and
 * serde as Client, and a clock tests control. Any difference from a real memcached is a bug: the
 * contract suite in @mc/testing/contract runs against both.
 */
export class MockClient implements MemcacheClient {
  private readonly items = new Map<string, Item>();
  private readonly serde: Serde;
  private readonly prefix: string;
  private readonly keyOptions: { allowUnicode: boolean; prefix: string };
  private readonly noreplyDefault: boolean;
  private readonly itemSizeMax: number;
  private readonly clock: () => number;
  private offsetMs = 0;
  private casCounter = 0n;
  private flushAt = 0;
  private closed = false;
  private readonly versionText: string;
  private limitMb: number;
  private verbosityLevel = 0;
  private readonly startedAt: number;
  private readonly counters = {
    cmd_get: 0,
    get_hits: 0,
    get_misses: 0,
    cmd_set: 0,
    cmd_touch: 0,
    delete_hits: 0,
    delete_misses: 0,
    incr_hits: 0,
    incr_misses: 0,
    total_items: 0,
  };

  constructor(options: MockClientOptions = {}) {
    this.serde = options.serde ?? defaultSerde;
    this.prefix = options.keyPrefix ?? '';
    this.keyOptions = { allowUnicode: options.allowUnicodeKeys ?? false, prefix: this.prefix };
    this.noreplyDefault = options.defaultNoreply ?? false;
    this.itemSizeMax = options.itemSizeMax ?? 1024 * 1024 - 512;
    this.clock = options.now ?? Date.now;
    this.versionText = options.version ?? '1.6.18';
    this.limitMb = options.memoryMb ?? 64;
    this.startedAt = this.nowSeconds();
  }

  /** Counts a lookup as memcached's get_hits/get_misses do. */
  private counted(item: Item | undefined): Item | undefined {
    this.counters.cmd_get++;
    if (item) this.counters.get_hits++;
    else this.counters.get_misses++;
    return item;
  }

  /** Moves the mock's clock forward. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  private nowSeconds(): number {
    return Math.floor((this.clock() + this.offsetMs) / 1000);
  }

  private key(key: string): string {
    if (this.closed) throw new ClientClosedError();
    return encodeKey(key, this.keyOptions).toString('utf8');
  }

  private exptime(expire: number | undefined): number {
    if (expire === undefined || expire === 0) return 0;
    if (!Number.isInteger(expire) || expire < 0)
      throw new InvalidArgumentError(
        `expire must be a non-negative integer number of seconds, got ${String(expire)}`,
      );
    // memcached: up to 30 days is relative; beyond it is an absolute Unix time (in the past: expired at once).
    return expire <= THIRTY_DAYS ? this.nowSeconds() + expire : expire;
  }

  private live(k: string): Item | undefined {
    const item = this.items.get(k);
    if (!item) return undefined;
    const now = this.nowSeconds();
    const flushed = this.flushAt !== 0 && now >= this.flushAt && item.storedAt <= this.flushAt;
    if ((item.exptime !== 0 && item.exptime <= now) || flushed) {
      this.items.delete(k);
      return undefined;
    }
    return item;
  }

  private put(k: string, bytes: Uint8Array, flags: number, exptime: number): void {
    if (bytes.length > this.itemSizeMax) throw new ServerError('object too large for cache');
    this.counters.cmd_set++;
    this.counters.total_items++;
    this.items.set(k, {
      bytes: Uint8Array.from(bytes),
      flags,
      exptime,
      cas: ++this.casCounter,
      storedAt: this.nowSeconds(),
    });
  }

  private serialize(key: string, value: unknown, flags?: number): { bytes: Uint8Array; flags: number } {
    return serializeWithFlags(this.serde, key, value, flags);
  }

  private decode<T>(key: string, item: Item): T {
    return this.serde.deserialize(key, Buffer.from(item.bytes), item.flags) as T;
  }

  private noreply(o?: NoreplyOptions): boolean {
    return o?.noreply ?? this.noreplyDefault;
  }

  private async store(
    mode: 'set' | 'add' | 'replace',
    key: string,
    value: unknown,
    o?: StoreOptions,
  ): Promise<boolean> {
    const k = this.key(key);
    const s = this.serialize(key, value, o?.flags);
    const exptime = this.exptime(o?.expire);
    const exists = this.live(k) !== undefined;
    let stored = false;
    if (mode === 'set' || (mode === 'add' && !exists) || (mode === 'replace' && exists)) {
      this.put(k, s.bytes, s.flags, exptime);
      stored = true;
    }
    return this.noreply(o) ? true : stored;
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

  private async concat(
    where: 'append' | 'prepend',
    key: string,
    value: unknown,
    o?: StoreOptions,
  ): Promise<boolean> {
    const k = this.key(key);
    const s = this.serialize(key, value, o?.flags);
    this.exptime(o?.expire);
    const item = this.live(k);
    if (!item) return this.noreply(o);
    const joined =
      where === 'append' ? Buffer.concat([item.bytes, s.bytes]) : Buffer.concat([s.bytes, item.bytes]);
    // memcached keeps the item's flags and expiry for append/prepend.
    this.put(k, joined, item.flags, item.exptime);
    return true;
  }

  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.concat('append', key, value, options);
  }
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.concat('prepend', key, value, options);
  }

  async cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    const k = this.key(key);
    if (typeof cas !== 'bigint') throw new InvalidArgumentError('cas must be a bigint token from gets()');
    const s = this.serialize(key, value, options?.flags);
    const exptime = this.exptime(options?.expire);
    const item = this.live(k);
    let result: boolean | undefined;
    if (!item) result = undefined;
    else if (item.cas !== cas) result = false;
    else {
      this.put(k, s.bytes, s.flags, exptime);
      result = true;
    }
    // As in pymemcache and Client: defaultNoreply does not apply to cas.
    return options?.noreply ? true : result;
  }

  async setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    const entries = entriesOf(values);
    for (const [k] of entries) this.key(k);
    const failed: string[] = [];
    for (const [k, v] of entries) if (!(await this.set(k, v, options))) failed.push(k);
    return this.noreply(options) ? [] : failed;
  }

  async get<T = unknown>(key: string, _options?: CommandOptions): Promise<T | undefined> {
    const item = this.counted(this.live(this.key(key)));
    return item ? this.decode<T>(key, item) : undefined;
  }

  async getMany<T = unknown>(keys: Iterable<string>, _options?: CommandOptions): Promise<Map<string, T>> {
    const list = [...new Set(keys)];
    const full = list.map((k) => this.key(k));
    const out = new Map<string, T>();
    list.forEach((k, i) => {
      const item = this.counted(this.live(full[i]!));
      if (item) out.set(k, this.decode<T>(k, item));
    });
    return out;
  }

  async gets<T = unknown>(key: string, _options?: CommandOptions): Promise<CasValue<T> | undefined> {
    const item = this.counted(this.live(this.key(key)));
    return item ? { value: this.decode<T>(key, item), cas: item.cas } : undefined;
  }

  async getsMany<T = unknown>(
    keys: Iterable<string>,
    _options?: CommandOptions,
  ): Promise<Map<string, CasValue<T>>> {
    const list = [...new Set(keys)];
    const full = list.map((k) => this.key(k));
    const out = new Map<string, CasValue<T>>();
    list.forEach((k, i) => {
      const item = this.counted(this.live(full[i]!));
      if (item) out.set(k, { value: this.decode<T>(k, item), cas: item.cas });
    });
    return out;
  }

  private touchItem(key: string, expire: number): Item | undefined {
    const k = this.key(key);
    const exptime = this.exptime(expire);
    const item = this.live(k);
    this.counters.cmd_touch++;
    if (item) item.exptime = exptime;
    return item;
  }

  async gat<T = unknown>(key: string, expire: number, _options?: CommandOptions): Promise<T | undefined> {
    const item = this.touchItem(key, expire);
    return item ? this.decode<T>(key, item) : undefined;
  }

  async gats<T = unknown>(
    key: string,
    expire: number,
    _options?: CommandOptions,
  ): Promise<CasValue<T> | undefined> {
    const item = this.touchItem(key, expire);
    return item ? { value: this.decode<T>(key, item), cas: item.cas } : undefined;
  }

  async touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    const item = this.touchItem(key, expire);
    return this.noreply(options) ? true : item !== undefined;
  }

  async delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    const k = this.key(key);
    const existed = this.live(k) !== undefined;
    if (existed) this.counters.delete_hits++;
    else this.counters.delete_misses++;
    this.items.delete(k);
    return this.noreply(options) ? true : existed;
  }

  async deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    const list = [...keys].map((k) => this.key(k));
    for (const k of list) this.items.delete(k);
    void options;
    return true;
  }

  private async arith(
    key: string,
    delta: number | bigint,
    incr: boolean,
    options?: NoreplyOptions,
  ): Promise<bigint | undefined> {
    const k = this.key(key);
    if (typeof delta === 'number' && (!Number.isSafeInteger(delta) || delta < 0))
      throw new InvalidArgumentError(`delta must be a non-negative safe integer or a bigint, got ${delta}`);
    const d = BigInt(delta);
    if (d < 0n || d >= U64) throw new InvalidArgumentError('delta must be from 0 to 2^64-1');
    const item = this.live(k);
    if (!item) return undefined;
    const text = Buffer.from(item.bytes).toString('latin1').trimEnd();
    if (!/^\d{1,20}$/.test(text) || BigInt(text) >= U64)
      throw new ClientReplyError('cannot increment or decrement non-numeric value');
    const current = BigInt(text);
    const next = incr ? (current + d) % U64 : current > d ? current - d : 0n;
    let digits = next.toString();
    // memcached rewrites in place when the number got shorter, padding with spaces.
    if (digits.length < item.bytes.length) digits = digits.padEnd(item.bytes.length, ' ');
    this.put(k, Buffer.from(digits, 'latin1'), item.flags, item.exptime);
    return options?.noreply ? undefined : next;
  }

  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.arith(key, delta, true, options);
  }
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.arith(key, delta, false, options);
  }

  // ---- meta protocol: memcached 1.6's semantics, leases included ----

  private metaKey(key: string | Uint8Array): string {
    if (typeof key !== 'string') {
      if (key.length === 0 || key.length > 250)
        throw new InvalidArgumentError('a binary key must be 1 to 250 bytes');
      return `b64:${Buffer.from(key).toString('base64')}`;
    }
    try {
      return this.key(key);
    } catch (err) {
      // Keys the text rules refuse go base64, as Client does.
      if (key.length === 0) throw err;
      return `b64:${Buffer.from(this.prefix + key, 'utf8').toString('base64')}`;
    }
  }

  private ttlOf(item: Item): number {
    return item.exptime === 0 ? -1 : Math.max(0, item.exptime - this.nowSeconds());
  }

  async metaGet<T = unknown>(
    key: string | Uint8Array,
    options: MetaGetCallOptions = {},
  ): Promise<MetaGetResult<T> | undefined> {
    const k = this.metaKey(key);
    let item = this.live(k);
    const result: MetaGetResult<T> = { placeholder: false };
    if (!item) {
      if (options.vivify === undefined) return undefined;
      // Vivify: an empty placeholder; this caller wins the right to fill it.
      this.put(k, new Uint8Array(0), 0, this.exptime(options.vivify));
      item = this.items.get(k)!;
      item.winSent = true;
      result.won = true;
      result.placeholder = true;
    } else {
      const recache =
        options.recache !== undefined && item.exptime !== 0 && this.ttlOf(item) < options.recache;
      if (item.stale || recache) {
        if (item.stale) result.stale = true;
        if (!item.winSent) {
          item.winSent = true;
          result.won = true;
        } else result.alreadyWon = true;
      } else if (item.winSent) {
        result.alreadyWon = true;
        result.placeholder = item.bytes.length === 0 && item.flags === 0;
      }
    }
    if (options.touch !== undefined) item.exptime = this.exptime(options.touch);
    if (options.cas) result.cas = item.cas;
    if (options.ttl) result.ttl = this.ttlOf(item);
    if (options.size) result.size = item.bytes.length;
    if (options.hitBefore) result.hitBefore = item.fetched === true;
    if (options.lastAccess) result.lastAccess = this.nowSeconds() - (item.accessedAt ?? item.storedAt);
    if (options.returnKey)
      result.key = typeof key === 'string' ? this.prefix + key : Buffer.from(key).toString('base64');
    if (options.opaque !== undefined) result.opaque = options.opaque;
    if ((options.value ?? true) && !result.placeholder) {
      result.clientFlags = item.flags;
      result.value = this.serde.deserialize(
        typeof key === 'string' ? key : Buffer.from(key).toString('base64'),
        Buffer.from(item.bytes),
        item.flags,
      ) as T;
    }
    if (!options.noBump) {
      item.fetched = true;
      item.accessedAt = this.nowSeconds();
    }
    return result;
  }

  async metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    _options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    const out = new Map<string | Uint8Array, MetaGetResult<T>>();
    for (const key of keys) {
      const r = await this.metaGet<T>(key);
      if (r) out.set(key, r);
    }
    return out;
  }

  async metaSet(
    key: string | Uint8Array,
    value: unknown,
    options: MetaSetCallOptions = {},
  ): Promise<MetaSetResult> {
    const k = this.metaKey(key);
    const s = this.serialize(
      typeof key === 'string' ? key : Buffer.from(key).toString('base64'),
      value,
      options.flags,
    );
    const exptime = this.exptime(options.ttl);
    const item = this.live(k);
    const mode = options.mode ?? 'set';
    if (options.compareCas !== undefined) {
      if (!item) return { stored: false, code: 'NF' };
      if (item.cas !== options.compareCas) return { stored: false, code: 'EX' };
    }
    if (
      (mode === 'add' && item) ||
      ((mode === 'replace' || mode === 'append' || mode === 'prepend') &&
        !item &&
        options.vivify === undefined)
    )
      return { stored: false, code: 'NS' };
    let bytes: Uint8Array = s.bytes;
    let flags = s.flags;
    if ((mode === 'append' || mode === 'prepend') && item) {
      bytes = mode === 'append' ? Buffer.concat([item.bytes, s.bytes]) : Buffer.concat([s.bytes, item.bytes]);
      flags = item.flags;
    }
    this.put(k, bytes, flags, mode === 'append' || mode === 'prepend' ? (item?.exptime ?? exptime) : exptime);
    const stored = this.items.get(k)!;
    return { stored: true, code: 'HD', ...(options.returnCas ? { cas: stored.cas } : {}) };
  }

  async metaDelete(key: string | Uint8Array, options: MetaDeleteCallOptions = {}): Promise<MetaDeleteResult> {
    const k = this.metaKey(key);
    const item = this.live(k);
    if (!item) return { deleted: false, code: 'NF' };
    if (options.compareCas !== undefined && item.cas !== options.compareCas)
      return { deleted: false, code: 'EX' };
    if (options.invalidate) {
      item.stale = true;
      item.winSent = false;
      item.cas = ++this.casCounter;
      if (options.ttl !== undefined) item.exptime = this.exptime(options.ttl);
    } else if (options.removeValue) {
      item.bytes = new Uint8Array(0);
    } else this.items.delete(k);
    return { deleted: true, code: 'HD' };
  }

  async metaArithmetic(
    key: string | Uint8Array,
    options: MetaArithmeticCallOptions = {},
  ): Promise<MetaArithmeticResult | undefined> {
    const k = this.metaKey(key);
    let item = this.live(k);
    if (!item) {
      if (options.vivify === undefined) return undefined;
      this.put(k, Buffer.from(String(options.initial ?? 0), 'latin1'), 0, this.exptime(options.vivify));
      item = this.items.get(k)!;
      return { value: BigInt(options.initial ?? 0), ...(options.returnCas ? { cas: item.cas } : {}) };
    }
    if (options.compareCas !== undefined && item.cas !== options.compareCas)
      throw new ClientReplyError('cas mismatch');
    const text = Buffer.from(item.bytes).toString('latin1').trimEnd();
    if (!/^\d{1,20}$/.test(text))
      throw new ClientReplyError('cannot increment or decrement non-numeric value');
    const d = BigInt(options.delta ?? 1);
    const cur = BigInt(text);
    const next = options.mode === 'decr' ? (cur > d ? cur - d : 0n) : (cur + d) % U64;
    this.put(
      k,
      Buffer.from(next.toString(), 'latin1'),
      item.flags,
      options.ttl !== undefined ? this.exptime(options.ttl) : item.exptime,
    );
    return { value: next };
  }

  async metaNoop(_options?: CommandOptions): Promise<void> {
    if (this.closed) throw new ClientClosedError();
  }

  async invalidate(key: string | Uint8Array, staleTtl = 30, _options?: CommandOptions): Promise<boolean> {
    return (await this.metaDelete(key, { invalidate: true, ttl: staleTtl })).deleted;
  }

  getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T> {
    return getOrLoadWith(this, key, loader, options);
  }

  async flushAll(delay = 0, _options?: NoreplyOptions): Promise<boolean> {
    if (!Number.isInteger(delay) || delay < 0)
      throw new InvalidArgumentError('delay must be a non-negative integer');
    if (delay === 0) this.items.clear();
    else this.flushAt = this.nowSeconds() + delay;
    return true;
  }

  // ---- server-level commands: memcached-shaped answers ----

  /**
   * `stats` as memcached 1.6 answers the general group (typed as Client types it): counters of this
   * mock's own traffic, curr_items and bytes of what it holds, limit_maxbytes from memoryMb or
   * cacheMemlimit. `stats settings` answers the settings a test can change here; other groups answer
   * empty, as memcached does for a group with nothing in it.
   */
  async stats(...args: string[]): Promise<Stats> {
    if (this.closed) throw new ClientClosedError();
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const now = this.nowSeconds();
    if (args[0] === 'settings')
      return {
        maxbytes: this.limitMb * 1024 * 1024,
        item_size_max: this.itemSizeMax + 512,
        verbosity: this.verbosityLevel,
        evictions: true,
        cas_enabled: true,
      };
    if (args.length > 0) return {};
    let bytes = 0;
    let items = 0;
    for (const k of [...this.items.keys()]) {
      const item = this.live(k);
      if (!item) continue;
      items++;
      bytes += item.bytes.length + Buffer.byteLength(k) + 50;
    }
    return {
      pid: process.pid,
      uptime: now - this.startedAt,
      time: now,
      version: this.versionText,
      pointer_size: 64,
      curr_connections: 1,
      total_connections: 1,
      ...this.counters,
      curr_items: items,
      bytes,
      limit_maxbytes: this.limitMb * 1024 * 1024,
      evictions: 0,
      threads: 1,
    };
  }

  async version(_options?: CommandOptions): Promise<string> {
    if (this.closed) throw new ClientClosedError();
    return this.versionText;
  }

  async verbosity(level: number, _options?: NoreplyOptions): Promise<boolean> {
    if (this.closed) throw new ClientClosedError();
    if (!Number.isInteger(level) || level < 0)
      throw new InvalidArgumentError('level must be a non-negative integer');
    this.verbosityLevel = level;
    return true;
  }

  async cacheMemlimit(megabytes: number, _options?: NoreplyOptions): Promise<boolean> {
    if (this.closed) throw new ClientClosedError();
    if (!Number.isInteger(megabytes) || megabytes < 1)
      throw new InvalidArgumentError('megabytes must be a positive integer');
    this.limitMb = megabytes;
    return true;
  }

  /** A mock has no server to stop: refused, as memcached refuses it without -A. */
  async shutdown(_graceful?: boolean): Promise<void> {
    if (this.closed) throw new ClientClosedError();
    throw new UnknownCommandError('shutdown not enabled');
  }

  /**
   * The escape hatch has no wire here: the mock answers `version` and `stats` in memcached's text,
   * and ERROR (UnknownCommandError) otherwise.
   */
  async raw(command: string, _options?: RawOptions): Promise<Buffer> {
    if (this.closed) throw new ClientClosedError();
    if (command === 'version') return Buffer.from(`VERSION ${this.versionText}\r\n`);
    if (command === 'stats') {
      const lines = Object.entries(await this.stats()).map(([k, v]) => `STAT ${k} ${String(v)}\r\n`);
      return Buffer.from(`${lines.join('')}END\r\n`);
    }
    throw new UnknownCommandError();
  }

  /** As Client's quit: the mock stays usable (a real client would reconnect). */
  async quit(): Promise<void> {}
  /** Final: later calls reject with ClientClosedError. */
  async close(): Promise<void> {
    this.closed = true;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    this.closed = true;
  }
}
