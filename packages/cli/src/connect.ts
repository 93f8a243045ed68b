import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { discover } from '@mc/aws-discovery';
import { Client, type ClientOptions } from '@mc/client';
import { HashClient, KetamaHash, RendezvousHash } from '@mc/hash';
import { UsageError } from './exit-codes.js';
import { DEFAULT_SERVER, type GlobalOptions } from './global-options.js';

/** Where to connect and how: the result of the global options, the environment and discovery. */
export interface Target {
  servers: string[];
  client: ClientOptions;
  placement: 'rendezvous' | 'ketama';
}

function tlsOptions(o: GlobalOptions): TlsOptions | undefined {
  const wanted = o.tls || o.tlsCa || o.tlsCert || o.tlsKey || o.tlsServername || o.tlsInsecure;
  if (!wanted) return undefined;
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
    }
  };
  const tls: TlsOptions = {};
  if (o.tlsCa) tls.ca = read('--tls-ca', o.tlsCa);
  if (o.tlsCert) tls.cert = read('--tls-cert', o.tlsCert);
  if (o.tlsKey) tls.key = read('--tls-key', o.tlsKey);
  if (o.tlsServername) tls.servername = o.tlsServername;
  if (o.tlsInsecure) tls.rejectUnauthorized = false;
  return tls;
}

/** Client options from the global options; credentials fall back to the environment. */
export function clientOptions(
  o: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
): ClientOptions {
  const username = o.username ?? env.MEMCACHED_USERNAME;
  const password = o.password ?? env.MEMCACHED_PASSWORD;
  if ((username === undefined) !== (password === undefined))
    throw new UsageError(
      'give both --username and --password (or MEMCACHED_USERNAME and MEMCACHED_PASSWORD)',
    );
  const options: ClientOptions = { timeout: o.timeout, connectTimeout: o.connectTimeout };
  const tls = tlsOptions(o);
  if (tls) options.tls = tls;
  if (username !== undefined && password !== undefined) options.auth = { username, password };
  if (o.keyPrefix) options.keyPrefix = o.keyPrefix;
  if (o.unicodeKeys) options.allowUnicodeKeys = true;
  return options;
}

export function splitServers(list: string): string[] {
  return list
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The servers: --discover asks the endpoint once (with the same TLS and auth), else --servers,
 * else $MEMCACHED_SERVERS, else 127.0.0.1:11211. Discovered clusters use ketama placement, as
 * ElastiCacheClient and AWS's own clients do; given lists use pymemcache's rendezvous placement.
 */
export async function resolveTarget(
  o: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Target> {
  const client = clientOptions(o, env);
  if (o.discover) {
    if (o.servers) throw new UsageError('give either --servers or --discover, not both');
    const { keyPrefix, allowUnicodeKeys, ...endpointOptions } = client;
    const config = await discover(o.discover, endpointOptions);
    const servers = config.nodes.map((n) => `${o.useIp || !n.hostname ? n.ip : n.hostname}:${n.port}`);
    return { servers, client, placement: o.hash ?? 'ketama' };
  }
  const list = o.servers ?? env.MEMCACHED_SERVERS ?? DEFAULT_SERVER;
  const servers = splitServers(list);
  if (servers.length === 0) throw new UsageError('no servers given');
  return { servers, client, placement: o.hash ?? 'rendezvous' };
}

/** The client for keyed commands: keys land on the server your applications put them on. */
export function keyedClient(target: Target, extra: ClientOptions = {}): HashClient {
  const hasher = target.placement === 'ketama' ? KetamaHash.libmemcachedWeighted([]) : new RendezvousHash();
  // A server that fails is never marked dead: a CLI must report the failure, not move keys elsewhere.
  return new HashClient(target.servers, {
    ...target.client,
    ...extra,
    hasher,
    retryAttempts: Number.MAX_SAFE_INTEGER,
  });
}

/** One Client per server, for the per-server commands (stats, ping, keys). */
export function serverClients(target: Target, extra: ClientOptions = {}): Client[] {
  return target.servers.map((s) => new Client(s, { ...target.client, ...extra }));
}
