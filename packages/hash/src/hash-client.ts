import {
  type CasValue,
  Client,
  type ClientOptions,
  type CommandOptions,
  encodeKey,
  entriesOf,
  type GetOrLoadOptions,
  isConnectionError,
  type MemcacheClient,
  MemcacheError,
  type MetaArithmeticCallOptions,
  type MetaArithmeticResult,
  type MetaDeleteCallOptions,
  type MetaDeleteResult,
  type MetaGetCallOptions,
  type MetaGetResult,
  type MetaSetCallOptions,
  type MetaSetResult,
  type NoreplyOptions,
  type ServerSpec,
  type Stats,
  type StoreOptions,
} from '@mc/client';
import { PooledClient, type PooledClientOptions } from '@mc/pool';
import type { NodeLocator } from './node-locator.js';
import { pymemcacheNodeName, RendezvousHash } from './rendezvous.js';

/** Options of {@link HashClient}. Client (or PooledClient) options apply to every server. */
export interface HashClientOptions extends PooledClientOptions {
  /** Placement. Default: a RendezvousHash (pymemcache's default). Any NodeLocator works. */
  hasher?: NodeLocator;
  /** A PooledClient per server instead of a Client. Default false. */
  usePooling?: boolean;
  /** Failures tolerated (each one retried after retryTimeout) before a server is marked dead. Default 2. */
  retryAttempts?: number;
  /** ms after a failure before the server is tried again. Default 1000. */
  retryTimeout?: number;
  /** ms a dead server stays out of the ring before it is tried again. Default 60000. */
  deadTimeout?: number;
  /** Turn failures into misses (get → undefined, set → false, ...) instead of errors. Default false. */
  ignoreExc?: boolean;
}

/** No server is left in the ring (all are dead). */
export class NoServersError extends MemcacheError {
  constructor() {
    super('MC_ERR_NO_SERVERS', 'all servers seem to be down right now', { retryable: true });
  }
}

/**
 * The server failed recently and is not tried again until retryTimeout has passed. (pymemcache
 * returns the miss value here even without ignore_exc; mc says so with this error instead, because a
 * silent miss hides an outage. With ignoreExc it is a miss, as in pymemcache.)
 */
export class ServerFailedError extends MemcacheError {
  readonly server: string;
  constructor(server: string) {
    super('MC_ERR_SERVER_FAILED', `server ${server} failed recently and waits for retryTimeout`, {
      retryable: true,
    });
    this.server = server;
  }
}

type Member = Client | PooledClient;

interface Failure {
  failedAt: number;
  attempts: number;
}

/**
 * MemcacheClient across many servers, as pymemcache's HashClient: each key goes to the server its
 * hasher picks; multi-key calls are split per server, run in parallel and merged.
 *
 * Failures (pymemcache semantics): a connection-level failure marks the server failed. Within
 * retryTimeout after a failure, calls for its keys return the miss value without trying it; after that
 * it is tried again, and a success clears the mark. After retryAttempts failures it is marked dead and
 * removed from the ring: its keys fall over to the remaining servers (the hasher places them as if
 * it had never existed). After deadTimeout it is put back in the ring and rejoins when it answers.
 * With ignoreExc every error becomes the miss value; without it, errors reach the caller.
 */
export class HashClient implements MemcacheClient {
  private readonly hasher: NodeLocator;
  private readonly members = new Map<string, Member>();
  private readonly specs = new Map<string, ServerSpec>();
  private readonly failed = new Map<string, Failure>();
  private readonly dead = new Map<string, number>();
  private readonly opts: HashClientOptions;
  private readonly keyOptions: { allowUnicode: boolean; prefix: string };

  constructor(servers: Iterable<ServerSpec>, options: HashClientOptions = {}) {
    this.opts = options;
    this.hasher = options.hasher ?? new RendezvousHash();
    this.keyOptions = { allowUnicode: options.allowUnicodeKeys ?? false, prefix: options.keyPrefix ?? '' };
    for (const s of servers) this.addServer(s);
  }

  /** pymemcache's name for a server ("host:port", or the socket path). */
  static nodeName(server: ServerSpec): string {
    return pymemcacheNodeName(server as string);
  }

  /** Adds a server to the ring (no-op if present). */
  addServer(server: ServerSpec): string {
    const name = HashClient.nodeName(server);
    if (!this.members.has(name)) {
      this.members.set(name, this.makeMember(server));
      this.specs.set(name, server);
    }
    this.hasher.addNode(name);
    return name;
  }

  /** Removes a server for good and closes its connections. */
  async removeServer(server: ServerSpec): Promise<void> {
    const name = HashClient.nodeName(server);
    const m = this.members.get(name);
    this.members.delete(name);
    this.specs.delete(name);
    this.failed.delete(name);
    this.dead.delete(name);
    if (this.hasher.nodes.includes(name)) this.hasher.removeNode(name);
    await m?.close();
  }

  /** Servers by name, alive or dead. */
  get servers(): string[] {
    return [...this.members.keys()];
  }

  /** Servers currently marked dead. */
  get deadServers(): string[] {
    return [...this.dead.keys()];
  }

  private makeMember(server: ServerSpec): Member {
    const {
      hasher,
      usePooling,
      retryAttempts,
      retryTimeout,
      deadTimeout,
      ignoreExc,
      maxPoolSize,
      poolIdleTimeout,
      acquireTimeout,
      ...client
    } = this.opts;
    return usePooling
      ? new PooledClient(server, { ...client, maxPoolSize, poolIdleTimeout, acquireTimeout })
      : new Client(server, client as ClientOptions);
  }

  private markDead(name: string): void {
    this.failed.delete(name);
    this.dead.set(name, Date.now());
    if (this.hasher.nodes.includes(name)) this.hasher.removeNode(name);
  }

  /** Brings dead servers back into the ring once deadTimeout has passed. */
  private reviveDead(): void {
    if (this.dead.size === 0) return;
    const now = Date.now();
    const timeout = this.opts.deadTimeout ?? 60_000;
    for (const [name, at] of this.dead) {
      if (now - at > timeout) {
        this.dead.delete(name);
        this.hasher.addNode(name);
      }
    }
  }

  /** The server for a key, validating the key first (so ignoreExc never hides a bad key). */
  private route(key: string): string | undefined {
    encodeKey(key, this.keyOptions);
    this.reviveDead();
    const name = this.hasher.getNode(key);
    if (name === undefined && !this.opts.ignoreExc) throw new NoServersError();
    return name;
  }

  /** Runs fn on a server with pymemcache's failure bookkeeping. */
  private async run<R>(name: string | undefined, fn: (m: Member) => Promise<R>, miss: R): Promise<R> {
    if (name === undefined) return miss;
    const member = this.members.get(name);
    if (!member) return miss;
    const failure = this.failed.get(name);
    const retryAttempts = this.opts.retryAttempts ?? 2;
    if (failure) {
      if (failure.attempts < retryAttempts) {
        // Failed recently: don't touch it until retryTimeout has passed.
        if (Date.now() - failure.failedAt <= (this.opts.retryTimeout ?? 1000)) {
          if (this.opts.ignoreExc) return miss;
          throw new ServerFailedError(name);
        }
      } else {
        // Out of retries: dead, out of the ring. As in pymemcache, this call still tries it once.
        this.markDead(name);
      }
    }
    try {
      const r = await fn(member);
      this.failed.delete(name);
      return r;
    } catch (err) {
      if (isConnectionError(err) && !this.dead.has(name)) this.markFailed(name);
      if (!this.opts.ignoreExc) throw err;
      return miss;
    }
  }

  private markFailed(name: string): void {
    const retryAttempts = this.opts.retryAttempts ?? 2;
    const f = this.failed.get(name);
    if (!f) {
      this.failed.set(name, { failedAt: Date.now(), attempts: 0 });
      if (retryAttempts <= 0) this.markDead(name);
    } else {
      f.attempts++;
      f.failedAt = Date.now();
    }
  }

  private one<R>(key: string, fn: (m: Member) => Promise<R>, miss: R): Promise<R> {
    let name: string | undefined;
    try {
      name = this.route(key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(name, fn, miss);
  }

  /** Groups keys by server. */
  private group<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string | undefined, T[]> {
    const groups = new Map<string | undefined, T[]>();
    for (const item of items) {
      const name = this.route(keyOf(item));
      const g = groups.get(name);
      if (g) g.push(item);
      else groups.set(name, [item]);
    }
    return groups;
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.one(key, (m) => m.set(key, value, options), false);
  }
  add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.one(key, (m) => m.add(key, value, options), false);
  }
  replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.one(key, (m) => m.replace(key, value, options), false);
  }
  append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.one(key, (m) => m.append(key, value, options), false);
  }
  prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return this.one(key, (m) => m.prepend(key, value, options), false);
  }
  cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    return this.one<boolean | undefined>(key, (m) => m.cas(key, value, cas, options), false);
  }
  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    return this.one<T | undefined>(key, (m) => m.get<T>(key, options), undefined);
  }
  gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.one<CasValue<T> | undefined>(key, (m) => m.gets<T>(key, options), undefined);
  }
  gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    return this.one<T | undefined>(key, (m) => m.gat<T>(key, expire, options), undefined);
  }
  gats<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return this.one<CasValue<T> | undefined>(key, (m) => m.gats<T>(key, expire, options), undefined);
  }
  delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    return this.one(key, (m) => m.delete(key, options), false);
  }
  incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.one<bigint | undefined>(key, (m) => m.incr(key, delta, options), undefined);
  }
  decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return this.one<bigint | undefined>(key, (m) => m.decr(key, delta, options), undefined);
  }
  touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    return this.one(key, (m) => m.touch(key, expire, options), false);
  }

  // Meta calls are routed like the rest: binary keys by their base64 text.
  private metaKey(key: string | Uint8Array): string {
    return typeof key === 'string' ? key : Buffer.from(key).toString('base64');
  }
  metaGet<T = unknown>(
    key: string | Uint8Array,
    options?: MetaGetCallOptions,
  ): Promise<MetaGetResult<T> | undefined> {
    return this.one<MetaGetResult<T> | undefined>(
      this.metaKey(key),
      (m) => m.metaGet<T>(key, options),
      undefined,
    );
  }
  metaSet(key: string | Uint8Array, value: unknown, options?: MetaSetCallOptions): Promise<MetaSetResult> {
    return this.one(this.metaKey(key), (m) => m.metaSet(key, value, options), {
      stored: false,
      code: 'NS' as const,
    });
  }
  metaDelete(key: string | Uint8Array, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult> {
    return this.one(this.metaKey(key), (m) => m.metaDelete(key, options), {
      deleted: false,
      code: 'NF' as const,
    });
  }
  metaArithmetic(
    key: string | Uint8Array,
    options?: MetaArithmeticCallOptions,
  ): Promise<MetaArithmeticResult | undefined> {
    return this.one<MetaArithmeticResult | undefined>(
      this.metaKey(key),
      (m) => m.metaArithmetic(key, options),
      undefined,
    );
  }
  invalidate(key: string | Uint8Array, staleTtl?: number, options?: CommandOptions): Promise<boolean> {
    return this.one(this.metaKey(key), (m) => m.invalidate(key, staleTtl, options), false);
  }
  /** Split per server, run in parallel, merged; each part is its own quiet pipeline. */
  async metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    const groups = this.group(keys, (k) => this.metaKey(k));
    const parts = await Promise.all(
      [...groups].map(([name, part]) =>
        this.run(
          name,
          (m) => m.metaGetMany<T>(part, options),
          new Map<string | Uint8Array, MetaGetResult<T>>(),
        ),
      ),
    );
    const out = new Map<string | Uint8Array, MetaGetResult<T>>();
    for (const p of parts) for (const [k, v] of p) out.set(k, v);
    return out;
  }
  /** `mn` to every live server. */
  async metaNoop(options?: CommandOptions): Promise<void> {
    await Promise.all(this.live().map((name) => this.run(name, (m) => m.metaNoop(options), undefined)));
  }
  getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T> {
    let name: string | undefined;
    try {
      name = this.route(key);
    } catch (err) {
      return Promise.reject(err);
    }
    // With ignoreExc a failing server must not stop the load: the loader's value is returned uncached.
    return this.run(name, (m) => m.getOrLoad(key, loader, options), undefined as T | undefined).then((v) =>
      v === undefined ? loader() : v,
    );
  }

  private async many<R>(
    keys: Iterable<string>,
    fn: (m: Member, part: string[]) => Promise<Map<string, R>>,
  ): Promise<Map<string, R>> {
    const groups = this.group(new Set(keys), (k) => k);
    const parts = await Promise.all(
      [...groups].map(([name, part]) => this.run(name, (m) => fn(m, part), new Map<string, R>())),
    );
    const out = new Map<string, R>();
    for (const p of parts) for (const [k, v] of p) out.set(k, v);
    return out;
  }

  getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    return this.many<T>(keys, (m, part) => m.getMany<T>(part, options));
  }
  getsMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, CasValue<T>>> {
    return this.many<CasValue<T>>(keys, (m, part) => m.getsMany<T>(part, options));
  }

  async setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    const entries = entriesOf(values);
    const groups = this.group(entries, ([k]) => k);
    const failed = await Promise.all(
      [...groups].map(([name, part]) =>
        this.run(
          name,
          (m) => m.setMany(part, options),
          part.map(([k]) => k),
        ),
      ),
    );
    return failed.flat();
  }

  async deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    const groups = this.group(keys, (k) => k);
    await Promise.all(
      [...groups].map(([name, part]) => this.run(name, (m) => m.deleteMany(part, options), false)),
    );
    return true;
  }

  /** flush_all on every live server. */
  async flushAll(delay?: number, options?: NoreplyOptions): Promise<boolean> {
    const results = await Promise.all(
      this.live().map((name) => this.run(name, (m) => m.flushAll(delay, options), false)),
    );
    return results.every(Boolean);
  }

  /** `stats` of every live server, by name. A server that fails is left out (or rejects, without ignoreExc). */
  async stats(...args: string[]): Promise<Map<string, Stats>> {
    return this.perServer((m) => m.stats(...args));
  }

  /** `version` of every live server, by name. */
  async version(): Promise<Map<string, string>> {
    return this.perServer((m) => m.version());
  }

  private async perServer<R>(fn: (m: Member) => Promise<R>): Promise<Map<string, R>> {
    const names = this.live();
    const results = await Promise.all(names.map((name) => this.run<R | undefined>(name, fn, undefined)));
    const out = new Map<string, R>();
    names.forEach((n, i) => {
      if (results[i] !== undefined) out.set(n, results[i] as R);
    });
    return out;
  }

  private live(): string[] {
    this.reviveDead();
    return [...this.hasher.nodes];
  }

  async quit(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.quit()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.close()));
  }
}
