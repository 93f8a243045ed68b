import { Client, type ClientOptions, type ServerSpec, UnknownCommandError } from '@mc/client';
import { type ClusterConfig, parseClusterConfig } from './config.js';
import { DiscoveryError, MalformedConfigError } from './errors.js';

/** Options of {@link discover} (Client options for the endpoint connection: tls, timeouts...). */
export interface DiscoverOptions extends ClientOptions {
  /** Always send the legacy `get AmazonElastiCache:cluster` (engines before 1.4.14). Default false. */
  legacy?: boolean;
}

/**
 * Asks a configuration endpoint once for the cluster's nodes. Sends `config get cluster`, or the
 * legacy `get AmazonElastiCache:cluster` when configured to or when the endpoint answers ERROR.
 * For users who build their own client.
 */
export async function discover(
  endpoint: ServerSpec | Client,
  options: DiscoverOptions = {},
): Promise<ClusterConfig> {
  const { legacy, ...clientOptions } = options;
  const client = endpoint instanceof Client ? endpoint : new Client(endpoint, clientOptions);
  try {
    return await ask(client, legacy ?? false);
  } finally {
    if (!(endpoint instanceof Client)) await client.close();
  }
}

/** One config request on an existing connection; returns whether the legacy command was needed too. */
export async function ask(client: Client, legacy: boolean): Promise<ClusterConfig & { legacy: boolean }> {
  let raw: Buffer;
  let usedLegacy = legacy;
  try {
    if (!legacy) {
      try {
        raw = await client.raw('config get cluster', { endToken: 'END\r\n' });
      } catch (err) {
        if (!(err instanceof UnknownCommandError)) throw err;
        usedLegacy = true;
        raw = await client.raw('get AmazonElastiCache:cluster', { endToken: 'END\r\n' });
      }
    } else {
      raw = await client.raw('get AmazonElastiCache:cluster', { endToken: 'END\r\n' });
    }
  } catch (err) {
    throw new DiscoveryError(
      `cannot read the cluster configuration from ${client.server}: ${(err as Error).message}`,
      err,
    );
  }
  const text = raw.toString('utf8');
  if (text === 'END\r\n') throw new MalformedConfigError('the endpoint has no cluster configuration', text);
  return { ...parseClusterConfig(text), legacy: usedLegacy };
}
