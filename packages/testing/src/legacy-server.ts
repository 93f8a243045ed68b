import { createServer, type Server, type Socket } from 'node:net';

/** Options of {@link startLegacyServer}. */
export interface LegacyServerOptions {
  /** What `version` answers. Default '1.5.22' (the last 1.5 release). */
  version?: string;
  /** Largest value stored, in bytes (memcached's -I). Default 1 MiB. */
  maxItemSize?: number;
}

/** A fake memcached 1.5 started by {@link startLegacyServer}. */
export interface LegacyServer {
  readonly address: string;
  readonly port: number;
  /** Every command name received, in order ('set', 'get', 'mn', ...), for assertions. */
  readonly commands: readonly string[];
  /** Items stored: key → value bytes. */
  readonly items: ReadonlyMap<string, Buffer>;
  close(): Promise<void>;
}

interface Item {
  value: Buffer;
  flags: number;
  cas: bigint;
  /** ms since epoch after which the item is gone; Infinity: never. */
  expiresAt: number;
}

/** Commands of the meta protocol (memcached 1.6): a 1.5 server answers ERROR to each. */
const META = new Set(['mn', 'mg', 'ms', 'md', 'ma', 'me']);
const STORAGE = new Set(['set', 'add', 'replace', 'append', 'prepend', 'cas']);
const MAX_KEY = 250;
const RELATIVE_LIMIT = 60 * 60 * 24 * 30;
const U64 = (1n << 64n) - 1n;

function expiry(exptime: number): number {
  if (exptime === 0) return Number.POSITIVE_INFINITY;
  if (exptime < 0) return 0; // negative: expired at once
  if (exptime <= RELATIVE_LIMIT) return Date.now() + exptime * 1000;
  return exptime * 1000; // an absolute Unix time
}

const isNum = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);
const isSigned = (s: string | undefined) => s !== undefined && /^-?\d+$/.test(s);

/**
 * A small TCP server that answers like memcached 1.5 would: the text protocol (get, gets, gat,
 * gats, set, add, replace, append, prepend, cas, delete, incr, decr, touch, version, flush_all,
 * verbosity, stats, quit, with noreply) on an in-memory map, and `ERROR` to every meta command
 * (mn, mg, ms, md, ma, me), which 1.5 does not know. For tests of clients against servers older than
 * 1.6; anything a real memcached can show should be tested against a real one.
 */
export async function startLegacyServer(options: LegacyServerOptions = {}): Promise<LegacyServer> {
  const version = options.version ?? '1.5.22';
  const maxItemSize = options.maxItemSize ?? 1024 * 1024;
  const items = new Map<string, Item>();
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  let casCounter = 0n;

  const live = (key: string): Item | undefined => {
    const it = items.get(key);
    if (it && it.expiresAt <= Date.now()) {
      items.delete(key);
      return undefined;
    }
    return it;
  };

  /** Handles one connection: a byte buffer, lines, and the data blocks of storage commands. */
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let buf: Buffer = Buffer.alloc(0);
    /** A storage command waiting for its data block. */
    let pending: { argv: string[]; bytes: number; noreply: boolean } | undefined;
    /** A too-large value being swallowed: bytes left. */
    let swallow = 0;
    const out: Buffer[] = [];
    const reply = (line: string, noreply = false) => {
      if (!noreply) out.push(Buffer.from(`${line}\r\n`, 'latin1'));
    };

    const store = (argv: string[], data: Buffer, noreply: boolean) => {
      const [cmd, key, flagsText, exptimeText] = argv as [string, string, string, string];
      const flags = Number(flagsText);
      const expiresAt = expiry(Number(exptimeText));
      const existing = live(key);
      const put = (value: Buffer) => {
        items.set(key, { value, flags, cas: ++casCounter, expiresAt });
        reply('STORED', noreply);
      };
      switch (cmd) {
        case 'set':
          return put(data);
        case 'add':
          return existing ? reply('NOT_STORED', noreply) : put(data);
        case 'replace':
          return existing ? put(data) : reply('NOT_STORED', noreply);
        case 'append':
        case 'prepend': {
          if (!existing) return reply('NOT_STORED', noreply);
          existing.value =
            cmd === 'append' ? Buffer.concat([existing.value, data]) : Buffer.concat([data, existing.value]);
          existing.cas = ++casCounter;
          return reply('STORED', noreply);
        }
        case 'cas': {
          if (!existing) return reply('NOT_FOUND', noreply);
          if (existing.cas !== BigInt(argv[5]!)) return reply('EXISTS', noreply);
          return put(data);
        }
      }
    };

    const retrieve = (keys: string[], withCas: boolean, touchTo?: number) => {
      for (const key of keys) {
        const it = live(key);
        if (!it) continue;
        if (touchTo !== undefined) it.expiresAt = expiry(touchTo);
        const head = `VALUE ${key} ${it.flags} ${it.value.length}${withCas ? ` ${it.cas}` : ''}\r\n`;
        out.push(Buffer.from(head, 'latin1'), it.value, Buffer.from('\r\n'));
      }
      reply('END');
    };

    const command = (line: string) => {
      const argv = line.split(' ').filter(Boolean);
      const cmd = argv[0] ?? '';
      commands.push(cmd);
      const noreply = argv[argv.length - 1] === 'noreply';
      if (META.has(cmd)) return reply('ERROR');
      if (STORAGE.has(cmd)) {
        const n = cmd === 'cas' ? 6 : 5;
        const ok =
          (argv.length === n || (argv.length === n + 1 && noreply)) &&
          argv[1]!.length <= MAX_KEY &&
          isNum(argv[2]) &&
          isSigned(argv[3]) &&
          isNum(argv[4]) &&
          (cmd !== 'cas' || isNum(argv[5]));
        if (!ok) return reply('CLIENT_ERROR bad command line format');
        const bytes = Number(argv[4]);
        if (bytes > maxItemSize) {
          // memcached answers at once and swallows the data block.
          swallow = bytes + 2;
          return reply('SERVER_ERROR object too large for cache', noreply);
        }
        pending = { argv, bytes, noreply };
        return;
      }
      switch (cmd) {
        case 'get':
        case 'gets':
          if (argv.length < 2) return reply('ERROR');
          return retrieve(argv.slice(1), cmd === 'gets');
        case 'gat':
        case 'gats':
          if (argv.length < 3 || !isSigned(argv[1])) return reply('ERROR');
          return retrieve(argv.slice(2), cmd === 'gats', Number(argv[1]));
        case 'delete': {
          if (argv.length < 2 || argv.length > 3 || (argv.length === 3 && !noreply))
            return reply('CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]');
          const existed = live(argv[1]!) !== undefined;
          items.delete(argv[1]!);
          return reply(existed ? 'DELETED' : 'NOT_FOUND', noreply);
        }
        case 'incr':
        case 'decr': {
          if (!isNum(argv[2])) return reply('CLIENT_ERROR invalid numeric delta argument', noreply);
          const it = live(argv[1] ?? '');
          if (!it) return reply('NOT_FOUND', noreply);
          const text = it.value.toString('latin1');
          if (!/^\d+$/.test(text) || BigInt(text) > U64)
            return reply('CLIENT_ERROR cannot increment or decrement non-numeric value', noreply);
          const delta = BigInt(argv[2]!);
          let n = BigInt(text);
          n = cmd === 'incr' ? (n + delta) & U64 : n > delta ? n - delta : 0n;
          it.value = Buffer.from(String(n), 'latin1');
          it.cas = ++casCounter;
          return reply(String(n), noreply);
        }
        case 'touch': {
          if (!isSigned(argv[2])) return reply('CLIENT_ERROR bad command line format', noreply);
          const it = live(argv[1] ?? '');
          if (!it) return reply('NOT_FOUND', noreply);
          it.expiresAt = expiry(Number(argv[2]));
          return reply('TOUCHED', noreply);
        }
        case 'version':
          return reply(`VERSION ${version}`);
        case 'flush_all':
          items.clear();
          return reply('OK', noreply);
        case 'verbosity':
          return reply('OK', noreply);
        case 'stats':
          return reply(
            `STAT pid ${process.pid}\r\nSTAT version ${version}\r\nSTAT curr_items ${items.size}\r\nEND`,
          );
        case 'quit':
          socket.end();
          return;
        default:
          return reply('ERROR');
      }
    };

    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (swallow > 0) {
          const n = Math.min(swallow, buf.length);
          swallow -= n;
          buf = buf.subarray(n);
          if (swallow > 0) break;
          continue;
        }
        if (pending) {
          if (buf.length < pending.bytes + 2) break;
          const data = Buffer.from(buf.subarray(0, pending.bytes));
          const end = buf.subarray(pending.bytes, pending.bytes + 2).toString('latin1');
          buf = buf.subarray(pending.bytes + 2);
          const p = pending;
          pending = undefined;
          // As memcached: the error obeys noreply, and what follows the block is read as commands.
          if (end !== '\r\n') reply('CLIENT_ERROR bad data chunk', p.noreply);
          else store(p.argv, data, p.noreply);
          continue;
        }
        const eol = buf.indexOf('\r\n');
        if (eol < 0) break;
        const line = buf.subarray(0, eol).toString('latin1');
        buf = buf.subarray(eol + 2);
        command(line);
      }
      if (out.length && !socket.destroyed) socket.write(Buffer.concat(out.splice(0)));
    });
  };

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const values = new Map<string, Buffer>();

  return {
    address: `127.0.0.1:${port}`,
    port,
    commands,
    get items() {
      values.clear();
      for (const [k] of items) {
        const it = live(k);
        if (it) values.set(k, it.value);
      }
      return values;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
