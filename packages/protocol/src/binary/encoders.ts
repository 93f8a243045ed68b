import { InvalidArgumentError, InvalidKeyError } from '../errors.js';
import { MAX_KEY_LENGTH } from '../keys.js';
import { checkBytes, checkExptime, checkNonNegative, checkU32 } from '../numbers.js';
import {
  BINARY_HEADER_LENGTH,
  type BinaryArithOpcode,
  type BinaryConcatOpcode,
  type BinaryGatOpcode,
  type BinaryGetOpcode,
  type BinaryStoreOpcode,
  MAGIC_REQUEST,
  Opcode,
} from './opcodes.js';

const MAX_U64 = (1n << 64n) - 1n;
/** Largest body a request header can announce (the length field is 32 bits). */
const MAX_BODY = 0xffffffff;
const EMPTY = Buffer.alloc(0);

/** Fields of a request packet, for {@link encodeBinaryRequest}. Every field is optional. */
export interface BinaryRequestFields {
  /** Key bytes. Default none. */
  key?: Uint8Array;
  /** Command-specific extras. Default none. */
  extras?: Uint8Array;
  /** The value / payload. Default none. */
  value?: Uint8Array;
  /** Copied back into the response; uint32. Default 0. */
  opaque?: number;
  /** Compare-and-swap token (uint64); 0 means none. Default 0n. */
  cas?: bigint;
}

/**
 * Checks key bytes for a binary command: 1 to 250 bytes. (The binary protocol frames keys by length,
 * so any byte is safe on the wire; mc still makes keys with encodeKey so that text and binary clients
 * see the same keys.)
 */
export function checkBinaryKey(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array))
    throw new InvalidKeyError(String(key), 'an encoded key must be bytes (use encodeKey)');
  if (key.length === 0) throw new InvalidKeyError('', 'a key cannot be empty');
  if (key.length > MAX_KEY_LENGTH)
    throw new InvalidKeyError(Buffer.from(key).toString('latin1'), `longer than ${MAX_KEY_LENGTH} bytes`);
  return key;
}

function checkOpaque32(opaque: number): number {
  if (!Number.isInteger(opaque) || opaque < 0 || opaque > 0xffffffff)
    throw new InvalidArgumentError(`opaque must be an integer from 0 to 2^32-1, got ${String(opaque)}`);
  return opaque;
}

function checkU64(name: string, value: number | bigint): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > MAX_U64)
      throw new InvalidArgumentError(`${name} must be from 0 to 2^64-1, got ${value}`);
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(
      `${name} must be a non-negative safe integer or a bigint, got ${String(value)} (use a bigint past 2^53)`,
    );
  return BigInt(value);
}

/**
 * Allocates one packet and writes its header, key and value; extras (extrasLength bytes at offset 24)
 * are written by the caller. Arguments are already checked.
 */
function packet(
  opcode: number,
  key: Uint8Array,
  extrasLength: number,
  value: Uint8Array,
  opaque: number,
  cas: bigint,
): Buffer {
  const bodyLength = extrasLength + key.length + value.length;
  if (bodyLength > MAX_BODY) throw new InvalidArgumentError(`a request body cannot exceed 2^32-1 bytes`);
  const b = Buffer.allocUnsafe(BINARY_HEADER_LENGTH + bodyLength);
  b[0] = MAGIC_REQUEST;
  b[1] = opcode;
  b.writeUInt16BE(key.length, 2);
  b[4] = extrasLength;
  b[5] = 0; // data type: raw bytes
  b[6] = 0; // vbucket id
  b[7] = 0;
  b.writeUInt32BE(bodyLength, 8);
  b.writeUInt32BE(opaque, 12);
  if (cas === 0n) b.fill(0, 16, 24);
  else b.writeBigUInt64BE(cas, 16);
  const keyAt = BINARY_HEADER_LENGTH + extrasLength;
  if (key.length > 0) b.set(key, keyAt);
  if (value.length > 0) b.set(value, keyAt + key.length);
  return b;
}

/** Any request, from its parts (checked: key ≤ 250 bytes, extras ≤ 255 bytes, opaque uint32, cas uint64). */
export function encodeBinaryRequest(opcode: number, fields: BinaryRequestFields = {}): Buffer {
  checkU32('opcode', opcode);
  if (opcode > 0xff) throw new InvalidArgumentError(`opcode must be one byte, got ${opcode}`);
  const key = fields.key === undefined ? EMPTY : checkBytes('key', fields.key);
  if (key.length > MAX_KEY_LENGTH) checkBinaryKey(key);
  const extras = fields.extras === undefined ? EMPTY : checkBytes('extras', fields.extras);
  if (extras.length > 0xff) throw new InvalidArgumentError('extras cannot exceed 255 bytes');
  const value = fields.value === undefined ? EMPTY : checkBytes('value', fields.value);
  const cas = checkU64('cas', fields.cas ?? 0n);
  const b = packet(opcode, key, extras.length, value, checkOpaque32(fields.opaque ?? 0), cas);
  if (extras.length > 0) b.set(extras, BINARY_HEADER_LENGTH);
  return b;
}

/** Get, GetQ, GetK or GetKQ. The K variants echo the key; the Q variants answer only on a hit. */
export function encodeBinaryGet(opcode: BinaryGetOpcode, key: Uint8Array, opaque = 0): Buffer {
  return packet(opcode, checkBinaryKey(key), 0, EMPTY, checkOpaque32(opaque), 0n);
}

/** Gat (get and touch) and its variants: sets the expiry and returns the value. */
export function encodeBinaryGat(
  opcode: BinaryGatOpcode,
  key: Uint8Array,
  exptime: number,
  opaque = 0,
): Buffer {
  checkBinaryKey(key);
  checkExptime('exptime', exptime);
  const b = packet(opcode, key, 4, EMPTY, checkOpaque32(opaque), 0n);
  b.writeInt32BE(exptime, BINARY_HEADER_LENGTH);
  return b;
}

/**
 * Set, Add or Replace (or their quiet variants) with flags and expiry. A non-zero `cas` makes it a
 * compare-and-swap: the server answers key exists when the token no longer matches and key not
 * found when the item is gone.
 */
export function encodeBinaryStore(
  opcode: BinaryStoreOpcode,
  key: Uint8Array,
  value: Uint8Array,
  flags: number,
  exptime: number,
  opaque = 0,
  cas: bigint | number = 0n,
): Buffer {
  checkBinaryKey(key);
  checkBytes('value', value);
  checkU32('flags', flags);
  checkExptime('exptime', exptime);
  const b = packet(opcode, key, 8, value, checkOpaque32(opaque), checkU64('cas', cas));
  b.writeUInt32BE(flags, BINARY_HEADER_LENGTH);
  b.writeInt32BE(exptime, BINARY_HEADER_LENGTH + 4);
  return b;
}

/** Append or Prepend (or quiet): adds bytes to an existing item, which keeps its flags and expiry. */
export function encodeBinaryConcat(
  opcode: BinaryConcatOpcode,
  key: Uint8Array,
  value: Uint8Array,
  opaque = 0,
  cas: bigint | number = 0n,
): Buffer {
  checkBinaryKey(key);
  checkBytes('value', value);
  return packet(opcode, key, 0, value, checkOpaque32(opaque), checkU64('cas', cas));
}

/** Delete or DeleteQ. */
export function encodeBinaryDelete(quiet: boolean, key: Uint8Array, opaque = 0): Buffer {
  return packet(
    quiet ? Opcode.DeleteQ : Opcode.Delete,
    checkBinaryKey(key),
    0,
    EMPTY,
    checkOpaque32(opaque),
    0n,
  );
}

/**
 * Increment or Decrement (or quiet). `initial` is stored when the key is missing, unless exptime is
 * 0xffffffff (BINARY_ARITH_NO_CREATE): then a missing key is answered key not found, as the text
 * protocol's incr does. Decrement stops at 0; increment wraps at 2^64.
 */
export function encodeBinaryArith(
  opcode: BinaryArithOpcode,
  key: Uint8Array,
  delta: number | bigint,
  initial: number | bigint = 0n,
  exptime: number = BINARY_ARITH_NO_CREATE,
  opaque = 0,
): Buffer {
  checkBinaryKey(key);
  const d = checkU64('delta', delta);
  const i = checkU64('initial', initial);
  // The field is an unsigned 32-bit integer: 0xffffffff is "do not create"; other values as exptime.
  if (exptime !== BINARY_ARITH_NO_CREATE) checkExptime('exptime', exptime);
  const b = packet(opcode, key, 20, EMPTY, checkOpaque32(opaque), 0n);
  b.writeBigUInt64BE(d, BINARY_HEADER_LENGTH);
  b.writeBigUInt64BE(i, BINARY_HEADER_LENGTH + 8);
  b.writeUInt32BE(exptime >>> 0, BINARY_HEADER_LENGTH + 16);
  return b;
}

/** The expiration value that makes Increment/Decrement fail on a missing key instead of creating it. */
export const BINARY_ARITH_NO_CREATE = 0xffffffff;

/** Touch: sets a new expiry. */
export function encodeBinaryTouch(key: Uint8Array, exptime: number, opaque = 0): Buffer {
  checkBinaryKey(key);
  checkExptime('exptime', exptime);
  const b = packet(Opcode.Touch, key, 4, EMPTY, checkOpaque32(opaque), 0n);
  b.writeInt32BE(exptime, BINARY_HEADER_LENGTH);
  return b;
}

/** Flush (or FlushQ), optionally delayed by `delay` seconds. */
export function encodeBinaryFlush(quiet: boolean, delay = 0, opaque = 0): Buffer {
  checkNonNegative('delay', delay);
  checkU32('delay', delay);
  const op = quiet ? Opcode.FlushQ : Opcode.Flush;
  if (delay === 0) return packet(op, EMPTY, 0, EMPTY, checkOpaque32(opaque), 0n);
  const b = packet(op, EMPTY, 4, EMPTY, checkOpaque32(opaque), 0n);
  b.writeUInt32BE(delay, BINARY_HEADER_LENGTH);
  return b;
}

/** Stat: all general stats, or the group named by `group` ('items', 'slabs', 'settings', ...). */
export function encodeBinaryStat(group?: string, opaque = 0): Buffer {
  let key: Uint8Array = EMPTY;
  if (group !== undefined && group !== '') {
    if (typeof group !== 'string') throw new InvalidArgumentError('a stats group must be a string');
    key = checkBinaryKey(Buffer.from(group, 'utf8'));
  }
  return packet(Opcode.Stat, key, 0, EMPTY, checkOpaque32(opaque), 0n);
}

/** Verbosity: sets the server's log level. */
export function encodeBinaryVerbosity(level: number, opaque = 0): Buffer {
  checkU32('verbosity level', level);
  const b = packet(Opcode.Verbosity, EMPTY, 4, EMPTY, checkOpaque32(opaque), 0n);
  b.writeUInt32BE(level, BINARY_HEADER_LENGTH);
  return b;
}

/** A command with no key, extras or value: Noop, Version, Quit, QuitQ, SaslListMechs. */
export function encodeBinarySimple(
  opcode:
    | typeof Opcode.Noop
    | typeof Opcode.Version
    | typeof Opcode.Quit
    | typeof Opcode.QuitQ
    | typeof Opcode.SaslListMechs,
  opaque = 0,
): Buffer {
  return packet(opcode, EMPTY, 0, EMPTY, checkOpaque32(opaque), 0n);
}

/** SaslAuth (first step) or SaslStep: the key is the mechanism name, the value its data. */
export function encodeSaslAuth(mechanism: string, data: Uint8Array, opaque = 0, step = false): Buffer {
  if (typeof mechanism !== 'string' || !/^[A-Z0-9_-]{1,20}$/.test(mechanism))
    throw new InvalidArgumentError(
      `a SASL mechanism name is 1 to 20 of A-Z 0-9 - _ (RFC 4422), got ${JSON.stringify(mechanism)}`,
    );
  checkBytes('data', data);
  return packet(
    step ? Opcode.SaslStep : Opcode.SaslAuth,
    Buffer.from(mechanism, 'latin1'),
    0,
    data,
    checkOpaque32(opaque),
    0n,
  );
}

/**
 * The message of the SASL PLAIN mechanism (RFC 4616): authorization identity (empty), NUL, user,
 * NUL, password, as UTF-8. Neither may contain NUL; both must be non-empty strings.
 */
export function saslPlainMessage(username: string, password: string): Buffer {
  for (const [name, v] of [
    ['username', username],
    ['password', password],
  ] as const) {
    if (typeof v !== 'string' || v.length === 0)
      throw new InvalidArgumentError(`the SASL ${name} must be a non-empty string`);
    if (v.includes('\0')) throw new InvalidArgumentError(`the SASL ${name} cannot contain NUL`);
  }
  return Buffer.from(`\0${username}\0${password}`, 'utf8');
}
