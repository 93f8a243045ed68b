import { channel } from 'node:diagnostics_channel';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import {
  Client,
  ClientClosedError,
  type CommandDispatcher,
  type CommandSpec,
  forward,
  installCommands,
  isMemcacheError,
  type MemcacheClient,
  type MemcacheCommands,
  optionChecks,
  type ServerSpec,
} from '@mc/client';
import {
  HASH_CLIENT_EXTRA_NAMES,
  HashClient,
  type HashClientOptions,
  KetamaHash,
  type NodeLocator,
  resolveHashClientOptions,
} from '@mc/hash';
import type { ClusterConfig, ClusterNode } from './config.js';
import { ask } from './discover.js';
import { DiscoveryError, NoClusterError } from './errors.js';

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
  /**
   * ms before discovery is tried again after it failed while no node list is known (the endpoint is
   * down at start). Doubles after each failure up to `discoveryRetryMaxDelay`, with jitter (each
   * delay is 50–100 % of the nominal one). Default 500.
   */
  discoveryRetryDelay?: number;
  /** Upper bound of the delay between those attempts, in ms. Default 30000. */
  discoveryRetryMaxDelay?: number;
}

/** Defaults of the discovery timing options. */
export const DISCOVERY_DEFAULTS = {
  pollInterval: 60_000,
  discoveryRetryDelay: 500,
  discoveryRetryMaxDelay: 30_000,
} as const;

/**
 * The delay before discovery attempt `failures + 1` while no node list is known: `initial` doubled
 * per failure, capped at `max`, then scaled by a jitter factor in [0.5, 1) (`random` is Math.random
 * unless a test passes its own), so many clients restarted together do not hit the endpoint in step.
 */
export function discoveryBackoff(
  failures: number,
  initial: number,
  max: number,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(max, initial * 2 ** Math.min(failures, 52));
  return Math.max(1, Math.round(nominal * (0.5 + random() / 2)));
}

/** The option names ElastiCacheClient adds to HashClient's. */
export const ELASTICACHE_OPTION_NAMES: readonly string[] = Object.freeze([
  'pollInterval',
  'legacy',
  'addressing',
  'lookupTimeout',
  'hasher',
  'discoveryRetryDelay',
  'discoveryRetryMaxDelay',
]);

const OWNER = 'ElastiCacheClient';

/** A finite number of ms >= min (these timers cannot be 0: a poll loop without pause). */
function checkDelay(name: string, value: unknown, fallback: number, min: number): number {
  const ms = optionChecks.checkMs(OWNER, name, value, fallback);
  if (ms < min) throw optionChecks.optionError(OWNER, name, `a finite number of ms >= ${min}`, value);
  return ms;
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
 * Until the first discovery succeeds (the endpoint may be down when the process starts), discovery is
 * retried with a bounded exponential backoff (`discoveryRetryDelay` … `discoveryRetryMaxDelay`), on
 * unref'd timers, until it succeeds or the client is closed; then the client serves, with no restart.
 * A call made while no node list is known waits for the discovery attempt in flight (bounded by the
 * endpoint's connectTimeout and timeout) and, if there is still no list, fails at once with
 * NoClusterError (`MC_ERR_NO_CLUSTER`, retryable, `cause` = the last discovery error) rather than
 * waiting for the next attempt: a cache should fail fast, not hang its callers. With `ignoreExc` it
 * returns the miss value instead, as HashClient does without servers.
 *
 * Events: 'change' (ClusterChange), 'error' (DiscoveryError | MalformedConfigError; only emitted when
 * a listener is attached, so an unhandled poll failure never crashes the process).
 */
export interface ElastiCacheClient extends MemcacheCommands {}

export class ElastiCacheClient extends EventEmitter implements MemcacheClient, CommandDispatcher {
  readonly endpoint: string;
  declare readonly stats: HashClient['stats'];
  declare readonly version: HashClient['version'];
  declare readonly raw: HashClient['raw'];
  private readonly opts: ElastiCacheClientOptions;
  private readonly endpointClient: Client;
  private readonly hash: HashClient;
  private current: ClusterConfig | undefined;
  /** Node id → the server name HashClient knows it by. */
  private readonly serverOf = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** The first discovery attempt; set when polling starts (never rejects). */
  private firstAttempt: Promise<void> | undefined;
  private legacy: boolean;
  private closed = false;
  /** Failed attempts in a row while no node list is known (drives the backoff). */
  private failures = 0;
  private lastError: Error | undefined;
  private readonly pollInterval: number;
  private readonly retryDelay: number;
  private readonly retryMaxDelay: number;

  constructor(endpoint: ServerSpec, options: ElastiCacheClientOptions = {}) {
    super();
    this.opts = options;
    const {
      pollInterval,
      legacy,
      addressing,
      lookupTimeout,
      hasher,
      discoveryRetryDelay,
      discoveryRetryMaxDelay,
      ...hashOptions
    } = options;
    // Every option is checked here, with messages that name ElastiCacheClient: the HashClient part
    // by HashClient's resolver (its result is not kept: HashClient resolves it again), ours below.
    resolveHashClientOptions(hashOptions, { owner: OWNER, extraNames: ELASTICACHE_OPTION_NAMES });
    this.pollInterval = checkDelay('pollInterval', pollInterval, DISCOVERY_DEFAULTS.pollInterval, 1);
    this.retryDelay = checkDelay(
      'discoveryRetryDelay',
      discoveryRetryDelay,
      DISCOVERY_DEFAULTS.discoveryRetryDelay,
      1,
    );
    this.retryMaxDelay = checkDelay(
      'discoveryRetryMaxDelay',
      discoveryRetryMaxDelay,
      Math.max(DISCOVERY_DEFAULTS.discoveryRetryMaxDelay, this.retryDelay),
      this.retryDelay,
    );
    optionChecks.checkBoolean(OWNER, 'legacy', legacy, false);
    optionChecks.checkOneOf(OWNER, 'addressing', addressing, 'hostname-or-ip', [
      'ip',
      'hostname',
      'hostname-or-ip',
    ]);
    optionChecks.checkMs(OWNER, 'lookupTimeout', lookupTimeout, 1000);
    const makeHasher = optionChecks.checkFunction<() => NodeLocator>(OWNER, 'hasher', hasher);
    // The endpoint gets the Client options only (tls, timeouts...): no pool or hash options, no
    // ignoreExc (discovery must see its failures), no prefix (the config key is not the app's).
    const clientOptions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(hashOptions))
      if (!HASH_CLIENT_EXTRA_NAMES.includes(k)) clientOptions[k] = v;
    this.endpointClient = new Client(endpoint, { ...clientOptions, keyPrefix: '' });
    this.endpoint = this.endpointClient.server;
    this.legacy = legacy ?? false;
    this.hash = new HashClient([], {
      ...hashOptions,
      hasher: makeHasher ? makeHasher() : KetamaHash.libmemcachedWeighted([]),
    });
  }

  /** The nodes in use, as the endpoint listed them. */
  get nodes(): ClusterNode[] {
    return this.current ? [...this.current.nodes] : [];
  }

  /** The cluster config version in use, or undefined before the first successful poll. */
  get configVersion(): number | undefined {
    return this.current?.version;
  }

  /** The HashClient the calls go through. */
  get hashClient(): HashClient {
    return this.hash;
  }

  /**
   * Starts discovery (calls do it implicitly) and waits for its first attempt. Resolves once a node
   * list is known; rejects with that attempt's error (DiscoveryError or MalformedConfigError) when
   * the endpoint could not be read, for callers who want to fail fast at start-up. A rejection does
   * not stop discovery: it keeps trying with backoff, and calls succeed once it has.
   */
  async start(): Promise<void> {
    await this.startPolling();
    if (this.current) return;
    if (this.polling) await this.polling;
    if (!this.current) throw this.lastError ?? new NoClusterError(this.endpoint, undefined);
  }

  /** Polls the endpoint now (also what the timer does). Never rejects: errors are emitted. */
  refresh(): Promise<void> {
    return this.pollOnce();
  }

  /** Starts the poll loop once; returns the first attempt (which never rejects). */
  private startPolling(): Promise<void> {
    this.firstAttempt ??= this.pollOnce().then(() => this.scheduleNext());
    return this.firstAttempt;
  }

  /**
   * One timer at a time: the poll interval once a node list is known, the backoff before that. A
   * chain of timeouts rather than an interval, so an attempt slower than the delay never overlaps
   * the next, and the delay can change with the state.
   */
  private scheduleNext(): void {
    if (this.closed) return;
    const delay = this.current
      ? this.pollInterval
      : discoveryBackoff(this.failures - 1, this.retryDelay, this.retryMaxDelay);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pollOnce().then(() => this.scheduleNext());
    }, delay);
    // A poller never keeps the process alive.
    this.timer.unref();
  }

  private pollOnce(): Promise<void> {
    // One poll at a time; a tick that comes while one runs joins it.
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Never rejects: a failure is kept in lastError and emitted when someone listens. */
  private async poll(): Promise<void> {
    try {
      const config = await ask(this.endpointClient, this.legacy);
      this.legacy = config.legacy;
      if (this.closed) return;
      // Only a new version rebuilds.
      if (!this.current || config.version !== this.current.version)
        await this.apply({ version: config.version, nodes: config.nodes });
      this.failures = 0;
      this.lastError = undefined;
    } catch (err) {
      // Whatever failed (the endpoint, the reply, adding a node), the caller sees a coded error.
      const e: Error = isMemcacheError(err)
        ? err
        : new DiscoveryError(`discovery failed: ${(err as Error)?.message ?? String(err)}`, err);
      this.lastError = e;
      if (!this.current) this.failures++;
      if (this.listenerCount('error') > 0) this.emit('error', e);
    }
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

  /**
   * The HashClient, once a node list is known. Before that: waits for the attempt in flight, then
   * NoClusterError (or, with ignoreExc, the HashClient without servers, which answers misses).
   */
  private async ready(): Promise<HashClient> {
    if (this.current) return this.hash;
    if (this.closed) throw new ClientClosedError();
    await this.startPolling();
    if (!this.current && this.polling) await this.polling;
    if (this.current || this.opts.ignoreExc) return this.hash;
    throw new NoClusterError(this.endpoint, this.lastError);
  }

  /**
   * Every command of the table goes to the HashClient once a node list is known (see ready()); the
   * HashClient routes it. close and quit are this class's own (they also stop the poller).
   */
  dispatch(spec: CommandSpec, a: unknown, b: unknown, c: unknown, d: unknown): Promise<unknown> {
    if (this.current) return forward(this.hash, spec, a, b, c, d);
    return this.ready().then((hash) => forward(hash, spec, a, b, c, d));
  }

  /** Stops the poller (no timer is left) and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([this.endpointClient.close(), this.hash.close()]);
  }

  async quit(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([this.endpointClient.quit(), this.hash.quit()]);
  }
}

installCommands(ElastiCacheClient);
