import { writeLatin1, writeUtf8 } from './buffer-write.js';
import { InvalidArgumentError } from './errors.js';
import { checkBytes, checkExptime, checkU32 } from './numbers.js';
import type { StorageCommand } from './text-encoders.js';

const STORAGE = new Set<string>(['set', 'add', 'replace', 'append', 'prepend']);

/**
 * The parts of a storage command around its key: `<command> ` and ` <flags> <exptime> <bytes>[
 * noreply]\r\n`, after checking every number. For writers that put the command straight into an
 * output buffer (no Buffer per request), in two steps so nothing is written before the checks pass.
 */
export function storageHeader(
  command: StorageCommand,
  flags: number,
  exptime: number,
  value: Uint8Array,
  noreply: boolean,
): { head: string; tail: string } {
  if (!STORAGE.has(command)) throw new InvalidArgumentError(`unknown storage command ${String(command)}`);
  checkU32('flags', flags);
  checkExptime('expire', exptime);
  checkBytes('value', value);
  return {
    head: `${command} `,
    tail: ` ${flags} ${exptime} ${value.length}${noreply ? ' noreply' : ''}\r\n`,
  };
}

/**
 * Writes a storage command into `target` at `offset` and returns the offset after it: `head`, the key
 * (`fullKey`, already checked with checkKey, written as latin1 when `keyBytes` equals its length and
 * as UTF-8 otherwise), `tail`, the value and CRLF. `target` must have room for
 * `head.length + keyBytes + tail.length + value.length + 2` bytes.
 */
export function writeStorage(
  target: Buffer,
  offset: number,
  head: string,
  fullKey: string,
  keyBytes: number,
  tail: string,
  value: Uint8Array,
): number {
  let off = offset + writeLatin1(target, head, offset);
  off += keyBytes === fullKey.length ? writeLatin1(target, fullKey, off) : writeUtf8(target, fullKey, off);
  off += writeLatin1(target, tail, off);
  target.set(value, off);
  off += value.length;
  target[off++] = 0x0d;
  target[off++] = 0x0a;
  return off;
}
