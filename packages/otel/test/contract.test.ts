/*
 * @mc/otel against the tracing channel contract (packages/client/src/tracing.ts), publishing on the
 * channel directly as a Client does: no server needed.
 */
import {
  type CommandTraceContext,
  commandTracing,
  InvalidKeyError,
  ServerError,
  TimeoutError,
} from '@mc/client';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import * as attrs from '../src/attributes.js';
import { instrumentMc, type McInstrumentation } from '../src/index.js';
import { memoryProvider, useAsyncContext } from './otel-helpers.js';

function ctxOf(fields: Partial<CommandTraceContext> = {}): CommandTraceContext {
  return {
    command: 'get',
    server: '127.0.0.1:11211',
    host: '127.0.0.1',
    port: 11211,
    socketPath: undefined,
    keys: ['user:1'],
    batchSize: undefined,
    noreply: false,
    ...fields,
  };
}

/** Publishes one call the way Client does: tracePromise with the call's context. */
function call<T>(ctx: CommandTraceContext, fn: () => Promise<T>): Promise<T> {
  return commandTracing.tracePromise(fn, ctx);
}

let active: McInstrumentation[] = [];
function instrument(...args: Parameters<typeof instrumentMc>): McInstrumentation {
  const i = instrumentMc(...args);
  active.push(i);
  return i;
}

beforeAll(() => useAsyncContext());
afterEach(() => {
  for (const i of active) i.disable();
  active = [];
});

describe('attribute names', () => {
  it('are the semantic conventions', () => {
    expect(attrs.ATTR_DB_SYSTEM_NAME).toBe(semconv.ATTR_DB_SYSTEM_NAME);
    expect(attrs.ATTR_DB_OPERATION_NAME).toBe(semconv.ATTR_DB_OPERATION_NAME);
    expect(attrs.ATTR_DB_OPERATION_BATCH_SIZE).toBe(semconv.ATTR_DB_OPERATION_BATCH_SIZE);
    expect(attrs.ATTR_DB_RESPONSE_STATUS_CODE).toBe(semconv.ATTR_DB_RESPONSE_STATUS_CODE);
    expect(attrs.ATTR_DB_RESPONSE_RETURNED_ROWS).toBe(incubating.ATTR_DB_RESPONSE_RETURNED_ROWS);
    expect(attrs.ATTR_SERVER_ADDRESS).toBe(semconv.ATTR_SERVER_ADDRESS);
    expect(attrs.ATTR_SERVER_PORT).toBe(semconv.ATTR_SERVER_PORT);
    expect(attrs.ATTR_ERROR_TYPE).toBe(semconv.ATTR_ERROR_TYPE);
    expect(attrs.ATTR_NETWORK_TRANSPORT).toBe(semconv.ATTR_NETWORK_TRANSPORT);
    expect(attrs.DB_SYSTEM_NAME_VALUE_MEMCACHED).toBe(incubating.DB_SYSTEM_NAME_VALUE_MEMCACHED);
  });
});

describe('instrumentMc', () => {
  it('makes one CLIENT span per call, named {operation} {server}, with the database conventions', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    expect(await call(ctxOf(), async () => 'value')).toBe('value');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('get 127.0.0.1:11211');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.instrumentationScope.name).toBe('@mc/otel');
    expect(span?.instrumentationScope.version).toBe(pkg.version);
    expect(span?.attributes).toEqual({
      'db.system.name': 'memcached',
      'db.operation.name': 'get',
      'server.address': '127.0.0.1',
      'server.port': 11211,
      'db.response.returned_rows': 1,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('counts the values a read returned; a miss is not an error', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    await call(ctxOf(), async () => undefined);
    const hits = new Map([
      ['a', 1],
      ['c', 3],
    ]);
    await call(ctxOf({ command: 'getMany', keys: ['a', 'b', 'c'], batchSize: 3 }), async () => hits);
    await call(ctxOf({ command: 'set' }), async () => true);
    const [miss, many, set] = spans();
    expect(miss?.attributes['db.response.returned_rows']).toBe(0);
    expect(miss?.status.code).toBe(SpanStatusCode.UNSET);
    expect(many?.attributes['db.response.returned_rows']).toBe(2);
    expect(many?.attributes['db.operation.batch.size']).toBe(3);
    expect(set?.attributes).not.toHaveProperty('db.response.returned_rows');
  });

  it('sets db.operation.batch.size only for two keys or more', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    await call(ctxOf({ command: 'getMany', keys: ['a'], batchSize: 1 }), async () => new Map());
    expect(spans()[0]?.attributes).not.toHaveProperty('db.operation.batch.size');
  });

  it('records a failure: error.type is the mc code, status ERROR, the exception as an event', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    const timeout = new TimeoutError(10);
    await expect(call(ctxOf(), async () => Promise.reject(timeout))).rejects.toBe(timeout);
    const [span] = spans();
    expect(span?.attributes['error.type']).toBe('MC_ERR_TIMEOUT');
    expect(span?.attributes).not.toHaveProperty('db.response.returned_rows');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: timeout.message });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it("gives memcached's error reply as db.response.status_code", async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    const err = new ServerError('object too large for cache');
    await expect(call(ctxOf({ command: 'set' }), async () => Promise.reject(err))).rejects.toBe(err);
    expect(spans()[0]?.attributes).toMatchObject({
      'error.type': 'MC_ERR_SERVER',
      'db.response.status_code': 'SERVER_ERROR',
    });
  });

  it('ends the span of a call that throws synchronously', () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    const err = new InvalidKeyError('bad key', 'whitespace and control characters are not allowed');
    expect(() =>
      commandTracing.tracePromise(() => {
        throw err;
      }, ctxOf()),
    ).toThrow(err);
    expect(spans()[0]?.attributes['error.type']).toBe('MC_ERR_INVALID_KEY');
  });

  it('names errors that are not mc errors by class', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    await expect(call(ctxOf(), async () => Promise.reject(new RangeError('x')))).rejects.toThrow();
    await expect(call(ctxOf(), async () => Promise.reject('a string'))).rejects.toBe('a string');
    expect(spans().map((s) => s.attributes['error.type'])).toEqual(['RangeError', '_OTHER']);
    expect(spans()[1]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'a string' });
  });

  it('leaves keys out unless captureKeys, and caps them', async () => {
    const { provider, spans } = memoryProvider();
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const off = instrument({ tracerProvider: provider });
    await call(ctxOf({ command: 'getMany', keys, batchSize: 30 }), async () => new Map());
    off.disable();
    instrument({ tracerProvider: provider, captureKeys: true });
    await call(ctxOf({ command: 'getMany', keys, batchSize: 30 }), async () => new Map());
    instrument({ tracerProvider: provider, captureKeys: true, maxCapturedKeys: 2 });
    await call(ctxOf({ command: 'getMany', keys, batchSize: 30 }), async () => new Map());
    const [none, ten, two] = [spans()[0], spans()[1], spans().at(-1)];
    expect(none?.attributes).not.toHaveProperty('mc.keys');
    expect(ten?.attributes['mc.keys']).toEqual(keys.slice(0, 10));
    expect(two?.attributes['mc.keys']).toEqual(['k0', 'k1']);
  });

  it('refuses a maxCapturedKeys that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => instrumentMc({ maxCapturedKeys: bad })).toThrow(
        expect.objectContaining({ code: 'MC_ERR_INVALID_ARGUMENT' }),
      );
  });

  it('describes Unix sockets, IPv6 hosts and noreply calls', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    const sock = '/run/memcached/memcached.sock';
    await call(ctxOf({ server: sock, host: undefined, port: undefined, socketPath: sock }), async () => 1);
    await call(
      ctxOf({ server: '[::1]:11211', host: '::1', command: 'delete', noreply: true }),
      async () => true,
    );
    const [unix, v6] = spans();
    expect(unix?.name).toBe(`get ${sock}`);
    expect(unix?.attributes).toMatchObject({ 'server.address': sock, 'network.transport': 'unix' });
    expect(unix?.attributes).not.toHaveProperty('server.port');
    expect(v6?.name).toBe('delete [::1]:11211');
    expect(v6?.attributes).toMatchObject({
      'server.address': '::1',
      'server.port': 11211,
      'mc.noreply': true,
    });
  });

  it("parents each span on the caller's active span, across awaits", async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    const tracer = provider.getTracer('app');
    await tracer.startActiveSpan('request', async (parent) => {
      await new Promise((r) => setTimeout(r, 1));
      await call(ctxOf(), async () => 1);
      parent.end();
    });
    const child = spans().find((s) => s.name.startsWith('get'));
    const parent = spans().find((s) => s.name === 'request');
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
  });

  it('a command made by another command (getOrLoad → metaGet) is its child', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    await call(ctxOf({ command: 'getOrLoad', keys: [] }), async () => {
      await new Promise((r) => setTimeout(r, 1));
      return call(ctxOf({ command: 'metaGet' }), async () => undefined);
    });
    const outer = spans().find((s) => s.name.startsWith('getOrLoad'));
    const inner = spans().find((s) => s.name.startsWith('metaGet'));
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(outer?.parentSpanContext).toBeUndefined();
  });

  it('a command started later from a timer a finished command left behind does not hang under it', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider });
    let later!: Promise<unknown>;
    let fired!: () => void;
    const timerDone = new Promise<void>((r) => (fired = r));
    await call(ctxOf({ command: 'first' }), async () => {
      // As a lazily started poller would: the timer's async context is made inside this call.
      setTimeout(() => {
        later = call(ctxOf({ command: 'poll' }), async () => 1);
        fired();
      }, 5);
    });
    await timerDone;
    await later;
    const poll = spans().find((s) => s.name.startsWith('poll'));
    expect(poll).toBeDefined();
    expect(poll?.parentSpanContext).toBeUndefined();
  });

  it('with requireParentSpan, traces only calls inside a span', async () => {
    const { provider, spans } = memoryProvider();
    instrument({ tracerProvider: provider, requireParentSpan: true });
    await call(ctxOf({ command: 'orphan' }), async () => 1);
    const parent = provider.getTracer('app').startSpan('job');
    await context.with(trace.setSpan(context.active(), parent), () => call(ctxOf(), async () => 1));
    parent.end();
    expect(spans().map((s) => s.name)).toEqual(['get 127.0.0.1:11211', 'job']);
  });

  it('records nothing when no tracer provider is registered, and the calls are unchanged', async () => {
    // The global provider: nothing registered in this process.
    instrument();
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    expect(await call(ctxOf(), async () => 'v')).toBe('v');
    const err = new TimeoutError(5);
    await expect(call(ctxOf(), async () => Promise.reject(err))).rejects.toBe(err);
  });

  it('keeps nothing for sampled-out calls', async () => {
    const { provider, spans } = memoryProvider({ sampled: false });
    instrument({ tracerProvider: provider });
    await call(ctxOf(), async () => 'v');
    expect(spans()).toHaveLength(0);
  });

  it('disable() stops new spans at once and still ends the ones in flight', async () => {
    const { provider, spans } = memoryProvider();
    const i = instrument({ tracerProvider: provider });
    let release!: () => void;
    const inFlight = call(ctxOf({ command: 'slow' }), () => new Promise<void>((r) => (release = r)));
    i.disable();
    await call(ctxOf({ command: 'after' }), async () => 1);
    release();
    await inFlight;
    expect(spans().map((s) => s.name)).toEqual(['slow 127.0.0.1:11211']);
    i.disable(); // twice is harmless
  });
});
