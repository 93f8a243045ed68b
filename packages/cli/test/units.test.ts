import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/exit-codes.js';
import { globToRegExp } from '../src/glob.js';
import { LatencyHistogram } from '../src/histogram.js';
import { toJson } from '../src/json.js';
import { decodeDumpKey, parseDumpLine } from '../src/metadump.js';

describe('globToRegExp', () => {
  const m = (glob: string, key: string) => globToRegExp(glob).test(key);
  it('*, ?, classes, negated classes and escapes; anchored at both ends', () => {
    expect(m('user:*', 'user:1')).toBe(true);
    expect(m('user:*', 'xuser:1')).toBe(false);
    expect(m('user:?', 'user:12')).toBe(false);
    expect(m('user:[0-4]', 'user:3')).toBe(true);
    expect(m('user:[!0-4]', 'user:3')).toBe(false);
    expect(m('a.b', 'axb')).toBe(false);
    expect(m('a\\*', 'a*')).toBe(true);
    expect(m('a\\*', 'ab')).toBe(false);
    expect(m('(x)+', '(x)+')).toBe(true);
    expect(m('[', '[')).toBe(true);
  });
});

describe('LatencyHistogram', () => {
  it('percentiles stay within 1/32 of the exact ones, counts add up', () => {
    const h = new LatencyHistogram();
    const samples: number[] = [];
    // A deterministic spread from 5 µs to about 80 ms.
    for (let i = 0; i < 20_000; i++) {
      const ms = 0.005 * 1.0005 ** i;
      samples.push(ms);
      h.record(ms);
    }
    samples.sort((a, b) => a - b);
    for (const p of [0.5, 0.9, 0.99, 0.999]) {
      const exact = samples[Math.ceil(p * samples.length) - 1]!;
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got / exact).toBeLessThanOrEqual(1 + 1 / 32 + 1e-9);
    }
    expect(h.octaves().reduce((a, r) => a + r.count, 0)).toBe(20_000);
    expect(h.max).toBe(samples.at(-1));
  });

  it('an empty histogram has no rows and zero percentiles', () => {
    const h = new LatencyHistogram();
    expect(h.octaves()).toEqual([]);
    expect(h.percentile(0.99)).toBe(0);
  });
});

describe('toJson', () => {
  it('writes bigints as exact JSON numbers and drops undefined fields', () => {
    expect(toJson({ a: 2n ** 64n - 1n, b: undefined, c: [1, 'x', null, true], d: Number.NaN })).toBe(
      '{"a":18446744073709551615,"c":[1,"x",null,true],"d":null}',
    );
  });
});

describe('metadump lines', () => {
  it('decodes URI-encoded keys as UTF-8 and types the fields (cas past 2^53 as bigint)', () => {
    expect(decodeDumpKey('caf%C3%A9%20x%25')).toBe('café x%');
    expect(
      parseDumpLine('key=a%2Fb exp=-1 la=1700000000 cas=18446744073709551615 fetch=yes cls=3 size=70 new=1'),
    ).toEqual({
      key: 'a/b',
      exp: -1,
      la: 1700000000,
      cas: 18446744073709551615n,
      fetch: true,
      cls: 3,
      size: 70,
      extra: { new: '1' },
    });
  });
});

describe('exitCodeFor', () => {
  it('maps error codes to the documented exit codes', () => {
    expect(exitCodeFor({ code: 'MC_ERR_INVALID_KEY' })).toBe(2);
    expect(exitCodeFor({ code: 'MC_ERR_CONNECT_TIMEOUT' })).toBe(3);
    expect(exitCodeFor({ code: 'MC_ERR_DISCOVERY' })).toBe(3);
    expect(exitCodeFor({ code: 'MC_ERR_AUTH' })).toBe(4);
    expect(exitCodeFor({ code: 'MC_ERR_SERVER' })).toBe(5);
    expect(exitCodeFor(new Error('unexpected'))).toBe(5);
  });
});
