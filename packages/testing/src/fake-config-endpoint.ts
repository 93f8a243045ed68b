import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

/** One node of a cluster configuration: `hostname|ip|port`. */
export interface FakeNode {
  hostname: string;
  ip: string;
  port: number;
}

/** How the fake endpoint answers. */
export type FakeEndpointMode =
  /** `config get cluster` and the legacy get both answer. */
  | 'ok'
  /** `config get cluster` answers ERROR (engines before 1.4.14); only the legacy get works. */
  | 'legacy-only'
  /** Both answer a reply that is not a cluster configuration. */
  | 'malformed';

/**
 * A fake ElastiCache configuration endpoint: a small TCP server that answers `config get cluster`
 * and `get AmazonElastiCache:cluster` with a node list the test can change at any time.
 */
export interface FakeConfigEndpoint {
  readonly address: string;
  readonly port: number;
  /** How many config requests it answered. */
  readonly requests: number;
  version: number;
  nodes: FakeNode[];
  mode: FakeEndpointMode;
  /** Stops listening and drops connections (the endpoint is down) until up() is called. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** The payload ElastiCache sends: `<version>\n<host|ip|port ...>\n`. */
export function clusterPayload(version: number, nodes: FakeNode[]): string {
  return `${version}\n${nodes.map((n) => `${n.hostname}|${n.ip}|${n.port}`).join(' ')}\n`;
}

export async function startFakeConfigEndpoint(
  /** tls: serve over TLS with these options (cert, key). */
  initial: { version?: number; nodes?: FakeNode[]; tls?: TlsOptions } = {},
): Promise<FakeConfigEndpoint> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  let requests = 0;
  const state = { version: initial.version ?? 1, nodes: initial.nodes ?? [], mode: 'ok' as FakeEndpointMode };

  const answer = (socket: Socket, line: string) => {
    if (line === 'config get cluster') {
      requests++;
      if (state.mode === 'legacy-only') return socket.write('ERROR\r\n');
      if (state.mode === 'malformed') return socket.write('CONFIG cluster 0 5\r\nhello\r\nEND\r\n');
      const body = clusterPayload(state.version, state.nodes);
      return socket.write(`CONFIG cluster 0 ${Buffer.byteLength(body)}\r\n${body}\r\nEND\r\n`);
    }
    if (line === 'get AmazonElastiCache:cluster') {
      requests++;
      const body = state.mode === 'malformed' ? 'x\ny' : clusterPayload(state.version, state.nodes);
      return socket.write(
        `VALUE AmazonElastiCache:cluster 0 ${Buffer.byteLength(body)}\r\n${body}\r\nEND\r\n`,
      );
    }
    if (line === 'version') return socket.write('VERSION 1.6.6\r\n');
    socket.write('ERROR\r\n');
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const onConnection = (socket: Socket) => {
        sockets.add(socket);
        let buf = '';
        socket.on('data', (d) => {
          buf += d.toString('latin1');
          for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
            answer(socket, buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
        });
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      };
      const srv: Server = initial.tls
        ? createTlsServer(initial.tls, onConnection)
        : createServer(onConnection);
      server = srv;
      srv.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const a = server!.address();
        port = typeof a === 'object' && a ? a.port : port;
        server!.unref();
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return {
    get address() {
      return `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get requests() {
      return requests;
    },
    get version() {
      return state.version;
    },
    set version(v) {
      state.version = v;
    },
    get nodes() {
      return state.nodes;
    },
    set nodes(n) {
      state.nodes = n;
    },
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    down: stop,
    up: listen,
    close: stop,
  };
}
