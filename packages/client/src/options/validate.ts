import { InvalidArgumentError } from '@mc/protocol';

/**
 * The small validator every options resolver is built on. Each check takes the class name (`owner`)
 * and the option name, returns the value (or the default when the value is `undefined`), and throws
 * InvalidArgumentError with one message shape:
 *
 *   Client: option "timeout" must be a non-negative finite number of ms, got "300" (string)
 *
 * `undefined` always means "use the default", so `{ maxSize: undefined }` is never read as 0 or NaN.
 */

/** How a value is shown in a message: strings quoted, numbers as written, objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return String(value);
}

/** The type word shown in parentheses: typeof, with null and arrays told apart. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The InvalidArgumentError every check throws. */
export function optionError(
  owner: string,
  name: string,
  expected: string,
  value: unknown,
): InvalidArgumentError {
  return new InvalidArgumentError(
    `${owner}: option "${name}" must be ${expected}, got ${describeValue(value)} (${typeOf(value)})`,
  );
}

/** The options argument itself: undefined (no options) or a plain object. */
export function checkOptionsObject(owner: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidArgumentError(
      `${owner}: options must be an object, got ${describeValue(options)} (${typeOf(options)})`,
    );
  return options as Record<string, unknown>;
}

/** Edit distance (insert, delete, substitute, swap of neighbours), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo. */
export function suggestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    if (k.toLowerCase() === name.toLowerCase()) return k;
    const dist = editDistance(name.toLowerCase(), k.toLowerCase());
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  // A third of the name's length, at least 1 and at most 3 edits: close enough to be a slip.
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** Throws for the first option name that is not in `known`, suggesting the closest known one. */
export function checkKnownNames(
  owner: string,
  options: Record<string, unknown>,
  known: Iterable<string>,
): void {
  const names = new Set(known);
  for (const name of Object.keys(options)) {
    if (names.has(name)) continue;
    const guess = suggestName(name, names);
    throw new InvalidArgumentError(
      `${owner}: unknown option "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
    );
  }
}

/** A non-negative finite number of milliseconds. */
export function checkMs(owner: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw optionError(owner, name, 'a non-negative finite number of ms', value);
  return value;
}

/** An integer in [min, max] (a safe integer: no silent loss of precision). */
export function checkInteger(
  owner: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw optionError(owner, name, `an integer ${range}`, value);
  }
  return value;
}

export function checkBoolean(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw optionError(owner, name, 'true or false', value);
  return value;
}

export function checkString(owner: string, name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw optionError(owner, name, 'a string', value);
  return value;
}

/** One of a few literal values. */
export function checkOneOf<const T extends string>(
  owner: string,
  name: string,
  value: unknown,
  fallback: T,
  allowed: readonly T[],
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw optionError(owner, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  return value as T;
}

/** An optional function. */
export function checkFunction<F extends (...args: never[]) => unknown>(
  owner: string,
  name: string,
  value: unknown,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw optionError(owner, name, 'a function', value);
  return value as F;
}

/** A non-null, non-array object (contents checked by the caller). */
export function checkObject(owner: string, name: string, value: unknown, expected = 'an object'): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw optionError(owner, name, expected, value);
  return value;
}

/** Freezes a resolved options object and every plain object it made itself (never the user's). */
export function freeze<T extends object>(value: T): Readonly<T> {
  return Object.freeze(value);
}
