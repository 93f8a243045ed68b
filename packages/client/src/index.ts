/** @mc/client: a memcached client for one server, pipelined, with typed errors. */

export { encodeKey, type KeyOptions } from '@mc/protocol';
export { defaultSerde, type Serde } from '@mc/serde';
export {
  AuthError,
  BINARY_DEFAULTS,
  BinaryClient,
  type BinaryClientOptions,
  enableBinaryProtocol,
  type SaslOptions,
  UnsupportedCommandError,
} from './binary/index.js';
export { Client } from './client.js';
export {
  COMMAND_LIST,
  COMMANDS,
  type CommandName,
  type CommandShape,
  type CommandSpec,
  isIdempotent,
} from './commands.js';
export { channels } from './diagnostics.js';
export { entriesOf, type SetManyInput } from './entries.js';
export * from './errors.js';
export {
  type CommandDispatcher,
  callCommand,
  forward,
  installCommands,
  isInputError,
  signalOf,
} from './forward.js';
export { FailureListeners, ignoreReadFailures, missOnFailure } from './ignore-exc.js';
export { getOrLoadWith, type LeaseOps } from './lease.js';
export type {
  CasValue,
  CommandOptions,
  MemcacheClient,
  MemcacheCommands,
  NoreplyOptions,
  RawOptions,
  StoreOptions,
} from './memcache-client.js';
export type {
  GetOrLoadOptions,
  MetaArithmeticCallOptions,
  MetaArithmeticResult,
  MetaDeleteCallOptions,
  MetaDeleteResult,
  MetaGetCallOptions,
  MetaGetResult,
  MetaSetCallOptions,
  MetaSetResult,
} from './meta.js';
export * from './options/index.js';
export { type ClientOptions, DEFAULTS } from './options.js';
export { serializeWithFlags } from './serialize.js';
export {
  DEFAULT_PORT,
  formatServer,
  parseServer,
  type ServerAddress,
  type ServerSpec,
} from './server-address.js';
export { type Stats, type StatValue, typeStats } from './stats.js';
export { COMMAND_TRACING_CHANNEL, type CommandTraceContext, commandTracing } from './tracing.js';
export * from './wrappers/index.js';
