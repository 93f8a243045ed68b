/** Where a run of the CLI reads and writes. bin.ts passes the process's streams; tests pass buffers. */
export interface OutputStream {
  write(chunk: string | Uint8Array): boolean;
  /** true when the stream is a terminal: only then does mc draw progress bars and redraw in place. */
  isTTY?: boolean;
  columns?: number;
  /** Used to wait for 'drain' when a large output (keys) outruns the reader. */
  once?(event: 'drain', listener: () => void): unknown;
}

export interface InputStream extends AsyncIterable<string | Uint8Array> {
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Read by `mc set KEY` without a VALUE. */
  stdin?: InputStream;
  /** Environment (MEMCACHED_SERVERS, MEMCACHED_USERNAME, MEMCACHED_PASSWORD). Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Stops long-running commands (stats --watch, keys, bench) cleanly; bin.ts fires it on SIGINT. */
  signal?: AbortSignal;
}

/**
 * Writes and, when the stream asks for it, waits until it drained (backpressure for big outputs).
 * The signal ends the wait too: a closed pipe (`mc keys | head`) never drains.
 */
export async function writeAndDrain(
  out: OutputStream,
  chunk: string | Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  if (out.write(chunk) || !out.once || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    out.once!('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Reads the whole input (for `mc set KEY < file`). */
export async function readAll(input: InputStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of input)
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts);
}
