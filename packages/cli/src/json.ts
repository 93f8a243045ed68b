/**
 * JSON for --json output. Like JSON.stringify, except that a bigint is written as a plain JSON
 * number with all its digits (memcached counters are 64-bit; a string would change the type of a
 * field once it passes 2^53, and rounding it would lie). Buffers never reach here: callers encode them.
 */
export function toJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
      const fields: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function') continue;
        fields.push(`${JSON.stringify(k)}:${toJson(v)}`);
      }
      return `{${fields.join(',')}}`;
    }
    default:
      return 'null';
  }
}
