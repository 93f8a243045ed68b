import { describe, expect, it } from 'vitest';
import { KetamaHash, ModulaHash, type NodeLocator, RendezvousHash } from '../src/index.js';

const keys = Array.from({ length: 20_000 }, (_, i) => `user:${i}:profile`);
const nodes = Array.from({ length: 5 }, (_, i) => `10.0.0.${i + 1}:11211`);

function spread(h: NodeLocator): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) {
    const n = h.getNode(k)!;
    m.set(n, (m.get(n) ?? 0) + 1);
  }
  return m;
}

function moved(before: NodeLocator, change: () => void, after: NodeLocator = before): number {
  const placed = keys.map((k) => before.getNode(k));
  change();
  return keys.filter((k, i) => after.getNode(k) !== placed[i]).length / keys.length;
}

describe.each([
  ['rendezvous', () => new RendezvousHash(nodes)],
  ['ketama weighted', () => KetamaHash.libmemcachedWeighted(nodes)],
  ['ketama one-at-a-time', () => KetamaHash.libmemcached(nodes)],
])('%s', (_name, make) => {
  it('spreads keys within a few percent of an equal share', () => {
    for (const count of spread(make()).values())
      expect(Math.abs(count / keys.length - 0.2)).toBeLessThan(0.05);
  });

  it('moves about 1/N of the keys when a node is added or removed', () => {
    const h = make();
    expect(moved(h, () => h.addNode('10.0.0.9:11211'))).toBeLessThan(1 / 6 + 0.06);
    const g = make();
    const removedShare = moved(g, () => g.removeNode(nodes[2]!));
    expect(removedShare).toBeGreaterThan(0.2 - 0.06);
    expect(removedShare).toBeLessThan(0.2 + 0.06);
  });
});

describe('weights', () => {
  it('ketama gives a server with weight 3 about three times the keys of weight 1', () => {
    const h = KetamaHash.libmemcachedWeighted([
      { host: 'a', port: 11211, weight: 1 },
      { host: 'b', port: 11211, weight: 3 },
    ]);
    const s = spread(h);
    expect(Math.abs(s.get('b:11211')! / keys.length - 0.75)).toBeLessThan(0.05);
  });
});

describe('modula and the memjs preset', () => {
  it('memjs: hashCode(key) % n in server order', () => {
    const h = ModulaHash.memjs(['a:1', 'b:2', 'c:3']);
    // Java's "foo".hashCode() = 101574; 101574 % 3 = 0.
    expect(h.getNode('foo')).toBe('a:1');
    expect(h.getNode('bar')).toBe(['a:1', 'b:2', 'c:3'][97299 % 3]);
  });
  it('modula moves most keys when a node is added (why ketama/rendezvous are preferred)', () => {
    const h = new ModulaHash(nodes);
    expect(moved(h, () => h.addNode('x:1'))).toBeGreaterThan(0.5);
  });
});
