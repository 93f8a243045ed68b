import { Buffer } from 'node:buffer';
import { InvalidArgumentError } from './errors.js';
import { checkKeyBytes } from './keys.js';
import { checkBytes, checkExptime, checkNonNegative, checkSeconds, checkU32, u64Text } from './numbers.js';

/*
 * Text protocol encoders. Each takes keys already checked by encodeKey (as bytes), validates its
 * numbers, and returns exactly one Buffer per command, data block included, built with one allocation.
 */

export type StorageCommand = 'set' | 'add' | 'replace' | 'append' | 'prepend';
const STORAGE_COMMANDS = new Set<string>(['set', 'add', 'replace', 'append', 'prepend']);
const CRLF = 0x0d0a;
const NOREPLY = ' noreply';

/** Writes `head` + key + `tail` + CRLF [+ data + CRLF] into one Buffer. head/tail are ASCII. */
function build(head: string, key: Uint8Array | null, tail: string, data?: Uint8Array): Buffer {
  if (key) checkKeyBytes(key);
  if (data !== undefined) checkBytes('value', data);
  const keyLen = key ? key.length : 0;
  const dataLen = data ? data.length + 2 : 0;
  const len = head.length + keyLen + tail.length + 2 + dataLen;
  const buf = Buffer.allocUnsafe(len);
  let off = buf.write(head, 0, 'latin1');
  if (key) {
    buf.set(key, off);
    off += keyLen;
  }
  off += buf.write(tail, off, 'latin1');
  off = buf.writeUInt16BE(CRLF, off);
  if (data) {
    buf.set(data, off);
    buf.writeUInt16BE(CRLF, off + data.length);
  }
  return buf;
}

/** set / add / replace / append / prepend. */
export function encodeStorage(
  command: StorageCommand,
  key: Uint8Array,
  flags: number,
  exptime: number,
  value: Uint8Array,
  noreply = false,
): Buffer {
  if (!STORAGE_COMMANDS.has(command))
    throw new InvalidArgumentError(`unknown storage command ${String(command)}`);
  checkU32('flags', flags);
  checkExptime('expire', exptime);
  checkBytes('value', value);
  const tail = ` ${flags} ${exptime} ${value.length}${noreply ? NOREPLY : ''}`;
  return build(`${command} `, key, tail, value);
}

/** cas <key> <flags> <exptime> <bytes> <cas unique>. */
export function encodeCas(
  key: Uint8Array,
  flags: number,
  exptime: number,
  value: Uint8Array,
  cas: bigint,
  noreply = false,
): Buffer {
  checkU32('flags', flags);
  checkExptime('expire', exptime);
  checkBytes('value', value);
  const tail = ` ${flags} ${exptime} ${value.length} ${u64Text('cas', cas)}${noreply ? NOREPLY : ''}`;
  return build('cas ', key, tail, value);
}

function retrieval(head: string, keys: readonly Uint8Array[]): Buffer {
  if (keys.length === 0) throw new InvalidArgumentError('a retrieval needs at least one key');
  if (keys.length === 1) return build(head, keys[0]!, '');
  let len = head.length + 2;
  for (const k of keys) len += checkKeyBytes(k).length + 1;
  len -= 1;
  const buf = Buffer.allocUnsafe(len);
  let off = buf.write(head, 0, 'latin1');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) buf[off++] = 0x20;
    const k = keys[i]!;
    buf.set(k, off);
    off += k.length;
  }
  buf.writeUInt16BE(CRLF, off);
  return buf;
}

/** get <key>*. */
export function encodeGet(keys: readonly Uint8Array[]): Buffer {
  return retrieval('get ', keys);
}
/** gets <key>*: values with their cas tokens. */
export function encodeGets(keys: readonly Uint8Array[]): Buffer {
  return retrieval('gets ', keys);
}
/** gat <exptime> <key>*: get and touch. */
export function encodeGat(exptime: number, keys: readonly Uint8Array[]): Buffer {
  return retrieval(`gat ${checkExptime('expire', exptime)} `, keys);
}
/** gats <exptime> <key>*: get and touch, with cas tokens. */
export function encodeGats(exptime: number, keys: readonly Uint8Array[]): Buffer {
  return retrieval(`gats ${checkExptime('expire', exptime)} `, keys);
}

/** delete <key> [noreply]. */
export function encodeDelete(key: Uint8Array, noreply = false): Buffer {
  return build('delete ', key, noreply ? NOREPLY : '');
}

/** incr <key> <delta> [noreply]; delta is an unsigned 64-bit integer. */
export function encodeIncr(key: Uint8Array, delta: number | bigint, noreply = false): Buffer {
  return build('incr ', key, ` ${u64Text('delta', delta)}${noreply ? NOREPLY : ''}`);
}
/** decr <key> <delta> [noreply]; memcached stops at 0. */
export function encodeDecr(key: Uint8Array, delta: number | bigint, noreply = false): Buffer {
  return build('decr ', key, ` ${u64Text('delta', delta)}${noreply ? NOREPLY : ''}`);
}

/** touch <key> <exptime> [noreply]. */
export function encodeTouch(key: Uint8Array, exptime: number, noreply = false): Buffer {
  return build('touch ', key, ` ${checkExptime('expire', exptime)}${noreply ? NOREPLY : ''}`);
}

const STATS_ARG = /^[A-Za-z0-9_:.-]+$/;
/** stats [args...]: e.g. 'items', 'slabs', 'settings', 'sizes', 'conns', 'reset', 'detail on'. */
export function encodeStats(...args: string[]): Buffer {
  for (const a of args)
    if (!STATS_ARG.test(a)) throw new InvalidArgumentError(`invalid stats argument ${JSON.stringify(a)}`);
  return build(args.length ? `stats ${args.join(' ')}` : 'stats', null, '');
}

/** flush_all [delay] [noreply]. */
export function encodeFlushAll(delay = 0, noreply = false): Buffer {
  checkSeconds('delay', delay);
  return build(`flush_all${delay ? ` ${delay}` : ''}${noreply ? NOREPLY : ''}`, null, '');
}

/** version. */
export function encodeVersion(): Buffer {
  return build('version', null, '');
}

/** verbosity <level> [noreply]. */
export function encodeVerbosity(level: number, noreply = false): Buffer {
  return build(`verbosity ${checkNonNegative('level', level)}${noreply ? NOREPLY : ''}`, null, '');
}

/** cache_memlimit <megabytes> [noreply]. */
export function encodeCacheMemlimit(megabytes: number, noreply = false): Buffer {
  return build(
    `cache_memlimit ${checkNonNegative('megabytes', megabytes)}${noreply ? NOREPLY : ''}`,
    null,
    '',
  );
}

/** shutdown [graceful]: needs memcached started with -A. */
export function encodeShutdown(graceful = false): Buffer {
  return build(graceful ? 'shutdown graceful' : 'shutdown', null, '');
}

/** quit: the server closes the connection. */
export function encodeQuit(): Buffer {
  return build('quit', null, '');
}

/** Any command line the caller builds itself (the raw escape hatch). Rejects CR/LF inside the line. */
export function encodeRaw(line: string, data?: Uint8Array): Buffer {
  if (/[\r\n]/.test(line)) throw new InvalidArgumentError('a raw command line cannot contain CR or LF');
  if (/[^\x20-\x7e]/.test(line)) throw new InvalidArgumentError('a raw command line must be printable ASCII');
  return build(line, null, '', data);
}
