import { ProtocolError, type ValueEntry } from '@mc/protocol';

/**
 * Which request each value of a multi-key `get` answers. `keys[start, end)` are the full keys as
 * sent, in order (a key asked twice is sent twice); into[v] receives the index in `keys` that
 * values[v] answers. memcached answers the hits in the order of the keys and leaves the misses out,
 * so a walk along the keys with string comparisons matches them, with no map. A reply in another
 * order (a proxy may reorder) is matched by key instead: each value goes to the first unanswered
 * request of its key. Returns IN_ORDER (-1: indexes increasing), BY_KEY (-2), or the index of the
 * first value that answers no key asked (the stream is then not to be trusted). Nothing is delivered before the whole reply is known to fit, so a reordered reply never
 * turns a hit into a miss.
 */
/** matchValues: every value matched, in the order of the keys. */
export const IN_ORDER = -1;
/** matchValues: every value matched, in another order. */
export const BY_KEY = -2;

export function matchValues(
  keys: readonly string[],
  start: number,
  end: number,
  values: readonly ValueEntry[],
  into: number[],
): number {
  into.length = values.length;
  let i = start;
  for (let v = 0; v < values.length; v++) {
    const key = values[v]!.key;
    while (i < end && keys[i] !== key) i++;
    if (i === end) return matchByKey(keys, start, end, values, into);
    into[v] = i++;
  }
  return IN_ORDER;
}

function matchByKey(
  keys: readonly string[],
  start: number,
  end: number,
  values: readonly ValueEntry[],
  into: number[],
): number {
  const answered = new Uint8Array(end - start);
  for (let v = 0; v < values.length; v++) {
    const key = values[v]!.key;
    let i = start;
    while (i < end && (answered[i - start] === 1 || keys[i] !== key)) i++;
    if (i === end) return v;
    answered[i - start] = 1;
    into[v] = i;
  }
  return BY_KEY;
}

/** The error for a value of a key nobody asked for (the connection is then discarded). */
export function notRequested(key: string): ProtocolError {
  return new ProtocolError(`the server returned key ${JSON.stringify(key)} that was not requested`);
}
