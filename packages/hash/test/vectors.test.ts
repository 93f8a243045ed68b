import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KetamaHash, type KetamaServer, pymemcacheNodeName, RendezvousHash } from '../src/index.js';

// Placements produced by the real implementations, checked in beside this test (see vectors/PROVENANCE.md).
const vectors = join(import.meta.dirname, 'vectors');
const load = (f: string) => JSON.parse(readFileSync(join(vectors, f), 'utf8'));

describe('vector files', () => {
  it('are the unmodified copies listed in vectors/PROVENANCE.md', () => {
    const provenance = readFileSync(join(vectors, 'PROVENANCE.md'), 'utf8');
    const listed = [...provenance.matchAll(/^([0-9a-f]{64}) {2}(\S+\.json)$/gm)];
    expect(listed.map((m) => m[2]).sort()).toEqual([
      'ketama-libmemcached.json',
      'ketama-twemproxy.json',
      'rendezvous-pymemcache.json',
    ]);
    for (const [, sum, file] of listed)
      expect(
        createHash('sha256')
          .update(readFileSync(join(vectors, file!)))
          .digest('hex'),
      ).toBe(sum);
  });
});

interface Case {
  servers: KetamaServer[];
  placements: [string, string][];
  mode?: string;
  hash?: string;
}

describe('RendezvousHash = pymemcache 3.5.2 HashClient', () => {
  const file = load('rendezvous-pymemcache.json');
  for (const [i, c] of (
    file.cases as { servers: string[]; node_names: string[]; placements: [string, string][] }[]
  ).entries()) {
    it(`case ${i}: ${c.servers.length} servers, ${c.placements.length} keys`, () => {
      expect(c.servers.map((s) => pymemcacheNodeName(s))).toEqual(c.node_names);
      const h = new RendezvousHash(c.node_names);
      const wrong = c.placements.filter(([key, node]) => h.getNode(key) !== node);
      expect(wrong).toEqual([]);
    });
  }
});

function addr(s: KetamaServer): string {
  return `${s.host}:${s.port}`;
}

describe('KetamaHash = libmemcached 1.1.4', () => {
  const file = load('ketama-libmemcached.json');
  for (const [i, c] of (file.cases as Case[]).entries()) {
    it(`case ${i}: ${c.mode}, ${c.servers.length} servers`, () => {
      const h =
        c.mode === 'ketama_weighted'
          ? KetamaHash.libmemcachedWeighted(c.servers)
          : c.mode === 'ketama'
            ? KetamaHash.libmemcached(c.servers)
            : KetamaHash.libmemcachedSpy(c.servers);
      const name = (n: string | undefined) => {
        const s = c.servers.find((x) => `${x.host.includes(':') ? `[${x.host}]` : x.host}:${x.port}` === n);
        return s ? addr(s) : n;
      };
      const wrong = c.placements.filter(([key, node]) => name(h.getNode(key)) !== node);
      expect(wrong).toEqual([]);
    });
  }
});

describe('KetamaHash = twemproxy 0.5.0', () => {
  const file = load('ketama-twemproxy.json');
  for (const [i, c] of (file.cases as Case[]).entries()) {
    it(`case ${i}: ${c.hash}, ${c.servers.length} servers`, () => {
      const servers = c.servers.map((s) => ({ ...s, name: s.name ?? undefined }));
      const h = KetamaHash.twemproxy(servers, c.hash as 'md5' | 'fnv1a_64');
      const wrong = c.placements.filter(([key, node]) => h.getNode(key) !== node);
      expect(wrong).toEqual([]);
    });
  }
});
