import { Buffer } from 'node:buffer';
import { InvalidArgumentError } from './errors.js';
import { encodeMetaKey, type KeyOptions } from './keys.js';
import { checkOpaque } from './meta-flags.js';
import { checkBytes, checkExptime, checkSeconds, checkU32, u64Text } from './numbers.js';

/*
 * Meta protocol encoders (memcached 1.6+): mg, ms, md, ma, mn, me. Flags are typed option objects;
 * every flag of memcached's doc/protocol.txt has a field. Keys that the text rules reject (binary,
 * whitespace, non-ASCII without allowUnicode) go base64 with the `b` flag.
 */

/** Flags every keyed meta command shares. */
export interface MetaCommonOptions {
  /** O: opaque token echoed in the reply (≤ 32 chars). */
  opaque?: string;
  /** q: quiet mode: suppress the "uninteresting" reply (EN for mg, HD for ms/md/ma). Pair with mn. */
  quiet?: boolean;
  /** k: return the key in the reply. */
  returnKey?: boolean;
  /** Key validation options (prefix, allowUnicode). */
  keyOptions?: KeyOptions;
}

export interface MetaGetOptions extends MetaCommonOptions {
  /** v: return the value. */
  value?: boolean;
  /** c: return the cas token. */
  cas?: boolean;
  /** f: return the client flags. */
  clientFlags?: boolean;
  /** h: return whether the item was hit before (0/1). */
  hitBefore?: boolean;
  /** l: return seconds since last access. */
  lastAccess?: boolean;
  /** s: return the value size. */
  size?: boolean;
  /** t: return the remaining ttl (-1: never expires). */
  ttl?: boolean;
  /** u: don't bump the item in the LRU. */
  noBump?: boolean;
  /** E: the cas value to use if the item is created or modified. */
  newCas?: bigint;
  /** N: vivify on miss with this ttl (the caller wins the W flag and should fill the item). */
  vivify?: number;
  /** R: win the recache token (W) if the remaining ttl is below this many seconds. */
  recache?: number;
  /** T: update the remaining ttl (touch on read). */
  touch?: number;
}

export type MetaSetMode = 'set' | 'add' | 'replace' | 'append' | 'prepend';
const SET_MODES: Record<MetaSetMode, string> = {
  set: 'S',
  add: 'E',
  replace: 'R',
  append: 'A',
  prepend: 'P',
};

export interface MetaSetOptions extends MetaCommonOptions {
  /** c: return the cas token of the stored item. */
  returnCas?: boolean;
  /** C: compare-and-swap against this cas token. */
  compareCas?: bigint;
  /** E: use this cas value for the new item. */
  newCas?: bigint;
  /** F: client flags to store. */
  clientFlags?: number;
  /** I: invalidate: if the cas is older than the item's, store as stale. */
  invalidate?: boolean;
  /** T: ttl in seconds. */
  ttl?: number;
  /** M: mode. Default 'set'. */
  mode?: MetaSetMode;
  /** N: in append/prepend mode, vivify a missing item with this ttl. */
  vivify?: number;
}

export interface MetaDeleteOptions extends MetaCommonOptions {
  /** C: delete only if the cas token matches. */
  compareCas?: bigint;
  /** E: cas value to use when invalidating. */
  newCas?: bigint;
  /** I: invalidate: mark the item stale instead of deleting it (stale-while-revalidate). */
  invalidate?: boolean;
  /** T: with I, the ttl the stale item keeps. */
  ttl?: number;
  /** x: remove the value but keep the item (flags, ttl). */
  removeValue?: boolean;
}

export type MetaArithmeticMode = 'incr' | 'decr';

export interface MetaArithmeticOptions extends MetaCommonOptions {
  /** C: apply only if the cas token matches. */
  compareCas?: bigint;
  /** E: cas value to use. */
  newCas?: bigint;
  /** N: vivify a missing item with this ttl. */
  vivify?: number;
  /** J: initial value when vivified. Default 0. */
  initial?: bigint | number;
  /** D: delta. Default 1. */
  delta?: bigint | number;
  /** T: update the ttl. */
  ttl?: number;
  /** M: incr or decr. Default incr. */
  mode?: MetaArithmeticMode;
  /** t: return the remaining ttl. */
  returnTtl?: boolean;
  /** c: return the cas token. */
  returnCas?: boolean;
  /** v: return the new value. */
  value?: boolean;
}

/** Collects flag tokens; each push adds " <token>". */
class Flags {
  s = '';
  add(token: string): void {
    this.s += ` ${token}`;
  }
  common(o: MetaCommonOptions, base64: boolean): void {
    if (base64) this.add('b');
    if (o.returnKey) this.add('k');
    if (o.opaque !== undefined) this.add(`O${checkOpaque(o.opaque)}`);
    if (o.quiet) this.add('q');
  }
}

function line(cmd: string, key: Buffer, flags: string, data?: Uint8Array): Buffer {
  const head = `${cmd} `;
  const len = head.length + key.length + flags.length + 2 + (data ? data.length + 2 : 0);
  const buf = Buffer.allocUnsafe(len);
  let off = buf.write(head, 0, 'latin1');
  buf.set(key, off);
  off += key.length;
  off += buf.write(flags, off, 'latin1');
  buf[off++] = 0x0d;
  buf[off++] = 0x0a;
  if (data) {
    buf.set(data, off);
    buf[off + data.length] = 0x0d;
    buf[off + data.length + 1] = 0x0a;
  }
  return buf;
}

/** mg <key> <flags>*. */
export function encodeMetaGet(key: string | Uint8Array, options: MetaGetOptions = {}): Buffer {
  const k = encodeMetaKey(key, options.keyOptions);
  const f = new Flags();
  f.common(options, k.base64);
  if (options.value) f.add('v');
  if (options.cas) f.add('c');
  if (options.clientFlags) f.add('f');
  if (options.hitBefore) f.add('h');
  if (options.lastAccess) f.add('l');
  if (options.size) f.add('s');
  if (options.ttl) f.add('t');
  if (options.noBump) f.add('u');
  if (options.newCas !== undefined) f.add(`E${u64Text('newCas', options.newCas)}`);
  if (options.vivify !== undefined) f.add(`N${checkSeconds('vivify', options.vivify)}`);
  if (options.recache !== undefined) f.add(`R${checkSeconds('recache', options.recache)}`);
  if (options.touch !== undefined) f.add(`T${checkExptime('touch', options.touch)}`);
  return line('mg', k.key, f.s);
}

/** ms <key> <datalen> <flags>* followed by the data block. */
export function encodeMetaSet(
  key: string | Uint8Array,
  value: Uint8Array,
  options: MetaSetOptions = {},
): Buffer {
  checkBytes('value', value);
  const k = encodeMetaKey(key, options.keyOptions);
  const f = new Flags();
  f.common(options, k.base64);
  if (options.returnCas) f.add('c');
  if (options.compareCas !== undefined) f.add(`C${u64Text('compareCas', options.compareCas)}`);
  if (options.newCas !== undefined) f.add(`E${u64Text('newCas', options.newCas)}`);
  if (options.clientFlags !== undefined) f.add(`F${checkU32('clientFlags', options.clientFlags)}`);
  if (options.invalidate) f.add('I');
  if (options.ttl !== undefined) f.add(`T${checkExptime('ttl', options.ttl)}`);
  if (options.mode !== undefined && options.mode !== 'set') {
    const m = SET_MODES[options.mode];
    if (!m) throw new InvalidArgumentError(`unknown meta set mode ${String(options.mode)}`);
    f.add(`M${m}`);
  }
  if (options.vivify !== undefined) f.add(`N${checkSeconds('vivify', options.vivify)}`);
  return line('ms', k.key, ` ${value.length}${f.s}`, value);
}

/** md <key> <flags>*. */
export function encodeMetaDelete(key: string | Uint8Array, options: MetaDeleteOptions = {}): Buffer {
  const k = encodeMetaKey(key, options.keyOptions);
  const f = new Flags();
  f.common(options, k.base64);
  if (options.compareCas !== undefined) f.add(`C${u64Text('compareCas', options.compareCas)}`);
  if (options.newCas !== undefined) f.add(`E${u64Text('newCas', options.newCas)}`);
  if (options.invalidate) f.add('I');
  if (options.ttl !== undefined) f.add(`T${checkExptime('ttl', options.ttl)}`);
  if (options.removeValue) f.add('x');
  return line('md', k.key, f.s);
}

/** ma <key> <flags>*. */
export function encodeMetaArithmetic(key: string | Uint8Array, options: MetaArithmeticOptions = {}): Buffer {
  const k = encodeMetaKey(key, options.keyOptions);
  const f = new Flags();
  f.common(options, k.base64);
  if (options.compareCas !== undefined) f.add(`C${u64Text('compareCas', options.compareCas)}`);
  if (options.newCas !== undefined) f.add(`E${u64Text('newCas', options.newCas)}`);
  if (options.vivify !== undefined) f.add(`N${checkSeconds('vivify', options.vivify)}`);
  if (options.initial !== undefined) f.add(`J${u64Text('initial', options.initial)}`);
  if (options.delta !== undefined) f.add(`D${u64Text('delta', options.delta)}`);
  if (options.ttl !== undefined) f.add(`T${checkExptime('ttl', options.ttl)}`);
  if (options.mode !== undefined && options.mode !== 'incr') {
    if (options.mode !== 'decr')
      throw new InvalidArgumentError(`unknown meta arithmetic mode ${String(options.mode)}`);
    f.add('MD');
  }
  if (options.returnTtl) f.add('t');
  if (options.returnCas) f.add('c');
  if (options.value) f.add('v');
  return line('ma', k.key, f.s);
}

const MN = Buffer.from('mn\r\n', 'latin1');
/** mn: the no-op that ends a quiet pipeline; the server answers MN. */
export function encodeMetaNoop(): Buffer {
  return MN;
}

/** me <key>: debug information about an item. */
export function encodeMetaDebug(key: string | Uint8Array, keyOptions?: KeyOptions): Buffer {
  const k = encodeMetaKey(key, keyOptions);
  return line('me', k.key, k.base64 ? ' b' : '');
}
