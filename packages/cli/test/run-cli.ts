import { Readable } from 'node:stream';
import { type CliIo, type OutputStream, run } from '../src/index.js';

/** Collects what the CLI writes; isTTY as the test asks. */
export class Capture implements OutputStream {
  private readonly chunks: Buffer[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get text(): string {
    return this.bytes.toString('utf8');
  }
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Bytes on stdin (a pipe); omitted: stdin is a terminal. */
  stdin?: string | Buffer;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** Runs the CLI in-process, as bin.ts does, with captured streams. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const stdout = new Capture(options.stdoutTTY);
  const stderr = new Capture(options.stderrTTY);
  const stdin =
    options.stdin === undefined
      ? Object.assign(Readable.from([]), { isTTY: true })
      : Object.assign(Readable.from([Buffer.from(options.stdin)]), { isTTY: false });
  const io: CliIo = { stdout, stderr, stdin, env: options.env ?? {}, signal: options.signal };
  const code = await run(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutBytes: stdout.bytes };
}

/** JSON lines of an output. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
