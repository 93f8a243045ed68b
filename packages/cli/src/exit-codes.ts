import { CommanderError } from 'commander';

/**
 * The exit codes of `mc`. They are part of the CLI's contract (documented in the README): scripts
 * switch on them, so a code never changes meaning.
 */
export const EXIT = {
  /** Everything asked for happened: hits, stored, deleted, every server answered. */
  OK: 0,
  /** The servers answered, but not with what was asked for: a miss, NOT_STORED, NOT_FOUND, bench errors. */
  NEGATIVE: 1,
  /** Bad command line: unknown command or option, a bad number, an invalid key. Nothing was sent. */
  USAGE: 2,
  /** A server (or the discovery endpoint) could not be reached or did not answer in time. */
  UNREACHABLE: 3,
  /** Authentication failed (wrong credentials, or the server wants credentials that were not given). */
  AUTH: 4,
  /** Any other failure: an error reply (SERVER_ERROR, CLIENT_ERROR, ERROR), a protocol or serde error. */
  ERROR: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A usage problem found by mc itself (not by commander): exit code 2. */
export class UsageError extends Error {
  readonly code = 'MC_CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure mc already knows the exit code of (e.g. a metadump error line). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code = 'MC_CLI_ERROR',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'MC_ERR_CONNECT',
  'MC_ERR_CONNECT_TIMEOUT',
  'MC_ERR_TIMEOUT',
  'MC_ERR_CONNECTION_CLOSED',
  'MC_ERR_SERVER_FAILED',
  'MC_ERR_NO_SERVERS',
  'MC_ERR_DISCOVERY',
]);
const USAGE_CODES: ReadonlySet<string> = new Set([
  'MC_ERR_INVALID_KEY',
  'MC_ERR_INVALID_ARGUMENT',
  'MC_CLI_USAGE',
]);

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Whether the error is an authentication failure. @mc/client reports a rejected `auth` as a
 * ConnectError whose message starts with "authentication to"; a server started with -Y answers
 * `CLIENT_ERROR unauthenticated` to a client that sent no credentials. Both mean exit code 4.
 * (Matching a message is fragile; a dedicated error code in @mc/client would be better.)
 */
export function isAuthFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : '';
    if (codeOf(e) === 'MC_ERR_AUTH') return true;
    if (codeOf(e) === 'MC_ERR_CONNECT' && message.startsWith('authentication to')) return true;
    if (codeOf(e) === 'MC_ERR_CLIENT_REPLY' && /unauthenticated/i.test(message)) return true;
  }
  return false;
}

/** Maps any error thrown while running a command to mc's exit code. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (isAuthFailure(err)) return EXIT.AUTH;
  const code = codeOf(err);
  if (USAGE_CODES.has(code)) return EXIT.USAGE;
  if (UNREACHABLE_CODES.has(code)) return EXIT.UNREACHABLE;
  return EXIT.ERROR;
}

/** The worst of several per-server outcomes (the highest code wins). */
export function worst(codes: Iterable<ExitCode>): ExitCode {
  let out: ExitCode = EXIT.OK;
  for (const c of codes) if (c > out) out = c;
  return out;
}
