import { isDeepStrictEqual } from 'node:util';
import { SerdeError } from './errors.js';
import type { Serde } from './types.js';

/** One problem checkSerde found. */
export interface SerdeProblem {
  /** The sample that showed it (undefined for problems of the serde itself, such as its flagMask). */
  sample: unknown;
  problem: string;
}

/** What checkSerde throws: a SerdeError whose message lists every problem, also kept in `problems`. */
export class SerdeCheckError extends SerdeError {
  readonly problems: readonly SerdeProblem[];

  constructor(problems: readonly SerdeProblem[]) {
    const lines = problems.map((p) => `- ${safe(p.sample)}: ${p.problem}`);
    super(`checkSerde found ${problems.length} problem(s):\n${lines.join('\n')}`);
    this.name = 'SerdeCheckError';
    this.problems = problems;
  }
}

/**
 * The conformance check a plugin author calls in their own tests. For each sample it checks the
 * round trip (deep equality), that flags stay inside `flagMask`, and that flags outside it are
 * rejected with a SerdeError rather than returning garbage (it tries the lowest and the highest bit
 * outside the mask on every sample). Throws a SerdeCheckError listing every problem; returns the
 * number of samples checked. Pass `equals` when deep strict equality is not the right notion (for
 * example a Uint8Array sample that your serde reads back as a Buffer).
 */
export function checkSerde(
  serde: Serde,
  samples: readonly unknown[],
  options: { equals?: (a: unknown, b: unknown) => boolean } = {},
): number {
  const equals = options.equals ?? isDeepStrictEqual;
  const problems: SerdeProblem[] = [];
  if (serde.specVersion !== 1)
    problems.push({ sample: undefined, problem: `specVersion is ${String(serde.specVersion)}, expected 1` });
  if (!Number.isInteger(serde.flagMask) || serde.flagMask < 0 || serde.flagMask > 0xffffffff)
    problems.push({ sample: undefined, problem: 'flagMask must be an unsigned 32-bit integer' });
  const outside = (~serde.flagMask >>> 0) & 0xffffffff;
  for (const sample of samples) {
    try {
      const { bytes, flags } = serde.serialize('check:key', sample);
      if (!(bytes instanceof Uint8Array))
        problems.push({ sample, problem: 'serialize() did not return a Uint8Array' });
      if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff)
        problems.push({ sample, problem: `flags ${flags} is not uint32` });
      if ((flags & ~serde.flagMask) !== 0)
        problems.push({ sample, problem: `flags ${flags} has bits outside flagMask ${serde.flagMask}` });
      const back = serde.deserialize('check:key', bytes, flags);
      if (!equals(back, sample)) problems.push({ sample, problem: 'round trip changed the value' });
      // A bit outside the mask must be refused, never read as something else.
      for (const foreign of new Set([lowestBit(outside), highestBit(outside)])) {
        if (foreign === 0) continue;
        let threw: unknown;
        try {
          serde.deserialize('check:key', bytes, (flags | foreign) >>> 0);
        } catch (err) {
          threw = err;
        }
        // By code, not instanceof: the plugin may have been built against another copy of @mc/serde.
        if (!(threw instanceof Error) || (threw as { code?: string }).code !== 'MC_ERR_SERDE')
          problems.push({
            sample,
            problem: `flags with unknown bit ${foreign} were not rejected with a SerdeError`,
          });
      }
    } catch (err) {
      problems.push({ sample, problem: `threw ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  if (problems.length) throw new SerdeCheckError(problems);
  return samples.length;
}

function lowestBit(mask: number): number {
  return mask === 0 ? 0 : (mask & -mask) >>> 0;
}

function highestBit(mask: number): number {
  return mask === 0 ? 0 : (0x80000000 >>> Math.clz32(mask)) >>> 0;
}

function safe(v: unknown): string {
  try {
    const s = typeof v === 'bigint' ? `${v}n` : JSON.stringify(v);
    return (s ?? String(v)).slice(0, 60);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
