import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fake memcached built on node:net, for faults a real server cannot show. */
export interface FaultServer {
  /** '127.0.0.1', or '' on a Unix socket. */
  readonly host: string;
  /** The TCP port, or 0 on a Unix socket. */
  readonly port: number;
  /** 'host:port', or the socket's path. */
  readonly address: string;
  /** The Unix socket's path (with `unixSocket`), else undefined. */
  readonly path?: string;
  /** Every byte received, across all connections, in arrival order. */
  received(): Buffer;
  /** Number of connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** What a fault server does with the bytes a connection sends. */
export type FaultHandler = (socket: Socket, chunk: Buffer, state: { buffer: Buffer }) => void;

export interface FaultServerOptions {
  /**
   * Listen on a Unix socket in a new temporary directory (removed by close()) instead of a free
   * 127.0.0.1 port. A stream socket's buffer takes a whole reply of a few hundred KiB at once, where
   * loopback TCP's first window does not: a reply written in one go is then all in the client's
   * socket before it reads. Default false.
   */
  unixSocket?: boolean;
}

/** Starts a server on 127.0.0.1 (or a Unix socket) whose behaviour is the given handler. */
export function startFaultServer(
  handler: FaultHandler,
  options: FaultServerOptions = {},
): Promise<FaultServer> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    const state = { buffer: Buffer.alloc(0) };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      state.buffer = Buffer.concat([state.buffer, chunk]);
      handler(socket, chunk, state);
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const dir = options.unixSocket ? mkdtempSync(join(tmpdir(), 'mc-fault-')) : undefined;
  const path = dir === undefined ? undefined : join(dir, 'fault.sock');
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      const addr = server.address();
      const port = path === undefined && typeof addr === 'object' && addr ? addr.port : 0;
      server.unref();
      resolve({
        host: path === undefined ? '127.0.0.1' : '',
        port,
        address: path ?? `127.0.0.1:${port}`,
        path,
        received: () => Buffer.concat(chunks),
        get connections() {
          return connections;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => {
              if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
              r();
            });
          }),
      });
    };
    if (path === undefined) server.listen(0, '127.0.0.1', listening);
    else server.listen(path, listening);
  });
}

/** Reads every complete request line (up to CRLF) out of the connection's buffer. */
function takeLines(state: { buffer: Buffer }): string[] {
  const lines: string[] = [];
  let idx = state.buffer.indexOf('\r\n');
  while (idx >= 0) {
    lines.push(state.buffer.subarray(0, idx).toString('latin1'));
    state.buffer = state.buffer.subarray(idx + 2);
    idx = state.buffer.indexOf('\r\n');
  }
  return lines;
}

/** Accepts connections and reads, but never answers anything. */
export function stallServer(): Promise<FaultServer> {
  return startFaultServer(() => {});
}

/** Records what it receives and answers nothing; use it to show that no byte was written. */
export const recordingServer = stallServer;

/**
 * Answers every `get`/`gets` with the start of a VALUE block and then closes the connection,
 * so the client sees a connection cut in the middle of a value.
 */
export function closeMidValueServer(): Promise<FaultServer> {
  return startFaultServer((socket, _chunk, state) => {
    if (takeLines(state).length > 0) {
      socket.write('VALUE k 0 10\r\nabc');
      socket.end();
    }
  });
}

/** Answers every request line with bytes that are not memcached protocol. */
export function garbageServer(payload = 'HTTP/1.1 400 Bad Request\r\n\r\n'): Promise<FaultServer> {
  return startFaultServer((socket, _chunk, state) => {
    for (const _ of takeLines(state)) socket.write(payload);
  });
}

/**
 * Answers with the right bytes for the wrong request: every request line gets a VALUE block for a
 * key the client did not ask for, or a STORED where a get was sent.
 */
export function wrongReplyServer(): Promise<FaultServer> {
  return startFaultServer((socket, _chunk, state) => {
    for (const line of takeLines(state)) {
      if (line.startsWith('get') || line.startsWith('gets')) socket.write('STORED\r\n');
      else if (/^(set|add|replace|append|prepend|cas) /.test(line)) {
        // The data block follows the command line; swallow it and answer as if it was a get.
        state.buffer = Buffer.alloc(0);
        socket.write('VALUE other 0 1\r\nx\r\nEND\r\n');
      } else socket.write('END\r\n');
    }
  });
}

/** Answers each request line with a valid reply written one byte at a time. */
export function dripServer(reply = 'END\r\n', delayMs = 1): Promise<FaultServer> {
  return startFaultServer((socket, _chunk, state) => {
    for (const _ of takeLines(state)) {
      const bytes = Buffer.from(reply, 'latin1');
      let i = 0;
      const tick = () => {
        if (i >= bytes.length || socket.destroyed) return;
        socket.write(bytes.subarray(i, i + 1));
        i++;
        setTimeout(tick, delayMs).unref();
      };
      tick();
    }
  });
}
