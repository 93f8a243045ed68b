/** @mc/otel: OpenTelemetry spans for mc, from its `mc:command` tracing channel. */

export * from './attributes.js';
export { instrumentMc, type McInstrumentation, type McInstrumentationOptions } from './instrument.js';
