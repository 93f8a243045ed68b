// Adapters: every client behind the same small async interface { get, set, getMulti, close }.
// get resolves the value as a Buffer or string (undefined on a miss); getMulti resolves a Map key → value.
import { createRequire } from 'node:module';
import { rawClient } from './raw-client.mjs';

const require = createRequire(import.meta.url);

/**
 * mc's packages as built (dist/): the ESM build, or the CommonJS one when the ESM build is missing
 * (other engineers rebuild the packages during the day; the bench measures whatever is built).
 */
async function loadMc(pkg) {
  // Local A/B of two builds: MC_PACKAGES=<a copy of packages/> loads mc from that copy instead.
  const copy = process.env.MC_PACKAGES;
  if (copy) return await import(`${copy}/${pkg.slice('@mc/'.length)}/dist/index.js`);
  try {
    return await import(pkg);
  } catch (esmError) {
    try {
      return require(pkg);
    } catch {
      throw esmError;
    }
  }
}

export const CLIENT_NAMES = [
  'raw',
  'raw-merged',
  'mc',
  'mc-pooled',
  'mc-hash',
  'mc-hash3',
  'memjs',
  'memcached',
  'memcache-client',
];

/**
 * @param name a client name; `raw` and `raw-merged` take variant options after `@`, e.g.
 *   `raw@schedule=microtask,buffers=fresh` (see raw-client.mjs), for measuring the baseline itself
 *   (`+` separates options too, for lists of clients that are themselves comma-separated);
 *   `mc` takes Client options the same way (`mc@batchGets=false`).
 * @param addresses the servers: every client uses the first, `mc-hash3` uses all three.
 */
export async function makeClient(name, addresses) {
  const address = addresses[0];
  const [host, port] = address.split(':');
  const [base, variant] = name.split('@');
  const variantOptions = Object.fromEntries(
    (variant ?? '')
      .split(/[,+]/)
      .filter(Boolean)
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v === 'false' ? false : v === 'true' ? true : v]),
  );
  switch (base) {
    case 'raw':
      return rawClient(host, Number(port), variantOptions);
    case 'raw-merged':
      return rawClient(host, Number(port), { merge: true, ...variantOptions });
    case 'mc': {
      const { Client } = await loadMc('@mc/client');
      const c = new Client(address, { timeout: 30_000, connectTimeout: 5000, ...variantOptions });
      return mcAdapter(c);
    }
    case 'mc-pooled': {
      const { PooledClient } = await loadMc('@mc/pool');
      // Variants (`mc-pooled@pipelineThreshold=64`) measure the pool's own knobs.
      return mcAdapter(new PooledClient(address, { timeout: 30_000, maxPoolSize: 4, ...variantOptions }));
    }
    case 'mc-hash': {
      const { HashClient } = await loadMc('@mc/hash');
      return mcAdapter(new HashClient([address], { timeout: 30_000 }));
    }
    case 'mc-hash3': {
      if (addresses.length < 3) throw new Error('mc-hash3 needs three server addresses');
      const { HashClient } = await loadMc('@mc/hash');
      return mcAdapter(new HashClient(addresses.slice(0, 3), { timeout: 30_000 }));
    }
    case 'memjs': {
      const memjs = require('memjs');
      const c = memjs.Client.create(address, {
        timeout: 30,
        conntimeout: 5,
        retries: 0,
        logger: { log() {} },
      });
      return {
        get: async (k) => (await c.get(k)).value ?? undefined,
        set: (k, v) => c.set(k, v, {}),
        // memjs 1.3 has no multi-get: concurrent single gets are what its users write.
        getMulti: async (keys) =>
          new Map(await Promise.all(keys.map(async (k) => [k, (await c.get(k)).value]))),
        close: async () => c.close(),
      };
    }
    case 'memcached': {
      const Memcached = require('memcached');
      const c = new Memcached(address, {
        timeout: 30_000,
        retries: 0,
        poolSize: 10,
        maxValue: 32 * 1024 * 1024,
      });
      const p = (fn) => new Promise((res, rej) => fn((err, v) => (err ? rej(err) : res(v))));
      // Open the pool's 10 connections first: with retries 0, requests that arrive while every
      // connection is still connecting fail with "The connection pool is full" (each bench scenario
      // runs in a fresh process, so no earlier scenario has opened them).
      await Promise.all(Array.from({ length: 10 }, () => p((cb) => c.get('warm-up', cb))));
      return {
        get: (k) => p((cb) => c.get(k, cb)),
        set: (k, v) => p((cb) => c.set(k, v, 0, cb)),
        getMulti: async (keys) => new Map(Object.entries(await p((cb) => c.getMulti(keys, cb)))),
        close: async () => c.end(),
      };
    }
    case 'memcache-client': {
      const { MemcacheClient } = require('memcache-client');
      const c = new MemcacheClient({ server: address, cmdTimeout: 30_000, ignoreNotStored: true });
      return {
        get: async (k) => (await c.get(k))?.value,
        set: (k, v) => c.set(k, v),
        getMulti: async (keys) => new Map(Object.entries(await c.get(keys)).map(([k, r]) => [k, r.value])),
        close: async () => c.shutdown(),
      };
    }
    default:
      throw new Error(`unknown client ${name}`);
  }
}

function mcAdapter(c) {
  return {
    get: (k) => c.get(k),
    set: (k, v) => c.set(k, v),
    getMulti: (keys) => c.getMany(keys),
    close: () => c.close(),
  };
}
