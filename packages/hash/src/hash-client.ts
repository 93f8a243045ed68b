import {
  Client,
  COMMANDS,
  type CommandDispatcher,
  type CommandOptions,
  type CommandSpec,
  encodeKey,
  entriesOf,
  forward,
  getOrLoadWith,
  InvalidArgumentError,
  installCommands,
  type MemcacheClient,
  type MemcacheCommands,
  MemcacheError,
  missOnFailure,
  type RawOptions,
  type ServerSpec,
  type SetManyInput,
  type Stats,
  type StoreOptions,
} from '@mc/client';
import { PooledClient, type PooledClientOptions } from '@mc/pool';
import type { NodeLocator } from './node-locator.js';
import { type ResolvedHashClientOptions, resolveHashClientOptions } from './options.js';
import { pymemcacheNodeName } from './rendezvous.js';

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
  /**
   * Turn every failure into the command's miss value (get → undefined, set → false, getMany → the
   * hits of the servers that answered...), as pymemcache's HashClient. A bad key or argument still
   * throws. Default false.
   */
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

/** One server of the ring, with its failure bookkeeping. */
interface Node {
  readonly name: string;
  readonly client: Member;
  /** When the last connection-level failure happened (ms), and how many retries failed since. */
  failedAt: number;
  attempts: number;
  /** Whether the server is marked failed (inside or after its retryTimeout). */
  failed: boolean;
  /** When it was marked dead (taken out of the ring), or 0. */
  deadAt: number;
  readonly stopListening: () => void;
}

export interface HashClient extends MemcacheCommands {}

/**
 * MemcacheClient across many servers, as pymemcache's HashClient: each key goes to the server its
 * hasher picks; multi-key calls are split per server in one pass, run in parallel and merged;
 * server-level calls go to every live server (stats, version and raw answer a Map by server name).
 *
 * Failures (pymemcache semantics): a connection-level failure marks the server failed. Within
 * retryTimeout after a failure, calls for its keys fail with ServerFailedError (a miss with
 * ignoreExc) without trying it; after that it is tried again, and a success clears the mark. After
 * retryAttempts failed retries it is marked dead and removed from the ring: its keys fall over to the
 * remaining servers (the hasher places them as if it had never existed). After deadTimeout it is put
 * back in the ring and rejoins when it answers.
 *
 * Cost: while every server is healthy a keyed call is one hash and one forward (no hash at all with
 * one server); failures are counted off the hot path, from the connections' failure events, once
 * per failure of a connection rather than once per request it carried.
 */
export class HashClient implements MemcacheClient, CommandDispatcher {
  private readonly hasher: NodeLocator;
  private readonly nodes = new Map<string, Node>();
  private readonly opts: ResolvedHashClientOptions;
  private readonly keyOptions: { allowUnicode: boolean; prefix: string };
  private readonly ignoreExc: boolean;
  private readonly retryAttempts: number;
  private readonly retryTimeout: number;
  private readonly deadTimeout: number;
  /** Servers failed or dead: 0 keeps every call on the fast path. */
  private unhealthy = 0;
  /** The only server of the ring, when there is exactly one: no hashing at all. */
  private single: Node | undefined;

  constructor(servers: Iterable<ServerSpec>, options: HashClientOptions = {}) {
    // Every option checked once, before any connection; members get the resolved Client (and pool) parts.
    const o = resolveHashClientOptions(options);
    this.opts = o;
    this.hasher = o.hasher;
    this.keyOptions = { allowUnicode: o.client.allowUnicodeKeys, prefix: o.client.keyPrefix };
    this.ignoreExc = o.ignoreExc;
    this.retryAttempts = o.retryAttempts;
    this.retryTimeout = o.retryTimeout;
    this.deadTimeout = o.deadTimeout;
    for (const s of servers) this.addServer(s);
  }

  /** pymemcache's name for a server ("host:port", or the socket path). */
  static nodeName(server: ServerSpec): string {
    return pymemcacheNodeName(server as string);
  }

  /** Adds a server to the ring (no-op if present). Returns its name. */
  addServer(server: ServerSpec): string {
    const name = HashClient.nodeName(server);
    if (!this.nodes.has(name)) {
      const client = this.makeMember(server);
      const node: Node = {
        name,
        client,
        failedAt: 0,
        attempts: 0,
        failed: false,
        deadAt: 0,
        stopListening: client.onConnectionError(() => this.markFailed(node)),
      };
      this.nodes.set(name, node);
    }
    if (!this.hasher.nodes.includes(name)) this.hasher.addNode(name);
    this.ringChanged();
    return name;
  }

  /** Removes a server for good and closes its connections. Throws for a server it does not have. */
  async removeServer(server: ServerSpec): Promise<void> {
    const name = HashClient.nodeName(server);
    const node = this.nodes.get(name);
    if (!node) throw new InvalidArgumentError(`HashClient has no server ${JSON.stringify(name)}`);
    this.clearFailure(node);
    if (node.deadAt !== 0) {
      node.deadAt = 0;
      this.unhealthy--;
    }
    this.nodes.delete(name);
    node.stopListening();
    if (this.hasher.nodes.includes(name)) this.hasher.removeNode(name);
    this.ringChanged();
    await node.client.close();
  }

  /** Servers by name, alive or dead. */
  get servers(): string[] {
    return [...this.nodes.keys()];
  }

  /** Servers currently marked dead. */
  get deadServers(): string[] {
    return [...this.nodes.values()].filter((n) => n.deadAt !== 0).map((n) => n.name);
  }

  private makeMember(server: ServerSpec): Member {
    const o = this.opts;
    // ignoreExc is this client's policy: the members report every error to it (o.client.ignoreExc is false).
    return o.usePooling ? new PooledClient(server, { ...o.client, ...o.pool }) : new Client(server, o.client);
  }

  private ringChanged(): void {
    const names = this.hasher.nodes;
    this.single = names.length === 1 ? this.nodes.get(names[0]!) : undefined;
  }

  // ---- failure bookkeeping (off the hot path) --------------------------------------------------

  private markFailed(node: Node): void {
    if (node.deadAt !== 0 || this.nodes.get(node.name) !== node) return;
    if (!node.failed) {
      node.failed = true;
      node.attempts = 0;
      node.failedAt = Date.now();
      this.unhealthy++;
      if (this.retryAttempts <= 0) this.markDead(node);
    } else {
      node.attempts++;
      node.failedAt = Date.now();
    }
  }

  private clearFailure(node: Node): void {
    if (!node.failed) return;
    node.failed = false;
    node.attempts = 0;
    this.unhealthy--;
  }

  private markDead(node: Node): void {
    this.clearFailure(node);
    node.deadAt = Date.now();
    this.unhealthy++;
    if (this.hasher.nodes.includes(node.name)) this.hasher.removeNode(node.name);
    this.ringChanged();
  }

  /** Brings dead servers back into the ring once deadTimeout has passed. */
  private reviveDead(): void {
    const now = Date.now();
    for (const node of this.nodes.values()) {
      if (node.deadAt !== 0 && now - node.deadAt > this.deadTimeout) {
        node.deadAt = 0;
        this.unhealthy--;
        this.hasher.addNode(node.name);
        this.ringChanged();
      }
    }
  }

  // ---- routing -------------------------------------------------------------------------------

  /** The node for a key; undefined when the ring is empty and ignoreExc is on. */
  private nodeFor(key: string): Node | undefined {
    const single = this.single;
    if (single !== undefined) return single;
    const name = this.hasher.getNode(key);
    const node = name === undefined ? undefined : this.nodes.get(name);
    if (node === undefined && !this.ignoreExc) throw new NoServersError();
    return node;
  }

  // get and set, the hottest calls: on a healthy ring, one hash (none with one server) and the
  // member's own method. Anything else takes dispatch, with the same rules.
  get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    if (this.unhealthy === 0 && !this.ignoreExc) {
      const node = this.single ?? this.healthyNode(key);
      if (node !== undefined) return node.client.get<T>(key, options);
    }
    return this.dispatch(COMMANDS.get, key, options, undefined, undefined) as Promise<T | undefined>;
  }

  set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    if (this.unhealthy === 0 && !this.ignoreExc) {
      const node = this.single ?? this.healthyNode(key);
      if (node !== undefined) return node.client.set(key, value, options);
    }
    return this.dispatch(COMMANDS.set, key, value, options, undefined) as Promise<boolean>;
  }

  /** The node of a string key on a healthy ring, or undefined (then dispatch says why). */
  private healthyNode(key: string): Node | undefined {
    if (typeof key !== 'string') return undefined;
    const name = this.hasher.getNode(key);
    return name === undefined ? undefined : this.nodes.get(name);
  }

  dispatch(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    if (spec.shape === 'key') {
      // The hot path: a healthy ring and no ignoreExc means one hash and one forward.
      if (this.unhealthy === 0 && !this.ignoreExc) {
        const single = this.single;
        if (single !== undefined) return forward(single.client, spec, a, b, c, d);
        try {
          return forward(this.nodeFor(routingKey(a))!.client, spec, a, b, c, d);
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return this.keyedSlow(spec, a, b, c, d);
    }
    try {
      switch (spec.shape) {
        case 'keys':
          return this.splitKeys(spec, a as Iterable<unknown>, b);
        case 'entries':
          return this.splitEntries(spec, a as SetManyInput, b);
        case 'all':
          return this.everyServer(spec, a, b, c, d);
        case 'perServer':
          return this.perServer(spec, a, b, c, d);
        case 'lease':
          // The lease algorithm over this client's own meta calls: routed and ignoreExc'd like any call,
          // so the loader runs once whatever fails.
          return getOrLoadWith(this, a as string, b as () => unknown, c as object);
        default:
          return this.lifecycle(spec, a, b, c, d);
      }
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private keyedSlow(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    let node: Node | undefined;
    try {
      const key = routingKey(a);
      // Validate before routing, so neither ignoreExc nor a failed server hides a bad key.
      if (typeof a === 'string') encodeKey(key, this.keyOptions);
      if (this.unhealthy > 0) this.reviveDead();
      node = this.nodeFor(key);
    } catch (err) {
      return Promise.reject(err);
    }
    if (node === undefined) return Promise.resolve(spec.miss([a, b, c, d]));
    return this.runOn(node, spec, a, b, c, d);
  }

  /** Runs a call on one server with pymemcache's failure rules and ignoreExc. */
  private runOn(
    node: Node,
    spec: CommandSpec,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ): Promise<unknown> {
    if (node.failed) {
      if (node.attempts < this.retryAttempts) {
        // Failed recently: don't touch it until retryTimeout has passed.
        if (Date.now() - node.failedAt <= this.retryTimeout) {
          if (this.ignoreExc) return Promise.resolve(spec.miss([a, b, c, d]));
          return Promise.reject(new ServerFailedError(node.name));
        }
      } else {
        // Out of retries: dead, out of the ring. As in pymemcache, this call still tries it once.
        this.markDead(node);
      }
    }
    let p = forward(node.client, spec, a, b, c, d);
    if (node.failed)
      p = p.then((r) => {
        this.clearFailure(node);
        return r;
      });
    return this.ignoreExc ? missOnFailure(p, spec, a, b, c, d) : p;
  }

  /** Runs on a node, on the fast path when nothing is unhealthy. */
  private run(
    node: Node,
    spec: CommandSpec,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ): Promise<unknown> {
    if (this.unhealthy === 0 && !this.ignoreExc) return forward(node.client, spec, a, b, c, d);
    return this.runOn(node, spec, a, b, c, d);
  }

  /** getMany, getsMany, metaGetMany, deleteMany: one pass to group the keys, one call per server. */
  private async splitKeys(spec: CommandSpec, keys: Iterable<unknown>, options: unknown): Promise<unknown> {
    if (this.unhealthy > 0) this.reviveDead();
    const list = [...new Set(keys)];
    const single = this.single;
    if (single !== undefined) return this.run(single, spec, list, options, undefined, undefined);
    const groups = new Map<Node | undefined, unknown[]>();
    for (const k of list) {
      const key = routingKey(k);
      if (typeof k === 'string' && this.unhealthy > 0) encodeKey(key, this.keyOptions);
      const node = this.nodeFor(key);
      const g = groups.get(node);
      if (g === undefined) groups.set(node, [k]);
      else g.push(k);
    }
    const parts = await Promise.all(
      [...groups].map(([node, part]) =>
        node === undefined
          ? Promise.resolve(spec.miss([part, options]))
          : this.run(node, spec, part, options, undefined, undefined),
      ),
    );
    if (spec.merge === 'and') return parts.every(Boolean);
    const out = new Map<unknown, unknown>();
    for (const p of parts as Map<unknown, unknown>[]) for (const [k, v] of p) out.set(k, v);
    return out;
  }

  /** setMany: grouped by server; the keys that were not stored, concatenated. */
  private async splitEntries(spec: CommandSpec, values: SetManyInput, options: unknown): Promise<string[]> {
    if (this.unhealthy > 0) this.reviveDead();
    const entries = entriesOf(values);
    const single = this.single;
    if (single !== undefined)
      return (await this.run(single, spec, entries, options, undefined, undefined)) as string[];
    const groups = new Map<Node | undefined, Array<readonly [string, unknown]>>();
    for (const e of entries) {
      if (this.unhealthy > 0) encodeKey(e[0], this.keyOptions);
      const node = this.nodeFor(e[0]);
      const g = groups.get(node);
      if (g === undefined) groups.set(node, [e]);
      else g.push(e);
    }
    const failed = await Promise.all(
      [...groups].map(([node, part]) =>
        node === undefined
          ? Promise.resolve(part.map(([k]) => k))
          : this.run(node, spec, part, options, undefined, undefined),
      ),
    );
    return (failed as string[][]).flat();
  }

  /** flushAll, metaNoop, verbosity, cacheMemlimit, shutdown: every live server. */
  private async everyServer(
    spec: CommandSpec,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ): Promise<unknown> {
    const results = await Promise.all(this.live().map((n) => this.run(n, spec, a, b, c, d)));
    return spec.merge === 'and' ? results.every(Boolean) : undefined;
  }

  /** stats, version, raw: every live server, by name. A server that fails is left out with ignoreExc. */
  private async perServer(
    spec: CommandSpec,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ): Promise<Map<string, unknown>> {
    const live = this.live();
    const FAILED = Symbol('failed');
    const results = await Promise.all(
      live.map((n) => {
        const p = this.run(n, spec, a, b, c, d);
        return this.ignoreExc ? p.catch(() => FAILED) : p;
      }),
    );
    const out = new Map<string, unknown>();
    live.forEach((n, i) => {
      if (results[i] !== FAILED) out.set(n.name, results[i]);
    });
    return out;
  }

  private async lifecycle(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => forward(n.client, spec, a, b, c, d)));
  }

  private live(): Node[] {
    if (this.unhealthy > 0) this.reviveDead();
    const out: Node[] = [];
    for (const name of this.hasher.nodes) {
      const n = this.nodes.get(name);
      if (n) out.push(n);
    }
    return out;
  }

  /** `stats` of every live server, by name. */
  declare readonly stats: (...args: string[]) => Promise<Map<string, Stats>>;
  /** `version` of every live server, by name. */
  declare readonly version: (options?: { signal?: AbortSignal }) => Promise<Map<string, string>>;
  /** The escape hatch on every live server, by name. */
  declare readonly raw: (command: string, options?: RawOptions) => Promise<Map<string, Buffer>>;

  /** `await using`: waits for what is in flight on every server, then closes for good. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.client[Symbol.asyncDispose]()));
  }
}
installCommands(HashClient);

/** Keys are routed by their text; binary meta keys by their base64. */
function routingKey(key: unknown): string {
  return typeof key === 'string' ? key : Buffer.from(key as Uint8Array).toString('base64');
}
