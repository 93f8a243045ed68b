import { InvalidArgumentError } from '@mc/protocol';

/** Where a server listens: TCP host and port, or a Unix socket path. */
export type ServerAddress = { host: string; port: number } | { path: string };

/** "host:port", "host" (port 11211), "[ipv6]:port", a Unix socket path, {host, port} or {path}. */
export type ServerSpec = string | { host: string; port?: number } | { path: string };

export const DEFAULT_PORT = 11211;

/** Parses a server spec; throws InvalidArgumentError for one that cannot be an address. */
export function parseServer(spec: ServerSpec): ServerAddress {
  if (typeof spec === 'object' && spec !== null) {
    if ('path' in spec && typeof spec.path === 'string' && spec.path) return { path: spec.path };
    if ('host' in spec && typeof spec.host === 'string' && spec.host)
      return { host: stripBrackets(spec.host), port: checkPort(spec.port ?? DEFAULT_PORT, spec) };
    throw new InvalidArgumentError(`invalid server ${JSON.stringify(spec)}`);
  }
  if (typeof spec !== 'string' || spec.length === 0)
    throw new InvalidArgumentError(`invalid server ${JSON.stringify(spec)}`);
  if (spec.startsWith('/') || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('unix:')) {
    return { path: spec.startsWith('unix:') ? spec.slice(5) : spec };
  }
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']');
    if (close < 0) throw new InvalidArgumentError(`invalid server ${JSON.stringify(spec)}: missing ]`);
    const host = spec.slice(1, close);
    const rest = spec.slice(close + 1);
    if (rest === '') return { host, port: DEFAULT_PORT };
    if (!rest.startsWith(':')) throw new InvalidArgumentError(`invalid server ${JSON.stringify(spec)}`);
    return { host, port: checkPort(Number(rest.slice(1)), spec) };
  }
  const colons = spec.split(':').length - 1;
  if (colons === 0) return { host: spec, port: DEFAULT_PORT };
  if (colons > 1) return { host: spec, port: DEFAULT_PORT }; // a bare IPv6 address
  const i = spec.lastIndexOf(':');
  return { host: spec.slice(0, i), port: checkPort(Number(spec.slice(i + 1)), spec) };
}

/** The canonical text of an address: "host:port", "[v6]:port" or the socket path. */
export function formatServer(address: ServerAddress): string {
  if ('path' in address) return address.path;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function checkPort(port: number, spec: unknown): number {
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new InvalidArgumentError(`invalid port in server ${JSON.stringify(spec)}`);
  return port;
}
