import { MemcacheError } from '@mc/client';

/** A poll of the configuration endpoint failed (unreachable, timeout, server error). The last good list stays. */
export class DiscoveryError extends MemcacheError {
  constructor(message: string, cause?: unknown) {
    super('MC_ERR_DISCOVERY', message, { cause, retryable: true });
  }
}

/** The endpoint answered something that is not a cluster configuration. The last good list stays. */
export class MalformedConfigError extends MemcacheError {
  readonly reply: string;
  constructor(message: string, reply: string) {
    super('MC_ERR_DISCOVERY_MALFORMED', message, { retryable: true });
    this.reply = reply.length > 200 ? `${reply.slice(0, 200)}…` : reply;
  }
}

/**
 * A call reached an ElastiCacheClient that knows no node list yet: discovery has not succeeded since
 * the client started (the endpoint is down or answers garbage). Retryable: discovery keeps trying in
 * the background, and calls succeed once it has. `cause` is the last discovery error.
 */
export class NoClusterError extends MemcacheError {
  readonly endpoint: string;
  constructor(endpoint: string, cause: unknown) {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    super('MC_ERR_NO_CLUSTER', `no node list from ${endpoint} yet; discovery keeps trying${why}`, {
      cause,
      retryable: true,
    });
    this.endpoint = endpoint;
  }
}
