/** @mc/cli: the `mc` command. The bin is dist/bin.js; `run` is the same CLI as a function. */
export { EXIT, type ExitCode, exitCodeFor } from './exit-codes.js';
export type { CliIo, InputStream, OutputStream } from './io.js';
export { toJson } from './json.js';
export { type MetadumpItem, metadump } from './metadump.js';
export { run } from './run.js';
