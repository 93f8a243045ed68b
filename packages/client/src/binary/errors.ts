import { MemcacheError } from '@mc/protocol';

/** The code parameter's type, whichever way @mc/protocol spells it. */
type Code = ConstructorParameters<typeof MemcacheError>[0];

export { AuthError } from '@mc/protocol';

/**
 * The command does not exist on memcached's binary protocol (the meta commands, leases and
 * getOrLoad, raw text commands, cache_memlimit, shutdown). Thrown before anything is sent.
 */
export class UnsupportedCommandError extends MemcacheError {
  readonly command: string;
  constructor(command: string, hint = '') {
    super(
      'MC_ERR_UNSUPPORTED' as Code,
      `${command} is not available on memcached's binary protocol${hint ? `: ${hint}` : ''}`,
    );
    this.command = command;
  }
}
