/** What setMany takes: an iterable of [key, value] pairs (a Map, an array) or a plain object. */
export type SetManyInput = Iterable<readonly [string, unknown]> | Record<string, unknown>;

/** The [key, value] pairs of a setMany input, as an array (consumed once, so it can be read twice). */
export function entriesOf(values: SetManyInput): Array<readonly [string, unknown]> {
  const iterable = typeof (values as Iterable<unknown>)[Symbol.iterator] === 'function';
  return iterable ? [...(values as Iterable<readonly [string, unknown]>)] : Object.entries(values);
}
