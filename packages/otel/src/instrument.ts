import { AsyncLocalStorage } from 'node:async_hooks';
import { tracingChannel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { COMMAND_TRACING_CHANNEL, type CommandTraceContext, InvalidArgumentError } from '@mc/client';
import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_DB_RESPONSE_RETURNED_ROWS,
  errorAttributes,
  returnedRows,
  spanName,
  startAttributes,
} from './describe.js';

const VERSION: string = createRequire(import.meta.url)('../package.json').version;

/** Options of {@link instrumentMc}. Every field is optional. */
export interface McInstrumentationOptions {
  /** Where spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /**
   * Record the keys of each call as `mc.keys` (at most `maxCapturedKeys` of them). Default false:
   * keys often carry user ids or emails.
   */
  captureKeys?: boolean;
  /** Most keys recorded per span when captureKeys is on. Default 10. */
  maxCapturedKeys?: number;
  /** Trace a call only inside an existing span (no root spans from background jobs). Default false. */
  requireParentSpan?: boolean;
}

/** What {@link instrumentMc} returns. */
export interface McInstrumentation {
  /** Stops starting spans at once; spans already started still end, then it unsubscribes entirely. */
  disable(): void;
}

/**
 * Traces every command of every mc client in this process: one CLIENT span per call, named
 * `{operation} {server}`, with the database-client semantic conventions. Spans come from the
 * `mc:command` tracing channel that each Client publishes on, so a span always names the one
 * server the call went to, and every caller of a merged get() has a span of its own.
 *
 * With no tracer provider registered, each call costs one no-op span and nothing is recorded.
 */
export function instrumentMc(options: McInstrumentationOptions = {}): McInstrumentation {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer('@mc/otel', VERSION);
  const maxKeys = options.maxCapturedKeys ?? 10;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new InvalidArgumentError(`maxCapturedKeys must be a positive integer, got ${String(maxKeys)}`);
  const captureKeys = options.captureKeys ? maxKeys : 0;
  const requireParent = options.requireParentSpan ?? false;
  // The context object of a call is its identity: start, error and asyncEnd get the same object.
  const spans = new WeakMap<object, Span>();

  // Counts spans still open, so that disable() can keep ending them after it stops starting new ones.
  let open = 0;
  let enabled = true;
  const channel = tracingChannel(COMMAND_TRACING_CHANNEL);

  const finish = (ctx: CommandTraceContext): void => {
    const span = spans.get(ctx);
    if (span === undefined) return;
    spans.delete(ctx);
    if (ctx.error === undefined) {
      const rows = returnedRows(ctx);
      if (rows !== undefined) span.setAttribute(ATTR_DB_RESPONSE_RETURNED_ROWS, rows);
    }
    span.end();
    openSpans.delete(span);
    open--;
    if (!enabled && open === 0) unsubscribeRest();
  };

  // The span of the mc command we are inside, for the commands it makes itself (getOrLoad's metaGet
  // and metaSet): bound to the channel's start, so it holds only while the command runs.
  const inside = new AsyncLocalStorage<Context>();
  const openSpans = new WeakSet<Span>();
  // Calls already seen by the store transform, so the start subscriber does not trace them twice.
  const seen = new WeakSet<object>();

  /** Starts the span of a call; returns the context the call runs in (its span active). */
  const begin = (ctx: CommandTraceContext): Context | undefined => {
    seen.add(ctx);
    const outer = inside.getStore();
    const outerSpan = outer === undefined ? undefined : trace.getSpan(outer);
    // A command started from an async resource of a command that has ended (a timer, a socket)
    // must not hang under that old span: only an open one is a parent.
    const parent =
      outer !== undefined && outerSpan !== undefined && openSpans.has(outerSpan) ? outer : context.active();
    if (requireParent && trace.getSpan(parent) === undefined) return outer;
    const span = tracer.startSpan(
      spanName(ctx),
      { kind: SpanKind.CLIENT, attributes: startAttributes(ctx, captureKeys) },
      parent,
    );
    if (!span.isRecording()) return outer; // no SDK, or sampled out: nothing to keep
    spans.set(ctx, span);
    openSpans.add(span);
    open++;
    return trace.setSpan(parent, span);
  };
  // The start event comes inside the caller's call (tracePromise runs the store transform first,
  // then publishes start): the active context there is the caller's.
  const transform = (message: unknown): Context | undefined => begin(message as CommandTraceContext);
  const onStart = (message: unknown): void => {
    if (!seen.has(message as object)) begin(message as CommandTraceContext);
  };
  // `end` closes the synchronous part: a call that threw synchronously ends here, a promise at asyncEnd.
  const onEnd = (message: unknown): void => {
    const ctx = message as CommandTraceContext;
    if (ctx.error !== undefined) finish(ctx);
  };
  const onAsyncEnd = (message: unknown): void => finish(message as CommandTraceContext);
  const onError = (message: unknown): void => {
    const ctx = message as CommandTraceContext;
    const span = spans.get(ctx);
    if (span === undefined) return;
    const err = ctx.error;
    span.setAttributes(errorAttributes(err));
    if (err instanceof Error) span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  };

  const unsubscribeRest = (): void => {
    channel.end.unsubscribe(onEnd);
    channel.asyncEnd.unsubscribe(onAsyncEnd);
    channel.error.unsubscribe(onError);
  };

  channel.start.bindStore(inside, transform);
  channel.start.subscribe(onStart);
  channel.end.subscribe(onEnd);
  channel.asyncEnd.subscribe(onAsyncEnd);
  channel.error.subscribe(onError);
  return {
    disable(): void {
      if (!enabled) return;
      enabled = false;
      channel.start.unbindStore(inside);
      channel.start.unsubscribe(onStart);
      if (open === 0) unsubscribeRest();
    },
  };
}
