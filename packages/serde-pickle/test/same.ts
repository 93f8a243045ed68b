/**
 * Strict structural comparison for pickle tests: unlike toEqual it tells a number from a bigint, -0
 * from 0, a Buffer from a plain Uint8Array, a frozen array (tuple) from a mutable one (list), a
 * frozen Set from a Set, a null-prototype object from a plain one, and an object from a Map. Returns the path of the first
 * difference, or undefined when the two are the same.
 */
export function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null)
    return Object.is(a, b) ? undefined : `${path}: ${show(a)} vs ${show(b)}`;
  const x = a as object;
  const y = b as object;
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    if (!(x instanceof Uint8Array && y instanceof Uint8Array)) return `${path}: bytes vs non-bytes`;
    if (Buffer.isBuffer(x) !== Buffer.isBuffer(y)) return `${path}: Buffer vs plain Uint8Array`;
    return Buffer.from(x).equals(Buffer.from(y)) ? undefined : `${path}: different bytes`;
  }
  if (Object.isFrozen(x) !== Object.isFrozen(y))
    return `${path}: frozen ${Object.isFrozen(x)} vs ${Object.isFrozen(y)}`;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!(Array.isArray(x) && Array.isArray(y))) return `${path}: array vs non-array`;
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = difference(x[i], y[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (x instanceof Map || y instanceof Map) {
    if (!(x instanceof Map && y instanceof Map)) return `${path}: Map vs non-Map`;
    if (x.size !== y.size) return `${path}: size ${x.size} vs ${y.size}`;
    const left = [...y];
    for (const [k, v] of x) {
      const i = left.findIndex(([k2, v2]) => !difference(k, k2) && !difference(v, v2));
      if (i < 0) return `${path}: no entry like ${show(k)} in the other Map`;
      left.splice(i, 1);
    }
    return undefined;
  }
  if (x instanceof Set || y instanceof Set) {
    if (!(x instanceof Set && y instanceof Set)) return `${path}: Set vs non-Set`;
    if (x.size !== y.size) return `${path}: size ${x.size} vs ${y.size}`;
    const left = [...y];
    for (const e of x) {
      const i = left.findIndex((e2) => !difference(e, e2));
      if (i < 0) return `${path}: no element like ${show(e)} in the other Set`;
      left.splice(i, 1);
    }
    return undefined;
  }
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: different prototypes`;
  const kx = Object.keys(x).sort();
  const ky = Object.keys(y).sort();
  if (kx.join('\0') !== ky.join('\0')) return `${path}: keys ${kx} vs ${ky}`;
  for (const k of kx) {
    const d = difference(
      (x as Record<string, unknown>)[k],
      (y as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  try {
    return String(JSON.stringify(v) ?? v).slice(0, 60);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** A dict as the reader returns it by default: a plain object, "__proto__" an own property (as JSON.parse). */
export function dict(entries: Record<string, unknown> | [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Array.isArray(entries) ? entries : Object.entries(entries))
    Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  return out;
}

/** A tuple as the reader returns it: a frozen array. */
export const tuple = (...items: unknown[]): readonly unknown[] => Object.freeze(items);

/** A frozenset as the reader returns it: a frozen Set. */
export const frozenset = (...items: unknown[]): ReadonlySet<unknown> => Object.freeze(new Set(items));
