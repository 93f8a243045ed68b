// Adapters: every client behind the same small async interface { get, set, getMulti, close }.
// get resolves the value as a Buffer or string (undefined on a miss); getMulti resolves a Map key → value.
import { createRequire } from 'node:module';
import { connect } from 'node:net';

const require = createRequire(import.meta.url);

export const CLIENT_NAMES = ['raw', 'mc', 'mc-pooled', 'mc-hash', 'memjs', 'memcached', 'memcache-client'];

export async function makeClient(name, address) {
  const [host, port] = address.split(':');
  switch (name) {
    case 'raw':
      return rawClient(host, Number(port));
    case 'mc': {
      const { Client } = await import('@mc/client');
      const c = new Client(address, { timeout: 30_000, connectTimeout: 5000 });
      return mcAdapter(c);
    }
    case 'mc-pooled': {
      const { PooledClient } = await import('@mc/pool');
      return mcAdapter(new PooledClient(address, { timeout: 30_000, maxPoolSize: 4 }));
    }
    case 'mc-hash': {
      const { HashClient } = await import('@mc/hash');
      return mcAdapter(new HashClient([address], { timeout: 30_000 }));
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

/**
 * The ceiling: a minimal pipelined client that writes pre-encoded requests once per tick and parses
 * only what the scenarios need (VALUE…END with one value, STORED). One socket, no validation.
 */
function rawClient(host, port) {
  const sock = connect(port, host);
  sock.setNoDelay(true);
  const ready = new Promise((r) => sock.once('connect', r));
  const queue = [];
  let out = [];
  let scheduled = false;
  let buf = Buffer.alloc(0);
  let values = new Map();
  const flush = () => {
    scheduled = false;
    sock.cork();
    for (const b of out) sock.write(b);
    sock.uncork();
    out = [];
  };
  const send = (bytes, kind) =>
    new Promise((resolve, reject) => {
      queue.push({ kind, resolve, reject });
      out.push(bytes);
      if (!scheduled) {
        scheduled = true;
        process.nextTick(flush);
      }
    });
  let pending = [];
  let pendingBytes = 0;
  let need = 0;
  sock.on('data', (chunk) => {
    // Large values: keep chunks aside until the whole value is there, then join once.
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < need) return;
    buf = pending.length === 1 && buf.length === 0 ? chunk : Buffer.concat([buf, ...pending]);
    pending = [];
    pendingBytes = buf.length;
    need = 0;
    for (;;) {
      const head = queue[0];
      if (!head) break;
      const nl = buf.indexOf('\r\n');
      if (nl < 0) break;
      if (head.kind === 'set') {
        buf = buf.subarray(nl + 2);
        queue.shift().resolve(true);
        continue;
      }
      const line = buf.toString('latin1', 0, nl);
      if (line === 'END') {
        buf = buf.subarray(nl + 2);
        const h = queue.shift();
        h.resolve(values);
        values = new Map();
        continue;
      }
      const parts = line.split(' ');
      const size = Number(parts[3]);
      if (buf.length < nl + 2 + size + 2) {
        need = nl + 2 + size + 2;
        break;
      }
      values.set(parts[1], buf.subarray(nl + 2, nl + 2 + size));
      buf = buf.subarray(nl + 2 + size + 2);
    }
    pendingBytes = buf.length;
  });
  return ready.then(() => ({
    get: async (k) => (await send(Buffer.from(`get ${k}\r\n`), 'get')).get(k),
    set: (k, v) =>
      send(
        Buffer.concat([Buffer.from(`set ${k} 0 0 ${v.length}\r\n`), Buffer.from(v), Buffer.from('\r\n')]),
        'set',
      ),
    getMulti: (keys) => send(Buffer.from(`get ${keys.join(' ')}\r\n`), 'get'),
    close: async () => sock.destroy(),
  }));
}
