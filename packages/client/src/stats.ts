/** A stats value typed as pymemcache types it: integers, floats and booleans; some names stay text. */
export type StatValue = number | bigint | boolean | string;
export type Stats = Record<string, StatValue>;

/** Stats whose values are text even when they look like numbers. */
const TEXT_STATS: ReadonlySet<string> = new Set([
  'version',
  'libevent',
  'hash_algorithm',
  'item_size_max_units',
]);

const INT = /^-?\d+$/;
const FLOAT = /^-?\d+\.\d+$/;

/**
 * Converts memcached's STAT lines: integers become numbers (bigint past 2^53, so 64-bit counters never
 * lose precision), decimals (rusage_user, ...) floats, yes/no and on/off booleans; version and a few
 * others stay strings, as do values of any other shape.
 */
export function typeStats(pairs: ReadonlyArray<readonly [string, string]>): Stats {
  const out: Stats = {};
  for (const [name, raw] of pairs) out[name] = typeStat(name, raw);
  return out;
}

export function typeStat(name: string, raw: string): StatValue {
  if (TEXT_STATS.has(name)) return raw;
  if (INT.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : BigInt(raw);
  }
  if (FLOAT.test(raw)) return Number(raw);
  if (raw === 'yes' || raw === 'on' || raw === 'true') return true;
  if (raw === 'no' || raw === 'off' || raw === 'false') return false;
  return raw;
}
