import { Buffer } from 'node:buffer';
import { writeLatin1, writeUtf8 } from './buffer-write.js';
import { InvalidArgumentError } from './errors.js';
import { checkBytes, checkExptime, checkU32 } from './numbers.js';
import type { StorageCommand } from './text-encoders.js';

const STORAGE = new Set<string>(['set', 'add', 'replace', 'append', 'prepend']);

/** Bytes of a value: a byte array's length, or the UTF-8 length of text. */
export function valueLength(value: Uint8Array | string): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : checkBytes('value', value).length;
}

/**
 * The command line of a storage command, `<command> <key> <flags> <exptime> <bytes>[ noreply]\r\n`,
 * as one string, after checking every number. `fullKey` is the key as sent (prefix included),
 * already checked with checkKey. Its length in bytes is `line.length` for an ASCII key (checkKey's
 * byte count equals the key's length), and `line.length - fullKey.length + keyBytes` otherwise. For
 * writers that put the command straight into an output buffer: one string, one write.
 */
export function storageLine(
  command: StorageCommand,
  fullKey: string,
  flags: number,
  exptime: number,
  valueBytes: number,
  noreply: boolean,
): string {
  if (!STORAGE.has(command)) throw new InvalidArgumentError(`unknown storage command ${String(command)}`);
  checkU32('flags', flags);
  checkExptime('expire', exptime);
  return noreply
    ? `${command} ${fullKey} ${flags} ${exptime} ${valueBytes} noreply\r\n`
    : `${command} ${fullKey} ${flags} ${exptime} ${valueBytes}\r\n`;
}

/**
 * Writes a storage command line from storageLine() (as UTF-8 when `utf8`, its key not being ASCII;
 * latin1 otherwise), the value (bytes, or text written as UTF-8) and CRLF into `target` at
 * `offset`; returns the offset after it. `target` must have room for the line's bytes, the value's
 * bytes and 2.
 */
export function writeStorageLine(
  target: Buffer,
  offset: number,
  line: string,
  utf8: boolean,
  value: Uint8Array | string,
): number {
  let off = offset + (utf8 ? writeUtf8(target, line, offset) : writeLatin1(target, line, offset));
  if (typeof value === 'string') off += writeUtf8(target, value, off);
  else {
    target.set(value, off);
    off += value.length;
  }
  target[off++] = 0x0d;
  target[off++] = 0x0a;
  return off;
}
