/** The binary-protocol client: SASL authentication, quiet pipelines, the same API as Client. */
import { registerBinaryProtocol } from '../protocol-registry.js';
import { BinaryClient } from './binary-client.js';
import type { BinaryClientOptions } from './options.js';

export { BinaryClient } from './binary-client.js';
export { AuthError, UnsupportedCommandError } from './errors.js';
export { BINARY_DEFAULTS, type BinaryClientOptions, type SaslOptions } from './options.js';

registerBinaryProtocol((server, options) => new BinaryClient(server, options as BinaryClientOptions));

/**
 * Makes `new Client(server, { protocol: 'binary' })` work in a bundle that drops unused modules:
 * call it once (it only makes sure this module is part of the bundle). Plain Node needs nothing.
 */
export function enableBinaryProtocol(): void {}
