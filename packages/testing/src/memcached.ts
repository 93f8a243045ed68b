import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

/** Options for {@link startMemcached}. Every field is optional. */
export interface StartMemcachedOptions {
  /** Listen on a Unix socket instead of TCP. Default: false (TCP on 127.0.0.1). */
  unixSocket?: boolean;
  /** Host for TCP. Default: '127.0.0.1'. Only loopback addresses make sense in tests. */
  host?: string;
  /** TCP port. Default: a free port picked by the OS. */
  port?: number;
  /** Memory limit in MiB (-m). Default: 64. */
  memoryMb?: number;
  /** Worker threads (-t). Default: 2. */
  threads?: number;
  /** Extra command-line arguments, e.g. ['-I', '16m'] or ['-Z', '-o', 'ssl_chain_cert=...']. */
  args?: string[];
  /** memcached binary. Default: $MEMCACHED_BIN or 'memcached' on PATH. */
  bin?: string;
  /** How long to wait for the server to answer `version`, in ms. Default: 10000. */
  startTimeout?: number;
  /** TLS options used only to probe readiness when the server was started with -Z. */
  tls?: boolean;
}

/** A running memcached process started by {@link startMemcached}. */
export interface MemcachedProcess {
  readonly pid: number;
  /** 'host:port' for TCP, or the socket path for a Unix socket. */
  readonly address: string;
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly args: readonly string[];
  /** Stops the process (SIGKILL) and removes its temp files. */
  stop(): Promise<void>;
  /** Stops then starts the same server again, on the same address. */
  restart(): Promise<void>;
}

/** Thrown when memcached is not installed. The message says how to install it. */
export class MemcachedNotFoundError extends Error {
  readonly code = 'MC_ERR_MEMCACHED_NOT_FOUND';
  constructor(bin: string) {
    super(
      `memcached binary '${bin}' was not found. Install it with 'bash scripts/bootstrap.sh' ` +
        `(or 'apt-get install memcached'), or point MEMCACHED_BIN at it.`,
    );
    this.name = 'MemcachedNotFoundError';
  }
}

/** Asks the OS for a free TCP port on the given loopback host. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function defaultBin(): string {
  return process.env.MEMCACHED_BIN || 'memcached';
}

function checkBinary(bin: string): void {
  const r = spawnSync(bin, ['-V'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new MemcachedNotFoundError(bin);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function probeVersion(
  target: { host?: string; port?: number; path?: string },
  useTls: boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    let sock: Socket;
    if (useTls) {
      // Readiness only: the test decides how it verifies certificates.
      sock = tlsConnect({ host: target.host, port: target.port, rejectUnauthorized: false });
      sock.once('secureConnect', () => sock.write('version\r\n'));
    } else {
      sock = target.path ? connect(target.path) : connect(target.port!, target.host);
      sock.once('connect', () => sock.write('version\r\n'));
    }
    let buf = '';
    sock.setTimeout(500, () => done(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // Any complete line means the server is up (with -Y it answers CLIENT_ERROR unauthenticated).
      if (buf.includes('\r\n')) done(true);
    });
    sock.once('error', () => done(false));
  });
}

/**
 * Spawns a real memcached on a free loopback port (or a Unix socket), waits until it answers
 * `version`, and returns a handle that stops it by PID. As root, memcached refuses to start
 * without `-u`, so `-u root` is added when running as root and the caller did not pass `-u`.
 */
export async function startMemcached(options: StartMemcachedOptions = {}): Promise<MemcachedProcess> {
  const bin = options.bin ?? defaultBin();
  checkBinary(bin);
  const host = options.host ?? '127.0.0.1';
  const extra = options.args ?? [];
  const useTls = options.tls ?? extra.includes('-Z');
  let dir: string | undefined;
  let path: string | undefined;
  let port: number | undefined;
  const args: string[] = ['-m', String(options.memoryMb ?? 64), '-t', String(options.threads ?? 2)];
  if (options.unixSocket) {
    dir = mkdtempSync(join(tmpdir(), 'mc-memcached-'));
    path = join(dir, 'memcached.sock');
    args.push('-s', path, '-a', '0700');
  } else {
    port = options.port ?? (await freePort(host));
    args.push('-l', host, '-p', String(port), '-U', '0');
  }
  if (isRoot && !extra.includes('-u')) args.push('-u', 'root');
  args.push(...extra);

  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = async (): Promise<void> => {
    stderr = '';
    child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    // A test run must not be kept alive by its servers.
    child.unref();
    (child.stderr as unknown as { unref?: () => void })?.unref?.();
    const deadline = Date.now() + (options.startTimeout ?? 10_000);
    const started = child;
    let exited = false;
    started.once('exit', () => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`memcached exited at start (args: ${args.join(' ')}): ${stderr.trim()}`);
      if (await probeVersion(path ? { path } : { host, port: port! }, useTls)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    started.kill('SIGKILL');
    throw new Error(`memcached did not answer 'version' in time (args: ${args.join(' ')}): ${stderr.trim()}`);
  };

  const kill = (): Promise<void> =>
    new Promise((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      const t = setTimeout(() => c.kill('SIGKILL'), 2000);
      t.unref();
      // The child is unref'd so a test run never waits for it; ref it while we wait for its exit.
      c.ref();
      c.once('exit', () => {
        clearTimeout(t);
        c.unref();
        resolve();
      });
      // memcached keeps nothing worth a graceful stop, and SIGTERM costs ~1 s per server.
      c.kill('SIGKILL');
    });

  await launch();
  const handle: MemcachedProcess = {
    get pid() {
      return child?.pid ?? -1;
    },
    address: path ?? (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`),
    ...(path ? { path } : { host, port }),
    args,
    async stop() {
      await kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      await launch();
    },
  };
  return handle;
}
