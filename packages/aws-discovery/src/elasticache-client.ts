import { channel } from 'node:diagnostics_channel';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import {
  type CasValue,
  Client,
  type CommandOptions,
  type GetOrLoadOptions,
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
  type ServerSpec,
  type StoreOptions,
} from '@mc/client';
import { HashClient, type HashClientOptions, KetamaHash, type NodeLocator } from '@mc/hash';
import type { ClusterConfig, ClusterNode } from './config.js';
import { ask } from './discover.js';
import { DiscoveryError } from './errors.js';

/** Published on every change of the node list: { endpoint, version, added, removed }. */
export const changeChannel = channel('mc:aws-discovery:change');

/** How a node is addressed. */
export type Addressing =
  /** Its IP address (no DNS). */
  | 'ip'
  /** Its hostname (needed when TLS verifies the node's certificate by name). */
  | 'hostname'
  /** Its hostname when it resolves, else its IP. */
  | 'hostname-or-ip';

/** Options of {@link ElastiCacheClient}. Client options (timeouts, tls, serde, keyPrefix...) apply to the endpoint and every node. */
export interface ElastiCacheClientOptions extends Omit<HashClientOptions, 'hasher'> {
  /** ms between polls of the configuration endpoint. Default 60000. */
  pollInterval?: number;
  /** Always use the legacy `get AmazonElastiCache:cluster`. Default false (it is used when the endpoint answers ERROR). */
  legacy?: boolean;
  /** How nodes are addressed. Default 'hostname-or-ip'. */
  addressing?: Addressing;
  /** ms to wait for a hostname lookup in 'hostname-or-ip'. Default 1000. */
  lookupTimeout?: number;
  /** Makes the placement. Default: ketama as libmemcached's KETAMA_WEIGHTED, what AWS's cluster clients use. */
  hasher?: () => NodeLocator;
}

/** What a change event carries. */
export interface ClusterChange {
  version: number;
  added: ClusterNode[];
  removed: ClusterNode[];
}

const nodeId = (n: ClusterNode) => `${n.hostname}|${n.ip}|${n.port}`;

/**
 * A MemcacheClient over an ElastiCache (memcached) cluster whose nodes come from its configuration
 * endpoint. It polls the endpoint, and when the config version changes it adds and removes servers on
 * its HashClient; connections to unchanged nodes stay open. A failed or malformed poll keeps the last
 * good list (it never empties the cluster), is reported as an 'error' event when someone listens, and
 * is retried at the next interval.
 *
 * Events: 'change' (ClusterChange), 'error' (DiscoveryError | MalformedConfigError; only emitted when
 * a listener is attached, so an unhandled poll failure never crashes the process).
 */
export class ElastiCacheClient extends EventEmitter implements MemcacheClient {
  readonly endpoint: string;
  private readonly opts: ElastiCacheClientOptions;
  private readonly endpointClient: Client;
  private readonly hash: HashClient;
  private current: ClusterConfig | undefined;
  /** Node id → the server name HashClient knows it by. */
  private readonly serverOf = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private legacy: boolean;
  private closed = false;

  constructor(endpoint: ServerSpec, options: ElastiCacheClientOptions = {}) {
    super();
    this.opts = options;
    const { pollInterval, legacy, addressing, lookupTimeout, hasher, ...hashOptions } = options;
    const {
      usePooling,
      retryAttempts,
      retryTimeout,
      deadTimeout,
      ignoreExc,
      maxPoolSize,
      poolIdleTimeout,
      acquireTimeout,
      ...clientOptions
    } = hashOptions;
    this.endpointClient = new Client(endpoint, { ...clientOptions, keyPrefix: '' });
    this.endpoint = this.endpointClient.server;
    this.legacy = legacy ?? false;
    this.hash = new HashClient([], {
      ...hashOptions,
      hasher: hasher ? hasher() : KetamaHash.libmemcachedWeighted([]),
    });
  }

  /** The nodes in use, as the endpoint listed them. */
  get nodes(): ClusterNode[] {
    return this.current ? [...this.current.nodes] : [];
  }

  /** The config version in use, or undefined before the first successful poll. */
  get version(): number | undefined {
    return this.current?.version;
  }

  /** The HashClient the calls go through. */
  get hashClient(): HashClient {
    return this.hash;
  }

  /**
   * Polls once and starts the poller. Calls wait for it implicitly; call it yourself to fail fast
   * when the endpoint is unreachable at start-up (it rejects with the first poll's error).
   */
  start(): Promise<void> {
    this.started ??= this.pollOnce(true).then(() => {
      if (!this.closed) this.schedule();
    });
    return this.started;
  }

  /** Polls the endpoint now (also what the timer does). Never rejects after start-up: errors are emitted. */
  refresh(): Promise<void> {
    return this.pollOnce(false);
  }

  private schedule(): void {
    const every = this.opts.pollInterval ?? 60_000;
    this.timer = setInterval(() => {
      void this.pollOnce(false);
    }, every);
    this.timer.unref();
  }

  private pollOnce(throwErrors: boolean): Promise<void> {
    // One poll at a time; a tick that comes while one runs joins it.
    this.polling ??= this.poll(throwErrors).finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async poll(throwErrors: boolean): Promise<void> {
    let config: ClusterConfig & { legacy: boolean };
    try {
      config = await ask(this.endpointClient, this.legacy);
      this.legacy = config.legacy;
    } catch (err) {
      const e = err instanceof Error ? err : new DiscoveryError(String(err));
      if (throwErrors && !this.current) throw e;
      if (this.listenerCount('error') > 0) this.emit('error', e);
      return;
    }
    if (this.closed) return;
    if (this.current && config.version === this.current.version) return; // only a new version rebuilds
    await this.apply({ version: config.version, nodes: config.nodes });
  }

  private async apply(next: ClusterConfig): Promise<void> {
    const before = new Map((this.current?.nodes ?? []).map((n) => [nodeId(n), n]));
    const after = new Map(next.nodes.map((n) => [nodeId(n), n]));
    const added = [...after].filter(([id]) => !before.has(id)).map(([, n]) => n);
    const removed = [...before].filter(([id]) => !after.has(id)).map(([, n]) => n);
    // Add first, then remove: the ring is never empty during a change.
    for (const node of added)
      this.serverOf.set(nodeId(node), this.hash.addServer(await this.addressOf(node)));
    for (const node of removed) {
      const name = this.serverOf.get(nodeId(node));
      this.serverOf.delete(nodeId(node));
      if (name) await this.hash.removeServer(name);
    }
    this.current = next;
    const change: ClusterChange = { version: next.version, added, removed };
    if (changeChannel.hasSubscribers) changeChannel.publish({ endpoint: this.endpoint, ...change });
    this.emit('change', change);
  }

  private async addressOf(node: ClusterNode): Promise<ServerSpec> {
    const mode = this.opts.addressing ?? 'hostname-or-ip';
    if (mode === 'ip' && node.ip) return { host: node.ip, port: node.port };
    if (mode === 'hostname' || !node.ip) return { host: node.hostname, port: node.port };
    const ms = this.opts.lookupTimeout ?? 1000;
    const resolved = await Promise.race([
      lookup(node.hostname).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(r, ms, false).unref()),
    ]);
    return { host: resolved ? node.hostname : node.ip, port: node.port };
  }

  private async ready(): Promise<HashClient> {
    await this.start();
    return this.hash;
  }

  async set(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return (await this.ready()).set(key, value, options);
  }
  async setMany(
    values: Iterable<readonly [string, unknown]> | Record<string, unknown>,
    options?: StoreOptions,
  ): Promise<string[]> {
    return (await this.ready()).setMany(values, options);
  }
  async add(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return (await this.ready()).add(key, value, options);
  }
  async replace(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return (await this.ready()).replace(key, value, options);
  }
  async append(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return (await this.ready()).append(key, value, options);
  }
  async prepend(key: string, value: unknown, options?: StoreOptions): Promise<boolean> {
    return (await this.ready()).prepend(key, value, options);
  }
  async cas(key: string, value: unknown, cas: bigint, options?: StoreOptions): Promise<boolean | undefined> {
    return (await this.ready()).cas(key, value, cas, options);
  }
  async get<T = unknown>(key: string, options?: CommandOptions): Promise<T | undefined> {
    return (await this.ready()).get<T>(key, options);
  }
  async getMany<T = unknown>(keys: Iterable<string>, options?: CommandOptions): Promise<Map<string, T>> {
    return (await this.ready()).getMany<T>(keys, options);
  }
  async gets<T = unknown>(key: string, options?: CommandOptions): Promise<CasValue<T> | undefined> {
    return (await this.ready()).gets<T>(key, options);
  }
  async getsMany<T = unknown>(
    keys: Iterable<string>,
    options?: CommandOptions,
  ): Promise<Map<string, CasValue<T>>> {
    return (await this.ready()).getsMany<T>(keys, options);
  }
  async gat<T = unknown>(key: string, expire: number, options?: CommandOptions): Promise<T | undefined> {
    return (await this.ready()).gat<T>(key, expire, options);
  }
  async gats<T = unknown>(
    key: string,
    expire: number,
    options?: CommandOptions,
  ): Promise<CasValue<T> | undefined> {
    return (await this.ready()).gats<T>(key, expire, options);
  }
  async delete(key: string, options?: NoreplyOptions): Promise<boolean> {
    return (await this.ready()).delete(key, options);
  }
  async deleteMany(keys: Iterable<string>, options?: NoreplyOptions): Promise<boolean> {
    return (await this.ready()).deleteMany(keys, options);
  }
  async incr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return (await this.ready()).incr(key, delta, options);
  }
  async decr(key: string, delta: number | bigint, options?: NoreplyOptions): Promise<bigint | undefined> {
    return (await this.ready()).decr(key, delta, options);
  }
  async touch(key: string, expire: number, options?: NoreplyOptions): Promise<boolean> {
    return (await this.ready()).touch(key, expire, options);
  }
  async flushAll(delay?: number, options?: NoreplyOptions): Promise<boolean> {
    return (await this.ready()).flushAll(delay, options);
  }

  async metaGet<T = unknown>(
    key: string | Uint8Array,
    options?: MetaGetCallOptions,
  ): Promise<MetaGetResult<T> | undefined> {
    return (await this.ready()).metaGet<T>(key, options);
  }
  async metaGetMany<T = unknown>(
    keys: Iterable<string | Uint8Array>,
    options?: CommandOptions,
  ): Promise<Map<string | Uint8Array, MetaGetResult<T>>> {
    return (await this.ready()).metaGetMany<T>(keys, options);
  }
  async metaSet(
    key: string | Uint8Array,
    value: unknown,
    options?: MetaSetCallOptions,
  ): Promise<MetaSetResult> {
    return (await this.ready()).metaSet(key, value, options);
  }
  async metaDelete(key: string | Uint8Array, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult> {
    return (await this.ready()).metaDelete(key, options);
  }
  async metaArithmetic(
    key: string | Uint8Array,
    options?: MetaArithmeticCallOptions,
  ): Promise<MetaArithmeticResult | undefined> {
    return (await this.ready()).metaArithmetic(key, options);
  }
  async metaNoop(options?: CommandOptions): Promise<void> {
    return (await this.ready()).metaNoop(options);
  }
  async invalidate(key: string | Uint8Array, staleTtl?: number, options?: CommandOptions): Promise<boolean> {
    return (await this.ready()).invalidate(key, staleTtl, options);
  }
  async getOrLoad<T>(key: string, loader: () => Promise<T> | T, options?: GetOrLoadOptions): Promise<T> {
    return (await this.ready()).getOrLoad(key, loader, options);
  }

  /** Stops the poller (no timer is left) and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.endpointClient.close(), this.hash.close()]);
  }

  async quit(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.endpointClient.quit(), this.hash.quit()]);
  }
}
