import type { ExitCode } from './exit-codes.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

/** What every command gets: the streams, the parsed global options and a stop signal. */
export interface Context {
  readonly io: CliIo;
  readonly options: GlobalOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly json: boolean;
  /** Fires on SIGINT (bin.ts) or when a test stops the run. Never undefined. */
  readonly signal: AbortSignal;
  out(text: string | Uint8Array): void;
  err(text: string): void;
  /** Records the run's exit code (the worst one recorded wins). */
  exit(code: ExitCode): void;
}
