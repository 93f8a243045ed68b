import { PickleError, type PickleErrorCode } from './errors.js';
import { OP, opName } from './opcodes.js';
import { type PickleOptions, type ResolvedPickleOptions, resolveOptions } from './options.js';
import { decodeEscapes, decodeRawUnicodeEscape, decodeUtf8 } from './text.js';

/** Python's default limit on decimal integer text (sys.get_int_max_str_digits() in 3.11+). */
const MAX_DECIMAL_DIGITS = 4300;
const DECIMAL_INT = /^[+-]?\d+$/;
const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * What the reader knows about each container it built. A container is "sealed" once it is placed
 * inside another one: Python's pickler finishes a container before it uses it as an element, so a
 * later change to a sealed container can only come from a recursive structure (or a forged pickle).
 * Refusing those changes keeps every result acyclic and makes `height` and `items` exact.
 */
interface ContainerInfo {
  /** Nesting depth of the container: 1 when it holds no containers. */
  height: number;
  /** Values inside it, counted again for every place a shared value appears. */
  items: number;
  sealed: boolean;
  /** Whether Python could hash it: tuples of hashable values and frozensets. */
  hashable: boolean;
  kind: 'list' | 'tuple' | 'dict' | 'set' | 'frozenset';
}

/** The built-in callables a pickle may name: each one builds plain data, nothing else. */
type DataConstructor = 'set' | 'frozenset' | 'bytearray' | 'bytes' | 'encode';

/** What GLOBAL / STACK_GLOBAL push for an allowed name; only REDUCE may consume it. */
class AllowedGlobal {
  constructor(readonly name: DataConstructor) {}
}

const ALLOWED_GLOBALS: ReadonlyMap<string, DataConstructor> = new Map([
  ['builtins.set', 'set'],
  ['builtins.frozenset', 'frozenset'],
  ['builtins.bytearray', 'bytearray'],
  ['builtins.bytes', 'bytes'],
  // Python 2 module name, which Python 3's pickler writes for protocols 0-2 (fix_imports).
  ['__builtin__.set', 'set'],
  ['__builtin__.frozenset', 'frozenset'],
  ['__builtin__.bytearray', 'bytearray'],
  ['__builtin__.bytes', 'bytes'],
  // Protocols 0-2 have no bytes opcode: Python 3 writes bytes as _codecs.encode(text, 'latin1').
  ['_codecs.encode', 'encode'],
]);

const FORBIDDEN = new Set<number>([
  OP.REDUCE,
  OP.BUILD,
  OP.INST,
  OP.OBJ,
  OP.NEWOBJ,
  OP.NEWOBJ_EX,
  OP.PERSID,
  OP.BINPERSID,
  OP.EXT1,
  OP.EXT2,
  OP.EXT4,
]);

/**
 * Reads a pickle (protocols 0 to 5) of None, bool, int, float, str, bytes, bytearray, list, tuple,
 * dict, set and frozenset. No code runs and no class is looked up: any other global, and every
 * opcode that builds objects, is refused with a PickleError. See the README for the type mapping.
 */
export function loads(bytes: Uint8Array, options?: PickleOptions): unknown {
  const opts = resolveOptions(options);
  if (bytes.length > opts.maxSize)
    throw new PickleError(
      'MC_ERR_PICKLE_LIMIT',
      `pickle of ${bytes.length} bytes is larger than maxSize ${opts.maxSize}`,
    );
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Reader(buf, opts).run();
}

class Reader {
  private pos = 0;
  /** Position of the opcode being executed, for error messages. */
  private at = 0;
  private op = 0;
  private readonly stack: unknown[] = [];
  /** Stack lengths at each open MARK. */
  private readonly marks: number[] = [];
  /** Python's pickler numbers memo slots 0, 1, 2...: a dense array, with a Map for any other index. */
  private readonly memo: unknown[] = [];
  private sparseMemo: Map<number, unknown> | undefined;
  private readonly info = new Map<object, ContainerInfo>();
  /** In 'object' mode, dicts that turned into Maps when a non-str key arrived: old object → Map. */
  private replaced: Map<object, Map<unknown, unknown>> | undefined;

  constructor(
    private readonly buf: Buffer,
    private readonly opts: ResolvedPickleOptions,
  ) {}

  run(): unknown {
    const buf = this.buf;
    const stack = this.stack;
    for (;;) {
      this.at = this.pos;
      if (this.pos >= buf.length)
        throw new PickleError('MC_ERR_PICKLE_TRUNCATED', `pickle: ends at byte ${this.pos}, before STOP`, {
          offset: this.pos,
        });
      const op = (this.op = buf[this.pos++] as number);
      switch (op) {
        case 0x80: {
          // PROTO
          const v = this.u8();
          if (v > 5) throw this.fail('MC_ERR_PICKLE_UNSUPPORTED', `unsupported pickle protocol ${v}`);
          break;
        }
        case 0x95: {
          // FRAME
          const n = this.u64();
          if (n > buf.length - this.pos)
            throw this.fail('MC_ERR_PICKLE_TRUNCATED', 'frame runs past the end');
          break;
        }
        case 0x2e: // STOP
          return this.stop();
        // --- scalars
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 0x4b: // BININT1
          stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.need(2);
          stack.push(buf.readUInt16LE(this.pos));
          this.pos += 2;
          break;
        case 0x4a: // BININT
          this.need(4);
          stack.push(buf.readInt32LE(this.pos));
          this.pos += 4;
          break;
        case 0x49: // INT
          stack.push(this.textInt(true));
          break;
        case 0x4c: // LONG
          stack.push(this.textInt(false));
          break;
        case 0x8a: // LONG1
          stack.push(this.binaryInt(this.u8()));
          break;
        case 0x8b: {
          // LONG4
          this.need(4);
          const n = buf.readInt32LE(this.pos);
          this.pos += 4;
          if (n < 0) throw this.fail('MC_ERR_PICKLE_INVALID', 'LONG4 with a negative byte count');
          stack.push(this.binaryInt(n));
          break;
        }
        case 0x47: // BINFLOAT
          this.need(8);
          stack.push(buf.readDoubleBE(this.pos));
          this.pos += 8;
          break;
        case 0x46: // FLOAT
          stack.push(this.textFloat());
          break;
        // --- str
        case 0x8c: // SHORT_BINUNICODE
          stack.push(this.utf8(this.u8()));
          break;
        case 0x58: // BINUNICODE
          stack.push(this.utf8(this.u32()));
          break;
        case 0x8d: // BINUNICODE8
          stack.push(this.utf8(this.u64()));
          break;
        case 0x56: {
          // UNICODE
          const text = decodeRawUnicodeEscape(this.line());
          if (text === undefined)
            throw this.fail('MC_ERR_PICKLE_INVALID', 'malformed raw-unicode-escape text');
          stack.push(text);
          break;
        }
        // --- Python 2 str
        case 0x55: // SHORT_BINSTRING
          stack.push(this.legacyString(this.take(this.u8())));
          break;
        case 0x54: {
          // BINSTRING
          this.need(4);
          const n = buf.readInt32LE(this.pos);
          this.pos += 4;
          if (n < 0) throw this.fail('MC_ERR_PICKLE_INVALID', 'BINSTRING with a negative length');
          stack.push(this.legacyString(this.take(n)));
          break;
        }
        case 0x53: // STRING
          stack.push(this.legacyString(this.quoted()));
          break;
        // --- bytes and bytearray
        case 0x43: // SHORT_BINBYTES
          stack.push(Buffer.from(this.take(this.u8())));
          break;
        case 0x42: // BINBYTES
          stack.push(Buffer.from(this.take(this.u32())));
          break;
        case 0x8e: // BINBYTES8
          stack.push(Buffer.from(this.take(this.u64())));
          break;
        case 0x96: // BYTEARRAY8
          stack.push(new Uint8Array(this.take(this.u64())));
          break;
        // --- stack and memo
        case 0x28: // MARK
          this.marks.push(stack.length);
          break;
        case 0x30: // POP
          // As Python: POP with nothing above the last mark removes the mark.
          if (stack.length > this.base()) stack.pop();
          else if (this.marks.length) this.marks.pop();
          else throw this.fail('MC_ERR_PICKLE_INVALID', 'POP on an empty stack');
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          stack.push(this.top());
          break;
        case 0x70: // PUT
          this.put(this.textIndex());
          break;
        case 0x71: // BINPUT
          this.put(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.put(this.u32());
          break;
        case 0x94: // MEMOIZE
          this.put(this.memo.length + (this.sparseMemo?.size ?? 0));
          break;
        case 0x67: // GET
          this.get(this.textIndex());
          break;
        case 0x68: // BINGET
          this.get(this.u8());
          break;
        case 0x6a: // LONG_BINGET
          this.get(this.u32());
          break;
        // --- containers
        case 0x5d: // EMPTY_LIST
          stack.push(this.container([], 'list'));
          break;
        case 0x6c: {
          // LIST
          const list = this.container(this.popMark(), 'list');
          const li = this.info.get(list) as ContainerInfo;
          for (const item of list) this.adopt(li, item);
          stack.push(list);
          break;
        }
        case 0x61: {
          // APPEND
          const item = this.pop();
          const [list, li] = this.target('list');
          (list as unknown[]).push(this.adopt(li, item));
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          const [list, li] = this.target('list');
          for (const item of items) (list as unknown[]).push(this.adopt(li, item));
          break;
        }
        case 0x29: // EMPTY_TUPLE
          stack.push(this.tuple([]));
          break;
        case 0x85: // TUPLE1
          stack.push(this.tuple(this.popN(1)));
          break;
        case 0x86: // TUPLE2
          stack.push(this.tuple(this.popN(2)));
          break;
        case 0x87: // TUPLE3
          stack.push(this.tuple(this.popN(3)));
          break;
        case 0x74: // TUPLE
          stack.push(this.tuple(this.popMark()));
          break;
        case 0x7d: // EMPTY_DICT
          stack.push(this.newDict());
          break;
        case 0x64: {
          // DICT
          const items = this.popMark();
          const dict = this.newDict();
          stack.push(dict);
          this.setItems(stack.length - 1, items);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.dictSlot(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.dictSlot(), items);
          break;
        }
        case 0x8f: // EMPTY_SET
          stack.push(this.container(new Set(), 'set'));
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const [set, si] = this.target('set');
          for (const item of items) (set as Set<unknown>).add(this.element(si, item));
          break;
        }
        case 0x91: // FROZENSET
          stack.push(this.frozenset(this.popMark()));
          break;
        // --- the only callables: built-in data types
        case 0x63: {
          // GLOBAL
          const module = this.line().toString('latin1');
          const name = this.line().toString('latin1');
          stack.push(this.global(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string')
            throw this.fail('MC_ERR_PICKLE_INVALID', 'STACK_GLOBAL needs two str');
          stack.push(this.global(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callable = this.pop();
          stack.push(this.reduce(callable, args));
          break;
        }
        case 0x97: // NEXT_BUFFER
        case 0x98: // READONLY_BUFFER
          throw this.fail(
            'MC_ERR_PICKLE_UNSUPPORTED',
            `${opName(op)}: out-of-band buffers (protocol 5) cannot travel through memcached`,
          );
        default:
          if (FORBIDDEN.has(op))
            throw this.fail(
              'MC_ERR_PICKLE_FORBIDDEN',
              `${opName(op)} would build a Python object; only plain data is read`,
            );
          throw this.fail('MC_ERR_PICKLE_INVALID', `unknown opcode ${opName(op)}`);
      }
    }
  }

  private stop(): unknown {
    const result = this.pop();
    if (this.pos !== this.buf.length) throw this.fail('MC_ERR_PICKLE_INVALID', 'bytes after STOP');
    if (this.stack.length || this.marks.length)
      throw this.fail('MC_ERR_PICKLE_INVALID', 'values left on the stack at STOP');
    this.checkValue(result);
    return result;
  }

  // ------------------------------------------------------------------ errors and raw reads

  private fail(code: PickleErrorCode, message: string): PickleError {
    return new PickleError(code, `pickle: ${message} (opcode ${opName(this.op)} at byte ${this.at})`, {
      offset: this.at,
    });
  }

  private need(n: number): void {
    if (this.buf.length - this.pos < n)
      throw this.fail('MC_ERR_PICKLE_TRUNCATED', `needs ${n} more bytes, ${this.buf.length - this.pos} left`);
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  private u64(): number {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    // Anything past 2^53 is past the end of any pickle we accept; say so as truncation.
    const n = hi * 2 ** 32 + lo;
    if (hi >= 2 ** 21 || n > this.buf.length - this.pos)
      throw this.fail('MC_ERR_PICKLE_TRUNCATED', `length ${n} runs past the end`);
    return n;
  }

  private take(n: number): Buffer {
    this.need(n);
    const slice = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return slice;
  }

  /** A newline-terminated argument of the text opcodes, without the newline. */
  private line(): Buffer {
    const nl = this.buf.indexOf(0x0a, this.pos);
    if (nl < 0) throw this.fail('MC_ERR_PICKLE_TRUNCATED', 'line without a newline');
    const slice = this.buf.subarray(this.pos, nl);
    this.pos = nl + 1;
    return slice;
  }

  // ------------------------------------------------------------------ scalars

  /** Python int → number when it is a safe integer, bigint otherwise (@mc/serde's integer rule). */
  private int(big: bigint): number | bigint {
    return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
  }

  private textInt(boolsAllowed: boolean): number | bigint | boolean {
    let text = this.line().toString('latin1');
    if (boolsAllowed) {
      // Protocol 0 writes True and False as INT 01 and 00.
      if (text === '01') return true;
      if (text === '00') return false;
    } else if (text.endsWith('L')) text = text.slice(0, -1);
    if (!DECIMAL_INT.test(text)) throw this.fail('MC_ERR_PICKLE_INVALID', 'malformed decimal integer');
    if (text.length > MAX_DECIMAL_DIGITS + 1)
      throw this.fail('MC_ERR_PICKLE_LIMIT', `decimal integer longer than ${MAX_DECIMAL_DIGITS} digits`);
    const n = Number(text);
    return Number.isSafeInteger(n) ? n + 0 : BigInt(text);
  }

  /** LONG1 / LONG4: little-endian two's complement of n bytes. */
  private binaryInt(n: number): number | bigint {
    const bytes = this.take(n);
    if (n === 0) return 0;
    if (n <= 6) return bytes.readIntLE(0, n) + 0;
    let big = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
    if ((bytes[n - 1] as number) & 0x80) big -= 1n << BigInt(8 * n);
    return this.int(big);
  }

  private textFloat(): number {
    const text = this.line().toString('latin1');
    if (DECIMAL_FLOAT.test(text)) return Number(text);
    const special = SPECIAL_FLOAT.exec(text);
    if (!special) throw this.fail('MC_ERR_PICKLE_INVALID', 'malformed float text');
    if ((special[2] as string).toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  private utf8(n: number): string {
    this.need(n);
    const text = decodeUtf8(this.buf, this.pos, this.pos + n);
    if (text === undefined) throw this.fail('MC_ERR_PICKLE_INVALID', 'str is not valid UTF-8');
    this.pos += n;
    return text;
  }

  /** The quoted repr of opcode STRING: 'text' or "text", with Python escapes. */
  private quoted(): Buffer {
    const line = this.line();
    const q = line[0];
    if (line.length < 2 || (q !== 0x27 && q !== 0x22) || line[line.length - 1] !== q)
      throw this.fail('MC_ERR_PICKLE_INVALID', 'STRING argument is not quoted');
    const body = decodeEscapes(line.subarray(1, line.length - 1));
    if (body === undefined) throw this.fail('MC_ERR_PICKLE_INVALID', 'malformed escape in STRING');
    return body;
  }

  private legacyString(bytes: Buffer): string | Buffer {
    switch (this.opts.legacyStrings) {
      case 'bytes':
        return Buffer.from(bytes);
      case 'latin1':
        return bytes.toString('latin1');
      case 'utf8': {
        const text = decodeUtf8(bytes, 0, bytes.length);
        if (text === undefined) throw this.fail('MC_ERR_PICKLE_INVALID', 'Python 2 str is not valid UTF-8');
        return text;
      }
      default:
        for (const b of bytes)
          if (b >= 0x80)
            throw this.fail(
              'MC_ERR_PICKLE_INVALID',
              "Python 2 str with non-ASCII bytes (set legacyStrings to 'latin1', 'utf8' or 'bytes')",
            );
        return bytes.toString('latin1');
    }
  }

  // ------------------------------------------------------------------ stack and memo

  private base(): number {
    return this.marks.length ? (this.marks[this.marks.length - 1] as number) : 0;
  }

  private pop(): unknown {
    if (this.stack.length <= this.base()) throw this.fail('MC_ERR_PICKLE_INVALID', 'stack underflow');
    return this.resolve(this.stack.pop());
  }

  private top(): unknown {
    if (this.stack.length <= this.base()) throw this.fail('MC_ERR_PICKLE_INVALID', 'stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popN(n: number): unknown[] {
    if (this.stack.length - this.base() < n) throw this.fail('MC_ERR_PICKLE_INVALID', 'stack underflow');
    return this.stack.splice(this.stack.length - n, n).map((v) => this.resolve(v));
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('MC_ERR_PICKLE_INVALID', 'no MARK to pop to');
    const items = this.stack.splice(mark);
    if (this.replaced) for (let i = 0; i < items.length; i++) items[i] = this.resolve(items[i]);
    return items;
  }

  private resolve(v: unknown): unknown {
    if (this.replaced === undefined || typeof v !== 'object' || v === null) return v;
    return this.replaced.get(v) ?? v;
  }

  private textIndex(): number {
    const text = this.line().toString('latin1');
    if (!/^\d{1,10}$/.test(text)) throw this.fail('MC_ERR_PICKLE_INVALID', 'malformed memo index');
    return Number(text);
  }

  private put(index: number): void {
    const value = this.top();
    if (index < this.memo.length) this.memo[index] = value;
    else if (index === this.memo.length && this.sparseMemo === undefined) this.memo.push(value);
    else (this.sparseMemo ??= new Map()).set(index, value);
  }

  private get(index: number): void {
    let value: unknown;
    if (index < this.memo.length) value = this.memo[index];
    else if (this.sparseMemo?.has(index)) value = this.sparseMemo.get(index);
    else throw this.fail('MC_ERR_PICKLE_INVALID', `memo ${index} was never stored`);
    this.stack.push(this.resolve(value));
  }

  // ------------------------------------------------------------------ containers

  private container<T extends object>(value: T, kind: ContainerInfo['kind']): T {
    this.info.set(value, { height: 1, items: 0, sealed: false, hashable: false, kind });
    return value;
  }

  private newDict(): object {
    const dict = this.opts.dict;
    return this.container(dict === 'map' ? new Map() : dict === 'object' ? {} : Object.create(null), 'dict');
  }

  /**
   * Accounts for `child` becoming an element of the container described by `parent`: seals the
   * child, grows the parent's height and item count, and enforces maxDepth and maxItems.
   */
  private adopt(parent: ContainerInfo, child: unknown): unknown {
    if (typeof child === 'object' && child !== null) {
      const ci = this.info.get(child);
      if (ci === undefined) {
        if (child instanceof AllowedGlobal)
          throw this.fail('MC_ERR_PICKLE_FORBIDDEN', `the global ${child.name} may only be called by REDUCE`);
      } else {
        if (ci === parent)
          throw this.fail(
            'MC_ERR_PICKLE_UNSUPPORTED',
            'a container holds itself (recursive structures are not read)',
          );
        ci.sealed = true;
        if (ci.height >= parent.height) {
          parent.height = ci.height + 1;
          if (parent.height > this.opts.maxDepth)
            throw this.fail('MC_ERR_PICKLE_LIMIT', `nesting deeper than maxDepth ${this.opts.maxDepth}`);
        }
        parent.items += ci.items;
      }
    }
    parent.items += 1;
    if (parent.items > this.opts.maxItems)
      throw this.fail('MC_ERR_PICKLE_LIMIT', `more than maxItems ${this.opts.maxItems} values`);
    return child;
  }

  /** Like adopt, for a dict key or set element, which Python must be able to hash. */
  private element(parent: ContainerInfo, child: unknown): unknown {
    if (typeof child === 'object' && child !== null && !Buffer.isBuffer(child)) {
      const ci = this.info.get(child);
      if (ci === undefined ? !(child instanceof AllowedGlobal) : !ci.hashable)
        throw this.fail(
          'MC_ERR_PICKLE_INVALID',
          `unhashable ${ci?.kind ?? 'bytearray'} used as a dict key or set element`,
        );
    }
    return this.adopt(parent, child);
  }

  /** The container below the current mark (or on top), checked to be an open container of `kind`. */
  private target(kind: ContainerInfo['kind']): [object, ContainerInfo] {
    const value = this.top();
    return [value as object, this.openInfo(value, kind)];
  }

  private openInfo(value: unknown, kind: ContainerInfo['kind']): ContainerInfo {
    const vi = typeof value === 'object' && value !== null ? this.info.get(value) : undefined;
    if (vi === undefined || vi.kind !== kind)
      throw this.fail('MC_ERR_PICKLE_INVALID', `${opName(this.op)} needs a ${kind} on the stack`);
    if (vi.sealed)
      throw this.fail(
        'MC_ERR_PICKLE_UNSUPPORTED',
        `a ${kind} is changed after it was placed in another container (recursive structures are not read)`,
      );
    return vi;
  }

  private dictSlot(): number {
    const slot = this.stack.length - 1;
    if (slot < this.base()) throw this.fail('MC_ERR_PICKLE_INVALID', 'stack underflow');
    this.stack[slot] = this.resolve(this.stack[slot]);
    return slot;
  }

  /** SETITEM, SETITEMS and DICT: key/value pairs into the dict at stack[slot]. */
  private setItems(slot: number, items: unknown[]): void {
    if (items.length % 2) throw this.fail('MC_ERR_PICKLE_INVALID', 'odd number of items for a dict');
    let dict = this.stack[slot];
    const di = this.openInfo(dict, 'dict');
    for (let i = 0; i < items.length; i += 2) {
      const key = this.element(di, items[i]);
      const value = this.adopt(di, items[i + 1]);
      if (dict instanceof Map) dict.set(key, value);
      else if (typeof key === 'string') {
        // Assigning "__proto__" would set the prototype of a plain object: define it instead.
        if (key === '__proto__')
          Object.defineProperty(dict, key, { value, writable: true, enumerable: true, configurable: true });
        else (dict as Record<string, unknown>)[key] = value;
      } else {
        // A non-str key: this dict becomes a Map, and every reference to the old object follows.
        const map = new Map<unknown, unknown>(Object.entries(dict as object));
        map.set(key, value);
        this.info.set(map, di);
        this.replaced ??= new Map();
        this.replaced.set(dict as object, map);
        this.stack[slot] = dict = map;
      }
    }
  }

  private tuple(items: unknown[]): readonly unknown[] {
    const tuple = this.container(items, 'tuple');
    const ti = this.info.get(tuple) as ContainerInfo;
    let hashable = true;
    for (const item of items) {
      this.adopt(ti, item);
      if (hashable && typeof item === 'object' && item !== null && !Buffer.isBuffer(item))
        hashable = this.info.get(item)?.hashable ?? false;
    }
    ti.hashable = hashable;
    return Object.freeze(items);
  }

  private frozenset(items: unknown[]): ReadonlySet<unknown> {
    const set = this.container(new Set<unknown>(), 'frozenset');
    const si = this.info.get(set) as ContainerInfo;
    for (const item of items) set.add(this.element(si, item));
    si.hashable = true;
    return Object.freeze(set);
  }

  private global(module: string, name: string): AllowedGlobal {
    const allowed = ALLOWED_GLOBALS.get(`${module}.${name}`);
    if (allowed === undefined)
      throw this.fail(
        'MC_ERR_PICKLE_FORBIDDEN',
        `global ${JSON.stringify(`${module}.${name}`)} is not a built-in data type; only plain data is read`,
      );
    return new AllowedGlobal(allowed);
  }

  /** REDUCE, only as Python's pickler uses it for set, frozenset, bytearray and bytes. */
  private reduce(callable: unknown, args: unknown): unknown {
    if (!(callable instanceof AllowedGlobal))
      throw this.fail(
        'MC_ERR_PICKLE_FORBIDDEN',
        'REDUCE would call an object; only built-in data types are read',
      );
    const ai = typeof args === 'object' && args !== null ? this.info.get(args) : undefined;
    if (ai?.kind !== 'tuple') throw this.fail('MC_ERR_PICKLE_INVALID', 'REDUCE needs a tuple of arguments');
    const list = args as readonly unknown[];
    const [first, second] = list;
    const badArgs = () =>
      this.fail('MC_ERR_PICKLE_INVALID', `unexpected arguments for ${callable.name} in REDUCE`);
    switch (callable.name) {
      case 'set':
      case 'frozenset': {
        if (list.length > 1) throw badArgs();
        const fi = first === undefined ? undefined : this.info.get(first as object);
        if (first !== undefined && fi?.kind !== 'list' && fi?.kind !== 'tuple') throw badArgs();
        const elements = (first ?? []) as unknown[];
        if (callable.name === 'frozenset') return this.frozenset([...elements]);
        const set = this.container(new Set<unknown>(), 'set');
        const si = this.info.get(set) as ContainerInfo;
        for (const item of elements) set.add(this.element(si, item));
        return set;
      }
      case 'bytearray':
      case 'bytes': {
        if (list.length > 1 || (first !== undefined && !Buffer.isBuffer(first))) throw badArgs();
        const data = (first as Buffer | undefined) ?? Buffer.alloc(0);
        return callable.name === 'bytes' ? Buffer.from(data) : new Uint8Array(data);
      }
      default: {
        // _codecs.encode(text, 'latin1'): how protocols 0-2 write bytes.
        if (list.length !== 2 || typeof first !== 'string' || (second !== 'latin1' && second !== 'latin-1'))
          throw badArgs();
        for (let i = 0; i < first.length; i++)
          if (first.charCodeAt(i) > 0xff)
            throw this.fail('MC_ERR_PICKLE_INVALID', 'latin1 text above U+00FF');
        return Buffer.from(first, 'latin1');
      }
    }
  }

  /** The result may not be a bare global. */
  private checkValue(value: unknown): void {
    if (value instanceof AllowedGlobal)
      throw this.fail('MC_ERR_PICKLE_FORBIDDEN', `the global ${value.name} may only be called by REDUCE`);
  }
}
