import { checkSerde, SerdeError, THIRD_PARTY_MASK } from '@mc/serde';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the template plugin is plain JavaScript with JSDoc types
import { DATED_JSON_FLAG, datedJsonSerde } from '../src/index.js';

describe('a third-party plugin, checked with checkSerde', () => {
  it('passes the conformance check', () => {
    const samples = [
      { at: new Date(0), list: [new Date(1_700_000_000_000), 'x'] },
      new Date(5),
      // Strings that look like the plugin's own tags must come back as the same strings.
      '\u0000date:2020-01-01T00:00:00.000Z',
      ['\u0000', '\u0000\u0000x', { k: '\u0000date:' }],
      'text',
      42,
      [1, 2],
      null,
    ];
    expect(checkSerde(datedJsonSerde(), samples)).toBe(samples.length);
  });

  it('uses a bit from the third-party range', () => {
    expect(datedJsonSerde().serialize('k', 1).flags).toBe(DATED_JSON_FLAG);
    expect(DATED_JSON_FLAG & THIRD_PARTY_MASK).toBe(DATED_JSON_FLAG);
  });

  it('refuses what JSON cannot hold with a SerdeError', () => {
    const serde = datedJsonSerde();
    expect(() => serde.serialize('k', undefined)).toThrow(SerdeError);
    expect(() => serde.serialize('k', () => 1)).toThrow(SerdeError);
    expect(() => serde.serialize('k', 1n)).toThrow(SerdeError);
    expect(() => serde.serialize('k', new Date(Number.NaN))).toThrow(SerdeError);
  });
});
