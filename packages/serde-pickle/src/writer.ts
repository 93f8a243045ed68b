import { PickleError } from './errors.js';
import { OP } from './opcodes.js';
import { type PickleOptions, type ResolvedPickleOptions, resolveOptions } from './options.js';
import { encodeUtf8SurrogatePass, isWellFormed } from './text.js';

/**
 * Writes plain JavaScript data as a pickle that Python's pickle.loads reads back without any custom
 * class: null → None, boolean → bool, safe integer and bigint → int, other numbers → float, string →
 * str, Buffer/Uint8Array → bytes, array → list (a frozen array → tuple), plain object and Map → dict,
 * Set → set (a frozen Set → frozenset). Anything else is refused with a PickleError
 * (MC_ERR_PICKLE_UNSUPPORTED) before any byte is returned.
 */
export function dumps(value: unknown, options?: PickleOptions): Buffer {
  const writer = new Writer(resolveOptions(options));
  writer.byte(OP.PROTO);
  writer.byte(writer.protocol);
  writer.value(value, 0);
  writer.byte(OP.STOP);
  return writer.result();
}

const INITIAL_SIZE = 256;
const LATIN1_ENCODE = Buffer.from('X\x06\x00\x00\x00latin1', 'latin1');

class Writer {
  private buf = Buffer.allocUnsafe(INITIAL_SIZE);
  private pos = 0;
  private items = 0;
  /** Containers being written, to refuse cycles (Python would need the memo; mc writes trees). */
  private readonly path = new Set<object>();
  readonly protocol: number;

  constructor(private readonly opts: ResolvedPickleOptions) {
    this.protocol = opts.protocol;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (need > this.opts.maxSize)
      throw new PickleError(
        'MC_ERR_PICKLE_LIMIT',
        `pickle would be larger than maxSize ${this.opts.maxSize} bytes`,
      );
    const next = Buffer.allocUnsafe(Math.min(Math.max(need, this.buf.length * 2), this.opts.maxSize));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private ascii(text: string): void {
    this.ensure(text.length);
    this.pos += this.buf.write(text, this.pos, 'latin1');
  }

  private u32(n: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(n, this.pos);
  }

  private u64(n: number): void {
    this.ensure(8);
    this.pos = this.buf.writeUInt32LE(n % 2 ** 32, this.pos);
    this.pos = this.buf.writeUInt32LE(Math.floor(n / 2 ** 32), this.pos);
  }

  private count(): void {
    if (++this.items > this.opts.maxItems)
      throw new PickleError('MC_ERR_PICKLE_LIMIT', `more than maxItems ${this.opts.maxItems} values`);
  }

  value(v: unknown, depth: number): void {
    this.count();
    switch (typeof v) {
      case 'string':
        this.str(v);
        break;
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.int(v);
        else this.float(v);
        break;
      case 'bigint':
        this.bigint(v);
        break;
      case 'boolean':
        this.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
        break;
      case 'object':
        if (v === null) this.byte(OP.NONE);
        else this.object(v, depth);
        break;
      default:
        throw unsupported(`a ${typeof v} has no Python equivalent`);
    }
  }

  private int(n: number): void {
    if (n >= 0 && n < 0x100) {
      this.ensure(2);
      this.buf[this.pos++] = OP.BININT1;
      this.buf[this.pos++] = n;
    } else if (n >= 0 && n < 0x10000) {
      this.ensure(3);
      this.buf[this.pos++] = OP.BININT2;
      this.pos = this.buf.writeUInt16LE(n, this.pos);
    } else if (n >= -0x80000000 && n < 0x80000000) {
      this.ensure(5);
      this.buf[this.pos++] = OP.BININT;
      this.pos = this.buf.writeInt32LE(n, this.pos);
    } else this.bigint(BigInt(n));
  }

  private bigint(n: bigint): void {
    if (n >= -0x80000000n && n < 0x80000000n) {
      this.int(Number(n));
      return;
    }
    // Shortest little-endian two's complement, as Python's encode_long. Through hex, which is linear
    // in the number's size (shifting a bigint 8 bits at a time is quadratic).
    const bytes = twosComplementLE(n);
    if (bytes.length < 0x100) {
      this.byte(OP.LONG1);
      this.byte(bytes.length);
    } else {
      this.byte(OP.LONG4);
      this.u32(bytes.length);
    }
    this.ensure(bytes.length);
    this.pos += bytes.copy(this.buf, this.pos);
  }

  private float(n: number): void {
    this.ensure(9);
    this.buf[this.pos++] = OP.BINFLOAT;
    this.pos = this.buf.writeDoubleBE(n, this.pos);
  }

  private str(s: string): void {
    if (s.length < 0x100 && this.protocol >= 4 && this.shortAscii(s)) return;
    const special = isWellFormed(s) ? undefined : encodeUtf8SurrogatePass(s);
    const n = special ? special.length : Buffer.byteLength(s, 'utf8');
    if (n < 0x100 && this.protocol >= 4) {
      this.ensure(2 + n);
      this.buf[this.pos++] = OP.SHORT_BINUNICODE;
      this.buf[this.pos++] = n;
    } else if (n <= 0xffffffff) {
      this.ensure(5 + n);
      this.buf[this.pos++] = OP.BINUNICODE;
      this.pos = this.buf.writeUInt32LE(n, this.pos);
    } else {
      this.ensure(9 + n);
      this.buf[this.pos++] = OP.BINUNICODE8;
      this.u64(n);
    }
    if (special) this.pos += special.copy(this.buf, this.pos);
    else this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /**
   * Writes a short ASCII string as SHORT_BINUNICODE byte by byte (dict keys, mostly), which beats a
   * native Buffer.write call at this size; returns false, having written nothing, at the first
   * non-ASCII character.
   */
  private shortAscii(s: string): boolean {
    const n = s.length;
    this.ensure(2 + n);
    const buf = this.buf;
    const start = this.pos + 2;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[start + i] = c;
    }
    buf[this.pos] = OP.SHORT_BINUNICODE;
    buf[this.pos + 1] = n;
    this.pos = start + n;
    return true;
  }

  private bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.protocol < 3) {
      // Protocol 2 has no bytes opcode: Python 3 writes _codecs.encode(text, 'latin1'), as here.
      if (n === 0) {
        this.ascii('c__builtin__\nbytes\n)R');
        return;
      }
      this.ascii('c_codecs\nencode\n');
      this.str(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1'));
      this.ensure(LATIN1_ENCODE.length + 2);
      this.pos += LATIN1_ENCODE.copy(this.buf, this.pos);
      this.buf[this.pos++] = OP.TUPLE2;
      this.buf[this.pos++] = OP.REDUCE;
      return;
    }
    if (n < 0x100) {
      this.ensure(2 + n);
      this.buf[this.pos++] = OP.SHORT_BINBYTES;
      this.buf[this.pos++] = n;
    } else if (n <= 0xffffffff) {
      this.ensure(5 + n);
      this.buf[this.pos++] = OP.BINBYTES;
      this.pos = this.buf.writeUInt32LE(n, this.pos);
    } else {
      this.ensure(9 + n);
      this.buf[this.pos++] = OP.BINBYTES8;
      this.u64(n);
    }
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  private object(v: object, depth: number): void {
    if (v instanceof Uint8Array) {
      this.bytes(v);
      return;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer)
      throw unsupported(
        `a ${v.constructor.name} has no Python equivalent (use a Buffer or Uint8Array for bytes)`,
      );
    if (depth >= this.opts.maxDepth)
      throw new PickleError('MC_ERR_PICKLE_LIMIT', `nesting deeper than maxDepth ${this.opts.maxDepth}`);
    if (this.path.has(v)) throw unsupported('the value contains itself (a cycle)');
    this.path.add(v);
    if (Array.isArray(v)) this.array(v, depth + 1);
    else if (v instanceof Map) this.map(v, depth + 1);
    else if (v instanceof Set) this.set(v, depth + 1);
    else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw unsupported(
          `an instance of ${proto?.constructor?.name ?? 'a class'} has no Python equivalent without a custom class`,
        );
      this.plainObject(v as Record<string, unknown>, depth + 1);
    }
    this.path.delete(v);
  }

  private array(a: readonly unknown[], depth: number): void {
    const n = a.length;
    const tuple = Object.isFrozen(a);
    if (!tuple) {
      this.byte(OP.EMPTY_LIST);
      if (n === 0) return;
      this.byte(OP.MARK);
    } else if (n === 0) {
      this.byte(OP.EMPTY_TUPLE);
      return;
    } else if (n > 3) this.byte(OP.MARK);
    for (let i = 0; i < n; i++) {
      const item = a[i];
      if (item === undefined)
        throw unsupported(`undefined (or a hole) at index ${i} has no Python equivalent`);
      this.value(item, depth);
    }
    if (!tuple) this.byte(OP.APPENDS);
    else this.byte(n === 1 ? OP.TUPLE1 : n === 2 ? OP.TUPLE2 : n === 3 ? OP.TUPLE3 : OP.TUPLE);
  }

  private plainObject(o: Record<string, unknown>, depth: number): void {
    this.byte(OP.EMPTY_DICT);
    const keys = Object.keys(o);
    if (keys.length === 0) return;
    this.byte(OP.MARK);
    for (const key of keys) {
      const item = o[key];
      if (item === undefined)
        throw unsupported(`property ${JSON.stringify(key)} is undefined, which has no Python equivalent`);
      this.count();
      this.str(key);
      this.value(item, depth);
    }
    this.byte(OP.SETITEMS);
  }

  private map(m: Map<unknown, unknown>, depth: number): void {
    this.byte(OP.EMPTY_DICT);
    if (m.size === 0) return;
    this.byte(OP.MARK);
    for (const [key, item] of m) {
      if (!isHashable(key))
        throw unsupported(`a dict key must be hashable in Python: ${describe(key)} is not`);
      if (item === undefined) throw unsupported('a Map value is undefined, which has no Python equivalent');
      this.value(key, depth);
      this.value(item, depth);
    }
    this.byte(OP.SETITEMS);
  }

  private set(s: ReadonlySet<unknown>, depth: number): void {
    const frozen = Object.isFrozen(s);
    for (const item of s)
      if (!isHashable(item))
        throw unsupported(`a set element must be hashable in Python: ${describe(item)} is not`);
    if (this.protocol >= 4) {
      if (!frozen) this.byte(OP.EMPTY_SET);
      if (s.size === 0 && !frozen) return;
      this.byte(OP.MARK);
      for (const item of s) this.value(item, depth);
      this.byte(frozen ? OP.FROZENSET : OP.ADDITEMS);
      return;
    }
    // Protocols 2 and 3 have no set opcodes: set(list) through REDUCE, as Python's pickler writes it.
    const module = this.protocol === 2 ? '__builtin__' : 'builtins';
    this.ascii(`c${module}\n${frozen ? 'frozenset' : 'set'}\n`);
    this.byte(OP.EMPTY_LIST);
    if (s.size) {
      this.byte(OP.MARK);
      for (const item of s) this.value(item, depth);
      this.byte(OP.APPENDS);
    }
    this.byte(OP.TUPLE1);
    this.byte(OP.REDUCE);
  }
}

/** The shortest two's complement of n, little-endian, with room for the sign bit. */
function twosComplementLE(n: bigint): Buffer {
  // The magnitude that must fit beside the sign bit: n itself, or -n - 1 for a negative n.
  let hex = (n >= 0n ? n : -n - 1n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex[0] as string, 16) >= 8) hex = `00${hex}`;
  if (n < 0n) hex = ((1n << BigInt(hex.length * 4)) + n).toString(16).padStart(hex.length, '0');
  return Buffer.from(hex, 'hex').reverse();
}

/** Whether Python can hash the value this JavaScript value is written as. */
function isHashable(v: unknown, depth = 0): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (v instanceof Uint8Array) return true; // written as bytes
  // The depth guard stops a frozen array that contains itself; value() then reports the cycle.
  if (Array.isArray(v)) return Object.isFrozen(v) && (depth > 64 || v.every((e) => isHashable(e, depth + 1)));
  return v instanceof Set && Object.isFrozen(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array that is not frozen (a list)';
  if (v instanceof Set) return 'a Set that is not frozen (a set)';
  if (v instanceof Map) return 'a Map (a dict)';
  return 'an object (a dict)';
}

function unsupported(message: string): PickleError {
  return new PickleError('MC_ERR_PICKLE_UNSUPPORTED', `cannot pickle: ${message}`);
}
