import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  MemcachedNotFoundError,
  type MemcachedProcess,
  type StartMemcachedOptions,
} from './memcached.js';

/*
 * memcached with SASL (-S) or with -B binary speaks only the binary protocol, and refuses the text
 * `version` that startMemcached probes readiness with (it closes the connection). So the servers here
 * are launched by a small launcher of their own that probes with a binary Noop; everything else (free
 * ports, -u root, the not-installed error) follows startMemcached, which still starts the
 * auto-negotiating servers (they answer both protocols).
 */

/** Options of {@link startSaslMemcached}. */
export interface StartSaslMemcachedOptions
  extends Pick<
    StartMemcachedOptions,
    'host' | 'port' | 'memoryMb' | 'threads' | 'args' | 'bin' | 'startTimeout'
  > {
  /** SASL users: name → password, written to a fresh sasldb with saslpasswd2. Default { mc: 'mc-secret' }. */
  users?: Record<string, string>;
  /** SASL mechanisms the server offers (its mech_list). Default ['PLAIN']. */
  mechanisms?: string[];
  /** saslpasswd2 binary. Default: $SASLPASSWD2_BIN, else /usr/sbin/saslpasswd2, else 'saslpasswd2' on PATH. */
  saslpasswd2?: string;
}

/** A memcached started with -S; `users` are the credentials in its sasldb. */
export interface SaslMemcachedProcess extends MemcachedProcess {
  readonly users: Readonly<Record<string, string>>;
  /** The directory holding memcached.conf and the sasldb (SASL_CONF_PATH). */
  readonly saslDir: string;
}

/** Options of {@link startBinaryMemcached}. */
export type StartBinaryMemcachedOptions = Pick<
  StartMemcachedOptions,
  'host' | 'port' | 'memoryMb' | 'threads' | 'args' | 'bin' | 'startTimeout'
>;

function saslpasswd2Bin(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.SASLPASSWD2_BIN) return process.env.SASLPASSWD2_BIN;
  return existsSync('/usr/sbin/saslpasswd2') ? '/usr/sbin/saslpasswd2' : 'saslpasswd2';
}

/**
 * Makes a sasldb for memcached (`saslpasswd2 -a memcached -c -f <db> -p <user>`, the password on
 * stdin) and a memcached.conf next to it. Returns the directory, for SASL_CONF_PATH.
 */
export function createSaslConfig(
  users: Record<string, string>,
  mechanisms: string[] = ['PLAIN'],
  bin?: string,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-sasl-'));
  const db = join(dir, 'sasldb2');
  const tool = saslpasswd2Bin(bin);
  for (const [user, password] of Object.entries(users)) {
    const r = spawnSync(tool, ['-a', 'memcached', '-c', '-f', db, '-p', user], {
      input: password,
      encoding: 'utf8',
    });
    if (r.error || r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `saslpasswd2 ('${tool}') failed for user ${JSON.stringify(user)}: ${r.error?.message ?? r.stderr.trim()}. ` +
          `Install it with 'bash scripts/bootstrap.sh' (or 'apt-get install sasl2-bin'), or point SASLPASSWD2_BIN at it.`,
      );
    }
  }
  writeFileSync(
    join(dir, 'memcached.conf'),
    `mech_list: ${mechanisms.map((m) => m.toLowerCase()).join(' ')}\nsasldb_path: ${db}\n`,
  );
  return dir;
}

/**
 * Starts memcached with SASL (-S, which makes it binary only), with the given users in a fresh
 * sasldb. Stop it with `stop()`, which also removes the sasldb.
 */
export async function startSaslMemcached(
  options: StartSaslMemcachedOptions = {},
): Promise<SaslMemcachedProcess> {
  const users = options.users ?? { mc: 'mc-secret' };
  const saslDir = createSaslConfig(users, options.mechanisms, options.saslpasswd2);
  try {
    const server = await launchBinary(
      { ...options, args: ['-S', ...(options.args ?? [])] },
      { SASL_CONF_PATH: saslDir },
    );
    return {
      ...server,
      get pid() {
        return server.pid;
      },
      users,
      saslDir,
      async stop() {
        await server.stop();
        rmSync(saslDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(saslDir, { recursive: true, force: true });
    throw err;
  }
}

/** Starts memcached with `-B binary` (no SASL): it refuses text commands. */
export function startBinaryMemcached(options: StartBinaryMemcachedOptions = {}): Promise<MemcachedProcess> {
  return launchBinary({ ...options, args: ['-B', 'binary', ...(options.args ?? [])] }, {});
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** A binary Noop request (magic 0x80, opcode 0x0a, everything else 0). */
const NOOP = Buffer.from([0x80, 0x0a, ...new Array<number>(22).fill(0)]);

/** True once the server answers a binary Noop with any binary response (with -S: even auth error). */
function probeBinary(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host, () => sock.write(NOOP));
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    let got = Buffer.alloc(0);
    sock.setTimeout(500, () => done(false));
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 24) done(got[0] === 0x81);
    });
    sock.once('error', () => done(false));
    sock.once('close', () => done(false));
  });
}

async function launchBinary(
  options: StartBinaryMemcachedOptions,
  env: Record<string, string>,
): Promise<MemcachedProcess> {
  const bin = options.bin ?? (process.env.MEMCACHED_BIN || 'memcached');
  const check = spawnSync(bin, ['-V'], { encoding: 'utf8' });
  if (check.error || check.status !== 0) throw new MemcachedNotFoundError(bin);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const extra = options.args ?? [];
  const args = ['-m', String(options.memoryMb ?? 64), '-t', String(options.threads ?? 2)];
  args.push('-l', host, '-p', String(port), '-U', '0');
  if (isRoot && !extra.includes('-u')) args.push('-u', 'root');
  args.push(...extra);

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    let stderr = '';
    const c = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    child = c;
    c.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    c.unref();
    (c.stderr as unknown as { unref?: () => void })?.unref?.();
    let exited = false;
    c.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + (options.startTimeout ?? 10_000);
    while (Date.now() < deadline) {
      if (exited) throw new Error(`memcached exited at start (args: ${args.join(' ')}): ${stderr.trim()}`);
      if (await probeBinary(host, port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    c.kill('SIGKILL');
    throw new Error(
      `memcached did not answer a binary noop in time (args: ${args.join(' ')}): ${stderr.trim()}`,
    );
  };
  const kill = (): Promise<void> =>
    new Promise((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.ref();
      c.once('exit', () => {
        c.unref();
        resolve();
      });
      c.kill('SIGKILL');
    });

  await launch();
  return {
    get pid() {
      return child?.pid ?? -1;
    },
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    host,
    port,
    args,
    stop: kill,
    async restart() {
      await kill();
      await launch();
    },
  };
}
