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
