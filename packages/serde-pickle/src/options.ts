import { DEFAULT_MAX_DECOMPRESSED_SIZE, SerdeError } from '@mc/serde';

/** Limits and mappings shared by reading and writing. Every field is optional. */
export interface PickleOptions {
  /**
   * Deepest nesting of lists, tuples, dicts and sets, read or written (a flat list is depth 1).
   * Default 256.
   */
  maxDepth?: number;
  /**
   * Most values in one pickle, counting every element, dict key and dict value, and counting a
   * shared (memoized) value again at each place it appears, so a small pickle cannot expand into a
   * huge tree. Default 10,000,000.
   */
  maxItems?: number;
  /** Largest pickle read or written, in bytes. Default 256 MiB (@mc/serde's DEFAULT_MAX_DECOMPRESSED_SIZE). */
  maxSize?: number;
  /**
   * How a Python dict is read. 'object' (default): a plain object, as JSON.parse makes, when every
   * key is a str (a "__proto__" key becomes an own property, as in JSON.parse: nothing is polluted),
   * a Map otherwise. 'null-prototype': the same with Object.create(null) objects, which inherit
   * nothing (about 5 times slower to fill in V8). 'map': always a Map (keeps key order and types).
   */
  dict?: 'object' | 'null-prototype' | 'map';
  /**
   * How a Python 2 `str` (opcodes STRING, BINSTRING, SHORT_BINSTRING) is read: 'ascii' (default, as
   * Python 3's pickle.loads: non-ASCII bytes are an error), 'latin1', 'utf8' (invalid UTF-8 is an
   * error) or 'bytes' (a Buffer).
   */
  legacyStrings?: 'ascii' | 'latin1' | 'utf8' | 'bytes';
  /**
   * Protocol written, 2 to 5. Default 4: readable by every Python since 3.4. Nothing mc writes
   * needs protocol 5 (it adds out-of-band buffers and bytearray), and a Python before 3.8 cannot
   * read a pickle marked 5. Use 2 for Python 2 readers.
   */
  protocol?: 2 | 3 | 4 | 5;
}

export const PICKLE_DEFAULTS = {
  maxDepth: 256,
  maxItems: 10_000_000,
  maxSize: DEFAULT_MAX_DECOMPRESSED_SIZE,
  dict: 'object',
  legacyStrings: 'ascii',
  protocol: 4,
} as const satisfies Required<PickleOptions>;

export type ResolvedPickleOptions = {
  readonly maxDepth: number;
  readonly maxItems: number;
  readonly maxSize: number;
  readonly dict: 'object' | 'null-prototype' | 'map';
  readonly legacyStrings: 'ascii' | 'latin1' | 'utf8' | 'bytes';
  readonly protocol: 2 | 3 | 4 | 5;
};

const cache = new WeakMap<PickleOptions, ResolvedPickleOptions>();

/** Fills in defaults and validates; throws a SerdeError for options out of range. */
export function resolveOptions(options: PickleOptions | undefined): ResolvedPickleOptions {
  if (options === undefined) return PICKLE_DEFAULTS;
  const known = cache.get(options);
  if (known) return known;
  const resolved: ResolvedPickleOptions = {
    maxDepth: positive('maxDepth', options.maxDepth, PICKLE_DEFAULTS.maxDepth),
    maxItems: positive('maxItems', options.maxItems, PICKLE_DEFAULTS.maxItems),
    maxSize: positive('maxSize', options.maxSize, PICKLE_DEFAULTS.maxSize),
    dict: oneOf('dict', options.dict, ['object', 'null-prototype', 'map'] as const, PICKLE_DEFAULTS.dict),
    legacyStrings: oneOf(
      'legacyStrings',
      options.legacyStrings,
      ['ascii', 'latin1', 'utf8', 'bytes'] as const,
      PICKLE_DEFAULTS.legacyStrings,
    ),
    protocol: oneOf('protocol', options.protocol, [2, 3, 4, 5] as const, PICKLE_DEFAULTS.protocol),
  };
  cache.set(options, resolved);
  return resolved;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new SerdeError(`pickle option ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function oneOf<T>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value))
    throw new SerdeError(
      `pickle option ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`,
    );
  return value;
}
