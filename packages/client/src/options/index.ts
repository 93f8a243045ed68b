/**
 * Options validation: one resolver per class, each returning a frozen object with every default
 * applied, and the checks they are built on (`optionChecks`) for the packages above @mc/client.
 */
export {
  CLIENT_DEFAULTS,
  CLIENT_OPTION_NAMES,
  type ClientOptionsInput,
  type NoreplyFence,
  type ResolveContext,
  type ResolvedClientOptions,
  resolveClientOptions,
  type SaslCredentials,
  type WireProtocol,
} from './client-options.js';
export * as optionChecks from './validate.js';
export {
  RETRYING_DEFAULTS,
  RETRYING_OPTION_NAMES,
  type ResolvedFallbackOptions,
  type ResolvedRetryingOptions,
  resolveFallbackOptions,
  resolveRetryingOptions,
} from './wrapper-options.js';
