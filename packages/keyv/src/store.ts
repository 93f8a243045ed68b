import { EventEmitter } from 'node:events';
import {
  Client,
  InvalidArgumentError,
  isMemcacheError,
  type MemcacheClient,
  type ServerSpec,
} from '@mc/client';
import type { StoredData } from 'keyv';
import { Generations } from './generation.js';
import { dataKey, HASHED_KEY_LENGTH, MEMCACHED_MAX_KEY_LENGTH } from './keys.js';
import type { McKeyvStoreOptions } from './options.js';
import { toExptime } from './ttl.js';

/** An entry of setMany, as Keyv passes it (ttl in ms). */
export interface McKeyvEntry {
  key: string;
  value: unknown;
  ttl?: number;
}

/**
 * A Keyv storage adapter over any mc client (Client, PooledClient, HashClient,
 * ElastiCacheClient, RetryingClient, MockClient...). See the package README for the key mapping,
 * TTLs, namespaces and clear().
 *
 * It has every method of Keyv's KeyvStoreAdapter; it does not declare `implements` only because
 * that type says setMany resolves to void, while Keyv uses (and this store returns) one boolean
 * per entry.
 */
export class McKeyvStore extends EventEmitter {
  readonly client: MemcacheClient;
  /** Keyv reads `opts`; `dialect` says what this store is. */
  readonly opts: { dialect: 'memcache'; url?: string } & McKeyvStoreOptions;
  /** Set by Keyv to its namespace; undefined and '' are the same, unnamed namespace. */
  namespace: string | undefined;
  /** The byte limit of the keys this store writes (see maxKeyLength). */
  readonly maxKeyLength: number;
  private readonly generations: Generations;
  private readonly quitClient: boolean;
  /** Cleared when the server (a proxy, an old memcached) refuses meta commands: has() then uses get. */
  private metaHas = true;

  constructor(client: MemcacheClient | ServerSpec, options: McKeyvStoreOptions = {}) {
    super();
    const maxAge = options.generationMaxAge ?? 0;
    if (!(maxAge >= 0)) throw new InvalidArgumentError(`generationMaxAge must be >= 0, got ${maxAge}`);
    const made = !isClient(client);
    const given = made ? undefined : (client as MemcacheClient);
    this.maxKeyLength = options.maxKeyLength ?? MEMCACHED_MAX_KEY_LENGTH - prefixBytes(given, options);
    if (!Number.isInteger(this.maxKeyLength) || this.maxKeyLength < HASHED_KEY_LENGTH)
      throw new InvalidArgumentError(
        `maxKeyLength must be an integer of at least ${HASHED_KEY_LENGTH}, got ${this.maxKeyLength}`,
      );
    // Made only once the options are known to be good: a throwing constructor leaves nothing behind.
    this.client = given ?? new Client(client as ServerSpec, options.clientOptions);
    this.opts = {
      dialect: 'memcache',
      ...(typeof client === 'string' ? { url: client } : {}),
      ...options,
    };
    this.namespace = options.namespace;
    this.quitClient = options.quitOnDisconnect ?? made;
    this.generations = new Generations(this.client, maxAge, this.maxKeyLength);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.inGeneration((gen) => this.client.get(this.wire(gen, key)));
    return fromStored(value) as StoredData<Value> | undefined;
  }

  /** One multi-key `get` (per server); misses are undefined, in the order of `keys`. */
  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    return this.inGeneration(async (gen) => {
      const wire = keys.map((k) => this.wire(gen, k));
      const hits = await this.client.getMany(wire);
      return wire.map((w) => fromStored(hits.get(w)) as StoredData<Value | undefined>);
    });
  }

  /** Stores Keyv's value (its serialized string, or its record when Keyv's serializer is off). */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const expire = toExptime(ttl);
    if (expire === 'expired') {
      await this.delete(key);
      return true;
    }
    return this.inGeneration((gen) => this.client.set(this.wire(gen, key), value, { expire }));
  }

  /** One setMany per distinct expiry; resolves with whether each entry was stored, in order. */
  async setMany(entries: McKeyvEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const exptimes = entries.map((e) => toExptime(e.ttl));
    return this.inGeneration(async (gen) => {
      const wire = entries.map((e) => this.wire(gen, e.key));
      const groups = new Map<number, Array<[string, unknown]>>();
      const expired: string[] = [];
      entries.forEach((e, i) => {
        const exp = exptimes[i]!;
        if (exp === 'expired') {
          expired.push(wire[i]!);
          return;
        }
        let group = groups.get(exp);
        if (group === undefined) groups.set(exp, (group = []));
        group.push([wire[i]!, e.value]);
      });
      const results = await Promise.all([
        ...[...groups].map(([expire, group]) => this.client.setMany(group, { expire })),
        ...expired.map((k) => this.client.delete(k).then(() => [] as string[])),
      ]);
      const notStored = new Set(results.flat());
      return wire.map((w) => !notStored.has(w));
    });
  }

  /** true when the key existed. */
  async delete(key: string): Promise<boolean> {
    return this.inGeneration((gen) => this.client.delete(this.wire(gen, key)));
  }

  /**
   * Deletes every key; true when every one of them existed (Keyv's rule). The deletes are
   * pipelined: one write per server, as the client's deleteMany sends them, but with each answer.
   */
  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    return this.inGeneration(async (gen) => {
      const found = await Promise.all(keys.map((k) => this.client.delete(this.wire(gen, k))));
      return found.every(Boolean);
    });
  }

  /**
   * Whether memcached holds the key: `mg <key>` without the value, or a get where meta commands are
   * refused. memcached counts whole seconds, so has() may answer true for up to two seconds after
   * the entry's exact (ms) expiry, which get() never shows.
   */
  async has(key: string): Promise<boolean> {
    return this.inGeneration(async (gen) => {
      const wire = this.wire(gen, key);
      if (this.metaHas) {
        try {
          return (await this.client.metaGet(wire, { value: false })) !== undefined;
        } catch (err) {
          if (!isMemcacheError(err) || (err as { code: string }).code !== 'MC_ERR_UNKNOWN_COMMAND') throw err;
          this.metaHas = false;
        }
      }
      return (await this.client.get(wire)) !== undefined;
    });
  }

  /** Answers per key, pipelined. */
  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.has(k)));
  }

  /**
   * Removes every entry of this store's namespace, for every client, without flush_all: it writes
   * a new generation token, so the old keys are never read again (memcached frees them by expiry
   * or eviction).
   */
  async clear(): Promise<void> {
    await this.generations.bump(this.ns());
  }

  /** Quits the client when the store owns it (see quitOnDisconnect). */
  async disconnect(): Promise<void> {
    if (this.quitClient) await this.client.quit();
  }

  private ns(): string {
    return this.namespace ?? '';
  }

  /** The memcached key of a Keyv key, which Keyv gives as `<namespace>:<key>`. */
  private wire(gen: string, key: string): string {
    const ns = this.ns();
    const own = ns !== '' && key.startsWith(`${ns}:`) ? key.slice(ns.length + 1) : key;
    return dataKey(ns, gen, own, this.maxKeyLength);
  }

  /**
   * Runs `op` with the namespace's generation. With a token read within generationMaxAge: at once.
   * Otherwise `op` runs with the last token known while the token is read in the same tick (so the
   * client sends both together); if the token changed (a clear() elsewhere), `op` runs again with
   * the new one, and the first result is dropped.
   */
  private async inGeneration<R>(op: (gen: string) => Promise<R>): Promise<R> {
    const ns = this.ns();
    const fresh = this.generations.fresh(ns);
    if (fresh !== undefined) return op(fresh);
    const last = this.generations.last(ns);
    if (last === undefined) return op(await this.generations.read(ns));
    const [result, current] = await Promise.all([op(last), this.generations.read(ns)]);
    return current === last ? result : op(current);
  }
}

function isClient(x: unknown): x is MemcacheClient {
  return typeof x === 'object' && x !== null && typeof (x as { get?: unknown }).get === 'function';
}

/**
 * Bytes of the keyPrefix of the client: the one given (when it shows its options, as Client does),
 * or the one the store will make from clientOptions.
 */
function prefixBytes(client: MemcacheClient | undefined, options: McKeyvStoreOptions): number {
  const prefix =
    client === undefined
      ? options.clientOptions?.keyPrefix
      : (client as { options?: { keyPrefix?: unknown } }).options?.keyPrefix;
  return typeof prefix === 'string' ? Buffer.byteLength(prefix, 'utf8') : 0;
}

/**
 * Keyv's values come back as stored. Bytes are decoded as UTF-8: a value another client wrote
 * without flags (memjs, so @keyv/memcache) is Keyv's serialized string too.
 */
function fromStored(value: unknown): unknown {
  return value instanceof Uint8Array
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
    : value;
}
