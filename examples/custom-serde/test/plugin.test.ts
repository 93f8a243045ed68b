import { checkSerde } from '@mc/serde';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the template plugin is plain JavaScript with JSDoc types
import { DATED_JSON_FLAG, datedJsonSerde } from '../src/index.js';

describe('a third-party plugin, checked with checkSerde', () => {
  it('passes the conformance check', () => {
    const samples = [{ at: new Date(0), list: [new Date(1_700_000_000_000), 'x'] }, 'text', 42, [1, 2], null];
    expect(checkSerde(datedJsonSerde(), samples)).toBe(samples.length);
  });

  it('uses a bit from the third-party range', () => {
    expect(datedJsonSerde().serialize('k', 1).flags).toBe(DATED_JSON_FLAG);
    expect(DATED_JSON_FLAG).toBeGreaterThanOrEqual(1 << 16);
  });
});
