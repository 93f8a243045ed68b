#!/usr/bin/env node
import { run } from './run.js';

// SIGINT stops long-running commands (stats --watch, keys, bench) cleanly: they print what they
// have and close their connections. A second Ctrl-C exits at once.
const stop = new AbortController();
process.once('SIGINT', () => {
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
});
// `mc keys | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') stop.abort();
  else throw err;
});

// No top-level await: the same file must also work when built as CommonJS.
void run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: stop.signal,
}).then((code) => {
  process.exitCode = code;
});
