import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './memcached.js';

/** Key hashes twemproxy 0.5 knows (the pool's `hash`). */
export type NutcrackerHash =
  | 'one_at_a_time'
  | 'md5'
  | 'crc16'
  | 'crc32'
  | 'crc32a'
  | 'fnv1_64'
  | 'fnv1a_64'
  | 'fnv1_32'
  | 'fnv1a_32'
  | 'hsieh'
  | 'murmur'
  | 'jenkins';

/** Options of {@link startNutcracker}. Only `servers` is required. */
export interface StartNutcrackerOptions {
  /**
   * Backends as twemproxy writes them: 'host:port' (weight 1 is added), 'host:port:weight', or
   * 'host:port:weight name'. Loopback only in tests.
   */
  servers: string[];
  /** Key hash. Default 'fnv1a_64'. */
  hash?: NutcrackerHash;
  /** Key distribution. Default 'ketama'. */
  distribution?: 'ketama' | 'modula' | 'random';
  /** ms twemproxy waits for a backend's reply. Default 2000. */
  timeout?: number;
  /** Eject a failing backend from the ring. Default false (a test wants to see the failure). */
  autoEjectHosts?: boolean;
  /** With autoEjectHosts: failures before ejection (default 2) and ms before retrying (default 30000). */
  serverFailureLimit?: number;
  serverRetryTimeout?: number;
  /** Connections twemproxy keeps to each backend. Default 1. */
  serverConnections?: number;
  /** Loopback address to listen on. Default '127.0.0.1'. */
  host?: string;
  /** Listen port. Default: a free one. */
  port?: number;
  /** The binary. Default $NUTCRACKER_BIN, else /usr/sbin/nutcracker, else `nutcracker` on PATH. */
  bin?: string;
  /** ms to wait until it accepts connections. Default 10000. */
  startTimeout?: number;
}

/** A running twemproxy started by {@link startNutcracker}. */
export interface NutcrackerProcess {
  readonly pid: number;
  /** 'host:port' clients connect to. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Its stats port (JSON on connect), on the same host. */
  readonly statsPort: number;
  /** The YAML it was started with. */
  readonly config: string;
  /** What it logged so far (its -o file). */
  log(): string;
  /** Stops it by PID (SIGTERM, SIGKILL after 2 s) and removes its temp dir. */
  stop(): Promise<void>;
}

/** Thrown when twemproxy is not installed. The message says how to install it. */
export class NutcrackerNotFoundError extends Error {
  readonly code = 'MC_ERR_NUTCRACKER_NOT_FOUND';
  constructor(bin: string) {
    super(
      `twemproxy binary '${bin}' was not found. Install it with 'bash scripts/bootstrap.sh' ` +
        `(or 'apt-get install nutcracker'), or point NUTCRACKER_BIN at it.`,
    );
    this.name = 'NutcrackerNotFoundError';
  }
}

function defaultBin(): string {
  if (process.env.NUTCRACKER_BIN) return process.env.NUTCRACKER_BIN;
  return existsSync('/usr/sbin/nutcracker') ? '/usr/sbin/nutcracker' : 'nutcracker';
}

/** 'host:port' → 'host:port:1'; a weight or a name already given is kept. */
function serverLine(spec: string): string {
  const [address, name] = spec.trim().split(/\s+/, 2);
  const parts = address!.split(':');
  const withWeight = parts.length === 2 ? `${address}:1` : address!;
  return name ? `${withWeight} ${name}` : withWeight;
}

/** The YAML for one memcached pool named `mc`. */
export function nutcrackerConfig(options: StartNutcrackerOptions & { host: string; port: number }): string {
  const lines = [
    'mc:',
    `  listen: ${options.host}:${options.port}`,
    `  hash: ${options.hash ?? 'fnv1a_64'}`,
    `  distribution: ${options.distribution ?? 'ketama'}`,
    `  timeout: ${options.timeout ?? 2000}`,
    '  redis: false',
    '  preconnect: false',
    `  server_connections: ${options.serverConnections ?? 1}`,
    `  auto_eject_hosts: ${options.autoEjectHosts ?? false}`,
    `  server_retry_timeout: ${options.serverRetryTimeout ?? 30_000}`,
    `  server_failure_limit: ${options.serverFailureLimit ?? 2}`,
    '  servers:',
    ...options.servers.map((s) => `    - ${serverLine(s)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host);
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Writes a twemproxy config for `servers` to a temp dir, starts nutcracker (Debian's twemproxy
 * 0.5.0) on a free loopback port with its stats on another, waits until it accepts connections, and
 * returns a handle that stops it by PID. The process is unref'd: it never keeps a test run alive.
 */
export async function startNutcracker(options: StartNutcrackerOptions): Promise<NutcrackerProcess> {
  const bin = options.bin ?? defaultBin();
  const probe = spawnSync(bin, ['-V'], { encoding: 'utf8' });
  if (probe.error) throw new NutcrackerNotFoundError(bin);
  if (options.servers.length === 0) throw new Error('startNutcracker needs at least one server');
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const statsPort = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'mc-nutcracker-'));
  const confPath = join(dir, 'nutcracker.yml');
  const logPath = join(dir, 'nutcracker.log');
  const config = nutcrackerConfig({ ...options, host, port });
  writeFileSync(confPath, config);
  const readLog = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  const check = spawnSync(bin, ['-t', '-c', confPath], { encoding: 'utf8' });
  if (check.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nutcracker refused the config:\n${config}${check.stderr || check.stdout}`);
  }

  const args = ['-c', confPath, '-s', String(statsPort), '-a', host, '-o', logPath, '-v', '6'];
  const child: ChildProcess = spawn(bin, args, { stdio: 'ignore' });
  child.unref();
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      t.unref();
      child.ref();
      child.once('exit', () => {
        clearTimeout(t);
        child.unref();
        resolve();
      });
      child.kill('SIGTERM');
    }).then(() => rmSync(dir, { recursive: true, force: true }));

  const deadline = Date.now() + (options.startTimeout ?? 10_000);
  for (;;) {
    if (exited) {
      const log = readLog();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nutcracker exited at start (args: ${args.join(' ')}):\n${log.slice(-2000)}`);
    }
    if (await accepts(host, port)) break;
    if (Date.now() > deadline) {
      const log = readLog();
      await stop();
      throw new Error(`nutcracker did not accept connections in time:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  return {
    get pid() {
      return child.pid ?? -1;
    },
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    host,
    port,
    statsPort,
    config,
    log: readLog,
    stop,
  };
}
