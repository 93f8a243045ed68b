import { InvalidArgumentError } from '@mc/client';
import { javaHashCode, md5Word, oneAtATime } from './hash-functions.js';
import type { NodeLocator } from './node-locator.js';

const enc = new TextEncoder();

/**
 * Modula placement: hash(key) % number of nodes. libmemcached's default distribution uses the
 * one-at-a-time hash; the 'memjs' preset reproduces memjs's `hashCode(key) % servers.length`, for
 * users migrating from memjs. Adding or removing a node moves most keys: prefer ketama or rendezvous.
 */
export class ModulaHash implements NodeLocator {
  private readonly list: string[] = [];
  private readonly hash: (key: string) => number;

  constructor(nodes: Iterable<string> = [], options: { hash?: 'one-at-a-time' | 'md5' | 'memjs' } = {}) {
    const h = options.hash ?? 'one-at-a-time';
    this.hash =
      h === 'memjs'
        ? javaHashCode
        : h === 'md5'
          ? (k) => md5Word(enc.encode(k))
          : (k) => oneAtATime(enc.encode(k));
    for (const n of nodes) this.addNode(n);
  }

  /** memjs's placement: hashCode(key) % servers.length, servers in the order given. */
  static memjs(nodes: Iterable<string>): ModulaHash {
    return new ModulaHash(nodes, { hash: 'memjs' });
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
    if (this.list.length === 0) return undefined;
    return this.list[this.hash(key) % this.list.length];
  }
}
