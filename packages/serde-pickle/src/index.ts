/** @mc/serde-pickle: reads and writes Python pickles of plain data, and a pymemcache-compatible serde. */

export { isPickleError, PickleError, type PickleErrorCode } from './errors.js';
export { PICKLE_DEFAULTS, type PickleOptions } from './options.js';
export { loads } from './reader.js';
export { pickleSerde } from './serde.js';
export { dumps } from './writer.js';
