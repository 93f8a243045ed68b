import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';

/**
 * The context object of one traced call: one per call of a public command method on a Client,
 * shared by its start, end, asyncStart, asyncEnd and error events so a tracer can pair them into a
 * span (`WeakMap<context, span>`, or a field of its own on the object).
 *
 * Calls are traced where they reach a server: by the Client that sends them. PooledClient and
 * HashClient calls are traced by the Client they choose, so a span always names one server. Every
 * caller of a merged get() gets its own context; noreply calls end when their bytes are queued.
 */
export interface CommandTraceContext {
  /** The method name as the user called it: 'get', 'set', 'getMany', 'metaGet', 'stats'... */
  readonly command: string;
  /** The server's address as text ("host:port", "[v6]:port" or a socket path). */
  readonly server: string;
  /** Host name or IP; undefined for a Unix socket. */
  readonly host: string | undefined;
  /** TCP port; undefined for a Unix socket. */
  readonly port: number | undefined;
  /** Unix socket path; undefined for TCP. */
  readonly socketPath: string | undefined;
  /**
   * The keys of the call, as the user gave them (without the client's keyPrefix): one for a
   * single-key command, all of them for a multi-key one, none for a server-level one. Binary meta
   * keys are given as base64. Capturing them is the subscriber's choice.
   */
  readonly keys: readonly string[];
  /** Number of keys of a multi-key call (getMany, setMany...); undefined for other commands. */
  readonly batchSize: number | undefined;
  /** Whether the call was sent noreply (it ends when queued; the server's answer is not awaited). */
  readonly noreply: boolean;
  /** Set before `end`/`asyncEnd` when the call resolved. */
  result?: unknown;
  /** Set before `error` when the call rejected. */
  error?: unknown;
}

/** The channel name: events are published on `tracing:mc:command:{start,end,asyncStart,asyncEnd,error}`. */
export const COMMAND_TRACING_CHANNEL = 'mc:command';

/**
 * Node's TracingChannel for commands (`diagnostics_channel.tracingChannel('mc:command')`). Subscribe
 * with `commandTracing.subscribe({ start, end, asyncStart, asyncEnd, error })`; nothing is built for a
 * call while nobody subscribes.
 */
export const commandTracing: TracingChannel<unknown, CommandTraceContext> =
  tracingChannel(COMMAND_TRACING_CHANNEL);
