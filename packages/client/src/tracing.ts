import { Buffer } from 'node:buffer';
import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import type { CommandSpec } from './commands.js';
import { entriesOf, type SetManyInput } from './entries.js';

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

/** What a traced client tells about itself: its server, and its defaultNoreply. */
export interface TraceTarget {
  readonly traceServer: {
    readonly server: string;
    readonly host: string | undefined;
    readonly port: number | undefined;
    readonly socketPath: string | undefined;
  };
  readonly traceDefaultNoreply: boolean;
}

type Impl = (this: unknown, ...args: unknown[]) => Promise<unknown>;

function keyText(key: unknown): string {
  return typeof key === 'string' ? key : Buffer.from(key as Uint8Array).toString('base64');
}

/**
 * Wraps every command method of `target`'s prototype so a call is published on the tracing channel
 * when someone subscribes, and costs one check when nobody does. Iterable arguments are read once
 * into arrays first, so the traced keys are exactly the keys sent.
 */
export function traceCommandMethods(target: { prototype: object }, specs: readonly CommandSpec[]): void {
  const proto = target.prototype as Record<string, Impl>;
  for (const spec of specs) {
    if (spec.shape === 'lifecycle') continue;
    const impl = proto[spec.name];
    if (typeof impl !== 'function') continue;
    const method =
      spec.name === 'stats'
        ? function (this: TraceTarget, ...args: unknown[]) {
            if (!commandTracing.hasSubscribers) return impl.apply(this, args);
            return commandTracing.tracePromise(
              () => impl.apply(this, args),
              context(this, spec, [], undefined, undefined),
            );
          }
        : function (this: TraceTarget, a?: unknown, b?: unknown, c?: unknown, d?: unknown) {
            if (!commandTracing.hasSubscribers) return impl.call(this, a, b, c, d);
            let keys: readonly string[] = [];
            let batchSize: number | undefined;
            if (spec.shape === 'key' || spec.shape === 'lease') keys = [keyText(a)];
            else if (spec.shape === 'keys') {
              const list = [...(a as Iterable<unknown>)];
              a = list;
              keys = list.map(keyText);
              batchSize = list.length;
            } else if (spec.shape === 'entries') {
              const list = entriesOf(a as SetManyInput);
              a = list;
              keys = list.map(([k]) => k);
              batchSize = list.length;
            }
            const args = [a, b, c, d];
            const options = spec.optionsAt >= 0 ? (args[spec.optionsAt] as { noreply?: boolean }) : undefined;
            return commandTracing.tracePromise(
              () => impl.call(this, a, b, c, d),
              context(this, spec, keys, batchSize, options?.noreply),
            );
          };
    Object.defineProperty(method, 'name', { value: spec.name });
    Object.defineProperty(proto, spec.name, { value: method, writable: true, configurable: true });
  }
}

function context(
  self: TraceTarget,
  spec: CommandSpec,
  keys: readonly string[],
  batchSize: number | undefined,
  noreply: boolean | undefined,
): CommandTraceContext {
  const s = self.traceServer;
  return {
    command: spec.name,
    server: s.server,
    host: s.host,
    port: s.port,
    socketPath: s.socketPath,
    keys,
    batchSize,
    noreply:
      spec.noreply === 'never'
        ? false
        : (noreply ?? (spec.noreply === 'default' ? self.traceDefaultNoreply : false)),
  };
}
