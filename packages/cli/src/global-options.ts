import { type Command, InvalidArgumentError, Option } from 'commander';

/** The options every command takes (commander recognises them before or after the command name). */
export interface GlobalOptions {
  servers?: string;
  discover?: string;
  useIp?: boolean;
  hash?: 'rendezvous' | 'ketama';
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServername?: string;
  tlsInsecure?: boolean;
  username?: string;
  password?: string;
  timeout: number;
  connectTimeout: number;
  keyPrefix?: string;
  unicodeKeys?: boolean;
  json?: boolean;
}

export const DEFAULT_SERVER = '127.0.0.1:11211';

/** A commander argument parser for an integer in [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return n;
  };
}

/** A commander argument parser for a positive decimal number (seconds, ratios). */
export function decimal(min: number, max = Number.MAX_VALUE, minExclusive = false) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (minExclusive && n === min) || n > max)
      throw new InvalidArgumentError(
        `expected a number ${minExclusive ? 'above' : 'from'} ${min}${max < Number.MAX_VALUE ? ` to ${max}` : ''}.`,
      );
    return n;
  };
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      '-s, --servers <list>',
      `comma-separated servers (host:port, [v6]:port or a socket path); default $MEMCACHED_SERVERS, else ${DEFAULT_SERVER}`,
    )
    .option('--discover <endpoint>', 'ElastiCache configuration endpoint: take the servers from it')
    .option('--use-ip', 'with --discover: connect to the nodes by IP instead of hostname')
    .addOption(
      new Option(
        '--hash <placement>',
        'key placement across servers (default: rendezvous; ketama with --discover)',
      ).choices(['rendezvous', 'ketama']),
    )
    .option('--tls', 'connect with TLS (certificates are verified)')
    .option('--tls-ca <file>', 'CA certificate(s) to verify the servers with (implies --tls)')
    .option('--tls-cert <file>', 'client certificate (implies --tls)')
    .option('--tls-key <file>', 'client private key (implies --tls)')
    .option('--tls-servername <name>', 'name to verify the server certificate against (implies --tls)')
    .option('--tls-insecure', 'do not verify server certificates (implies --tls)')
    .option('--username <name>', 'ASCII auth user (memcached -Y); default $MEMCACHED_USERNAME')
    .option(
      '--password <password>',
      'ASCII auth password; default $MEMCACHED_PASSWORD (keeps it out of shell history)',
    )
    .option('--timeout <ms>', 'ms to wait for each reply', integer(1), 2000)
    .option('--connect-timeout <ms>', 'ms to open a connection (TCP, TLS and auth)', integer(1), 2000)
    .option('--key-prefix <prefix>', 'prepended to every key')
    .option('--unicode-keys', 'accept non-ASCII keys (sent as UTF-8)')
    .option('--json', 'machine-readable output (see the README for the shapes)');
}
