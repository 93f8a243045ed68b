/** The binary-protocol client: SASL authentication, quiet pipelines, the same API as Client. */
export { BinaryClient } from './binary-client.js';
export { AuthError, UnsupportedCommandError } from './errors.js';
export { BINARY_DEFAULTS, type BinaryClientOptions, type SaslOptions } from './options.js';
