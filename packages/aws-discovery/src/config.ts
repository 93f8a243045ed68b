import { MalformedConfigError } from './errors.js';

/** One cache node as the configuration endpoint lists it. */
export interface ClusterNode {
  hostname: string;
  /** May be empty when the endpoint does not know it. */
  ip: string;
  port: number;
}

/** A parsed cluster configuration. */
export interface ClusterConfig {
  /** Increases with every change of the cluster. */
  version: number;
  nodes: ClusterNode[];
}

/**
 * Parses the reply to `config get cluster` (`CONFIG cluster 0 <n>\r\n<payload>\r\nEND\r\n`) or to the
 * legacy `get AmazonElastiCache:cluster` (`VALUE AmazonElastiCache:cluster 0 <n>\r\n<payload>\r\nEND\r\n`).
 * The payload is `<version>\n<hostname|ip|port> ...\n`; IPv6 addresses are allowed in the ip field.
 * Throws MalformedConfigError for anything else, including an empty node list.
 */
export function parseClusterConfig(reply: string): ClusterConfig {
  const header = reply.indexOf('\r\n');
  if (header < 0) throw new MalformedConfigError('config reply without a header line', reply);
  const head = reply.slice(0, header).split(' ');
  const isConfig = head[0] === 'CONFIG' && head[1] === 'cluster';
  const isLegacy = head[0] === 'VALUE' && head[1] === 'AmazonElastiCache:cluster';
  if (!isConfig && !isLegacy)
    throw new MalformedConfigError(`unexpected config reply ${JSON.stringify(head.join(' '))}`, reply);
  const length = Number(head[3]);
  if (!Number.isInteger(length) || length < 0)
    throw new MalformedConfigError('config reply without a length', reply);
  const body = Buffer.from(reply.slice(header + 2), 'utf8');
  if (body.length < length) throw new MalformedConfigError('config reply shorter than its length', reply);
  const payload = body.subarray(0, length).toString('utf8');
  return parsePayload(payload, reply);
}

/** Parses `<version>\n<hostname|ip|port> ...\n`. */
export function parsePayload(payload: string, reply = payload): ClusterConfig {
  const lines = payload.split('\n').map((l) => l.trim());
  const version = Number(lines[0]);
  if (!/^\d+$/.test(lines[0] ?? '') || !Number.isSafeInteger(version))
    throw new MalformedConfigError(`config version ${JSON.stringify(lines[0])} is not a number`, reply);
  const entries = (lines[1] ?? '').split(' ').filter(Boolean);
  if (entries.length === 0) throw new MalformedConfigError('config lists no nodes', reply);
  const nodes = entries.map((entry) => {
    const parts = entry.split('|');
    const port = Number(parts[2]);
    if (parts.length !== 3 || !parts[0] || !Number.isInteger(port) || port <= 0 || port > 65535)
      throw new MalformedConfigError(`malformed node entry ${JSON.stringify(entry)}`, reply);
    return { hostname: parts[0], ip: parts[1]!, port };
  });
  return { version, nodes };
}
