import { InvalidArgumentError } from '@mc/client';
import { fnv1a64Twemproxy, md5Word, md5Words, oneAtATime } from './hash-functions.js';
import type { NodeLocator } from './node-locator.js';

/** How the strings hashed onto the ring are written for a server. */
export type PointFormat =
  /** libmemcached: "host-i" when the port is 11211, else "host:port-i"; i from 0. */
  | 'libmemcached'
  /** libmemcached KETAMA_SPY: "/host:port-i"; i from 0. */
  | 'spy'
  /** twemproxy: "<name>-i" with name = the server name, else "host" when the port is 11211, else "host:port"; i from 0. */
  | 'twemproxy';

/** Hash of a key (and, for 'one-at-a-time', of the points too). */
export type KeyHash = 'md5' | 'one-at-a-time' | 'fnv1a_64';

export interface KetamaServer {
  host: string;
  port?: number;
  weight?: number;
  /** twemproxy's optional server name; used in the point strings instead of the address. */
  name?: string;
}

/** Options of {@link KetamaHash}; the presets below fill them in. */
export interface KetamaOptions {
  /** Point strings. Default 'libmemcached'. */
  pointFormat?: PointFormat;
  /** Key hash. Default 'md5'. */
  keyHash?: KeyHash;
  /**
   * Weighted (md5 points, 160 per server scaled by weight share in 32-bit float maths, 4 points per
   * digest) or not (100 points per server, each hashed with keyHash). Default true.
   */
  weighted?: boolean;
  /** Points per server: 160 weighted, 100 unweighted by default. */
  pointsPerServer?: number;
  /** The float rounding of the weighted point count: 'libmemcached' adds in double, 'twemproxy' uses floorf. Default from pointFormat. */
  floatMode?: 'libmemcached' | 'twemproxy';
  /** The name HashClient uses for a server: "host:port" by default. */
}

interface Point {
  value: number;
  node: string;
}

const enc = new TextEncoder();

/**
 * Consistent hashing on a ketama ring, bit-compatible with libmemcached 1.1.4
 * (MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, MEMCACHED_BEHAVIOR_KETAMA, KETAMA_SPY) and twemproxy 0.5.0's
 * ketama (md5 or fnv1a_64 key hash, named servers). Use the static presets.
 */
export class KetamaHash implements NodeLocator {
  private readonly servers = new Map<string, KetamaServer>();
  private ring: Point[] = [];
  private values = new Uint32Array(0);
  private readonly format: PointFormat;
  private readonly keyHash: KeyHash;
  private readonly weighted: boolean;
  private readonly points: number;
  private readonly floatMode: 'libmemcached' | 'twemproxy';

  constructor(servers: Iterable<KetamaServer | string> = [], options: KetamaOptions = {}) {
    this.format = options.pointFormat ?? 'libmemcached';
    this.keyHash = options.keyHash ?? 'md5';
    this.weighted = options.weighted ?? true;
    this.points = options.pointsPerServer ?? (this.weighted ? 160 : 100);
    this.floatMode = options.floatMode ?? (this.format === 'twemproxy' ? 'twemproxy' : 'libmemcached');
    for (const s of servers) {
      const server = typeof s === 'string' ? parseHostPort(s) : s;
      this.servers.set(nodeName(server), server);
    }
    this.build();
  }

  /** libmemcached MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED: md5, 160 points scaled by weight. */
  static libmemcachedWeighted(servers: Iterable<KetamaServer | string>): KetamaHash {
    return new KetamaHash(servers, { pointFormat: 'libmemcached', keyHash: 'md5', weighted: true });
  }
  /** libmemcached MEMCACHED_BEHAVIOR_KETAMA: one-at-a-time, 100 points per server. */
  static libmemcached(servers: Iterable<KetamaServer | string>): KetamaHash {
    return new KetamaHash(servers, {
      pointFormat: 'libmemcached',
      keyHash: 'one-at-a-time',
      weighted: false,
    });
  }
  /** libmemcached MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA_SPY point strings. */
  static libmemcachedSpy(servers: Iterable<KetamaServer | string>): KetamaHash {
    return new KetamaHash(servers, { pointFormat: 'spy', keyHash: 'one-at-a-time', weighted: false });
  }
  /** twemproxy (nutcracker) `distribution: ketama` with `hash: md5` or `hash: fnv1a_64`. */
  static twemproxy(servers: Iterable<KetamaServer | string>, hash: 'md5' | 'fnv1a_64' = 'md5'): KetamaHash {
    return new KetamaHash(servers, { pointFormat: 'twemproxy', keyHash: hash, weighted: true });
  }

  get nodes(): readonly string[] {
    return [...this.servers.keys()];
  }

  addNode(node: string, weight = 1): void {
    this.servers.set(node, { ...parseHostPort(node), weight });
    this.build();
  }

  /** Adds a server with a name (twemproxy) or explicit weight. */
  addServer(server: KetamaServer): string {
    const name = nodeName(server);
    this.servers.set(name, server);
    this.build();
    return name;
  }

  removeNode(node: string): void {
    if (!this.servers.delete(node)) throw new InvalidArgumentError(`no such node ${node}`);
    this.build();
  }

  getNode(key: string): string | undefined {
    const n = this.values.length;
    if (n === 0) return undefined;
    const h = this.hashKey(enc.encode(key));
    // First point >= h (lower bound), wrapping to the first point.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.ring[lo === n ? 0 : lo]!.node;
  }

  private hashKey(bytes: Uint8Array): number {
    switch (this.keyHash) {
      case 'md5':
        return md5Word(bytes);
      case 'one-at-a-time':
        return oneAtATime(bytes);
      case 'fnv1a_64':
        return fnv1a64Twemproxy(bytes);
    }
  }

  private build(): void {
    const list = [...this.servers.entries()];
    const live = list.length;
    const totalWeight = list.reduce((s, [, v]) => s + (v.weight ?? 1), 0);
    const ring: Point[] = [];
    for (const [node, server] of list) {
      const perServer = this.weighted
        ? this.weightedPoints(server.weight ?? 1, totalWeight, live)
        : this.points;
      const perHash = this.weighted ? 4 : 1;
      for (let i = 0; i < perServer / perHash; i++) {
        const text = this.pointString(server, i);
        if (this.weighted) {
          for (const value of md5Words(text)) ring.push({ value, node });
        } else {
          ring.push({ value: this.hashKey(enc.encode(text)), node });
        }
      }
    }
    ring.sort((a, b) => a.value - b.value);
    this.ring = ring;
    this.values = Uint32Array.from(ring, (p) => p.value);
  }

  /** Points for one server: 160 scaled by its weight share, computed in 32-bit float as the C code does. */
  private weightedPoints(weight: number, total: number, live: number): number {
    const f = Math.fround;
    const pct = f(f(weight) / f(total));
    const scaled = f(f(f(pct * this.points) / 4) * f(live));
    // libmemcached adds the epsilon in double and calls floor(); twemproxy calls floorf() on a float.
    const floored =
      this.floatMode === 'twemproxy'
        ? Math.floor(f(scaled + 0.0000000001))
        : Math.floor(scaled + 0.0000000001);
    return floored * 4;
  }

  private pointString(server: KetamaServer, i: number): string {
    const port = server.port ?? 11211;
    switch (this.format) {
      case 'libmemcached':
        return port === 11211 ? `${server.host}-${i}` : `${server.host}:${port}-${i}`;
      case 'spy':
        return `/${server.host}:${port}-${i}`;
      case 'twemproxy':
        return `${server.name ?? (port === 11211 ? server.host : `${server.host}:${port}`)}-${i}`;
    }
  }
}

/** "host:port" (port 11211 by default; "[v6]:port" for IPv6). */
export function nodeName(server: KetamaServer): string {
  const port = server.port ?? 11211;
  return server.host.includes(':') ? `[${server.host}]:${port}` : `${server.host}:${port}`;
}

function parseHostPort(spec: string): KetamaServer {
  if (spec.startsWith('[')) {
    const end = spec.indexOf(']');
    const rest = spec.slice(end + 1);
    return { host: spec.slice(1, end), port: rest.startsWith(':') ? Number(rest.slice(1)) : 11211 };
  }
  const i = spec.lastIndexOf(':');
  if (i < 0 || spec.indexOf(':') !== i) return { host: spec, port: 11211 };
  return { host: spec.slice(0, i), port: Number(spec.slice(i + 1)) };
}
