import { InvalidArgumentError } from '@mc/client';
import { codePoints, murmur3_32 } from './hash-functions.js';
import type { NodeLocator } from './node-locator.js';

/**
 * Rendezvous (highest random weight) hashing exactly as pymemcache's default HashClient does it, so
 * Python and Node services sharing a cluster agree on where every key lives:
 * score = murmur3_32('<node>-<key>', seed) over the string's code points (low byte of each, as
 * pymemcache's pure-Python murmur3 reads a str), the highest score wins, and a tie goes to the
 * greater node name. Node names follow pymemcache (see `pymemcacheNodeName`).
 */
export class RendezvousHash implements NodeLocator {
  private readonly list: string[] = [];
  private readonly seed: number;

  constructor(nodes: Iterable<string> = [], options: { seed?: number } = {}) {
    this.seed = options.seed ?? 0;
    for (const n of nodes) this.addNode(n);
  }

  get nodes(): readonly string[] {
    return this.list;
  }

  addNode(node: string): void {
    if (!this.list.includes(node)) this.list.push(node);
  }

  removeNode(node: string): void {
    const i = this.list.indexOf(node);
    if (i < 0) throw new InvalidArgumentError(`no such node ${node}`);
    this.list.splice(i, 1);
  }

  getNode(key: string): string | undefined {
    let best = -1;
    let winner: string | undefined;
    for (const node of this.list) {
      const score = murmur3_32(codePoints(`${node}-${key}`), this.seed);
      if (score > best) {
        best = score;
        winner = node;
      } else if (score === best && winner !== undefined && node > winner) {
        winner = node;
      }
    }
    return winner;
  }
}

/**
 * pymemcache's name for a server spec (normalize_server_spec, then 'host:port'): default port 11211,
 * IPv6 brackets stripped, 'unix:' dropped and socket paths kept as they are.
 */
export function pymemcacheNodeName(
  spec: string | { host: string; port?: number } | { path: string },
): string {
  if (typeof spec === 'object')
    return 'path' in spec ? spec.path : `${spec.host.replace(/^\[|\]$/g, '')}:${spec.port ?? 11211}`;
  if (spec.startsWith('unix:')) return spec.slice(5);
  if (spec.startsWith('/')) return spec;
  let host: string;
  let port: number | string;
  if (!spec.includes(':') || spec.endsWith(']')) {
    host = spec;
    port = 11211;
  } else {
    const i = spec.lastIndexOf(':');
    host = spec.slice(0, i);
    port = Number.parseInt(spec.slice(i + 1), 10);
  }
  if (host.startsWith('[')) host = host.replace(/^\[+|\]+$/g, '');
  return `${host}:${port}`;
}
