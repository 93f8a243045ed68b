import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  type ClientOptions,
  ClientReplyError,
  ConnectError,
  ConnectionClosedError,
  ConnectTimeoutError,
  DEFAULTS,
  formatServer,
  parseServer,
  type ServerSpec,
  TimeoutError,
} from '@mc/client';
import { CliError, EXIT } from './exit-codes.js';

/** One line of `lru_crawler metadump`, typed. Unknown fields are kept as text in `extra`. */
export interface MetadumpItem {
  key: string;
  /** Unix time the item expires, -1 for never. */
  exp: number;
  /** Unix time of the last access. */
  la: number;
  cas: number | bigint;
  fetch: boolean;
  cls: number;
  size: number;
  extra?: Record<string, string>;
}

/** memcached writes keys URI-encoded (%XX for bytes outside the unreserved set); keys are shown as UTF-8. */
export function decodeDumpKey(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}

const toInt = (v: string): number | bigint => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
};

export function parseDumpLine(line: string): MetadumpItem {
  const item: MetadumpItem = { key: '', exp: -1, la: 0, cas: 0, fetch: false, cls: 0, size: 0 };
  for (const field of line.split(' ')) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    const name = field.slice(0, eq);
    const value = field.slice(eq + 1);
    switch (name) {
      case 'key':
        item.key = decodeDumpKey(value);
        break;
      case 'exp':
      case 'la':
      case 'cls':
      case 'size':
        item[name] = Number(value);
        break;
      case 'cas':
        item.cas = /^\d+$/.test(value) ? toInt(value) : 0;
        break;
      case 'fetch':
        item.fetch = value === 'yes';
        break;
      default:
        item.extra = { ...item.extra, [name]: value };
    }
  }
  return item;
}

function open(server: ServerSpec, options: ClientOptions): Promise<Socket> {
  const target = parseServer(server);
  const name = formatServer(target);
  return new Promise((resolve, reject) => {
    const tls = options.tls === true ? {} : options.tls;
    let socket: Socket;
    if (tls)
      socket =
        'path' in target
          ? tlsConnect({ ...tls, path: target.path })
          : tlsConnect({
              servername: isIP(target.host) ? undefined : target.host,
              ...tls,
              host: target.host,
              port: target.port,
            });
    else socket = 'path' in target ? netConnect(target.path) : netConnect(target.port, target.host);
    const ms = options.connectTimeout ?? DEFAULTS.connectTimeout;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectTimeoutError(name, ms));
    }, ms);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new ConnectError(`cannot connect to ${name}: ${err.message}`, err));
    });
  });
}

/**
 * Lines of the stream (LF-terminated, a trailing CR dropped), read as the consumer asks for them.
 * The idle timeout runs only while waiting for the server, never while the consumer is slow
 * (`mc keys | less` may pause for minutes).
 */
async function* lines(socket: Socket, idleMs: number): AsyncGenerator<string> {
  const chunks = (socket as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let rest = '';
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    if (idleMs > 0) timer = setTimeout(() => socket.destroy(new TimeoutError(idleMs)), idleMs);
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } finally {
      clearTimeout(timer);
    }
    if (next.done) return;
    const text = rest + next.value.toString('latin1');
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
  }
}

/**
 * Streams `lru_crawler metadump all` from one server on its own connection. @mc/client's raw() would
 * hold the whole dump in memory (and memcached refuses a metadump pipelined behind other commands),
 * so this reads the reply line by line, with backpressure: the socket is only read as fast as the
 * caller consumes items. The same TLS, auth and timeouts as the clients (timeout: ms without data).
 */
export async function* metadump(
  server: ServerSpec,
  options: ClientOptions,
  signal?: AbortSignal,
): AsyncGenerator<MetadumpItem> {
  const socket = await open(server, options);
  const name = formatServer(parseServer(server));
  const idleMs = options.timeout ?? DEFAULTS.timeout;
  const onAbort = () => socket.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const reader = lines(socket, idleMs);
    if (options.auth) {
      const payload = Buffer.from(`${options.auth.username} ${options.auth.password}`, 'utf8');
      socket.write(
        Buffer.concat([Buffer.from(`set auth 0 0 ${payload.length}\r\n`), payload, Buffer.from('\r\n')]),
      );
      const { value } = await reader.next();
      if (value !== 'STORED')
        throw new ConnectError(`authentication to ${name} failed: ${value ?? 'connection closed'}`);
    }
    socket.write('lru_crawler metadump all\r\n');
    for await (const line of reader) {
      if (line === 'END') return;
      if (line.startsWith('key=')) yield parseDumpLine(line);
      else if (line.startsWith('CLIENT_ERROR'))
        throw new ClientReplyError(line.slice('CLIENT_ERROR '.length));
      // BUSY (another crawl is running), ERROR (disabled), ...
      else
        throw new CliError(`${name}: lru_crawler metadump answered: ${line}`, EXIT.ERROR, 'MC_CLI_METADUMP');
    }
    if (signal?.aborted) return;
    throw new ConnectionClosedError(`connection to ${name} closed during the metadump`);
  } catch (err) {
    if (signal?.aborted && !(err instanceof CliError)) return;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}
