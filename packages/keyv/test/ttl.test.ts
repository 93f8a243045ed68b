import { describe, expect, it } from 'vitest';
import { MAX_RELATIVE_EXPTIME, toExptime } from '../src/index.js';

const now = Date.UTC(2026, 0, 1);

describe('toExptime', () => {
  it('means no expiry for undefined, 0 and Infinity', () => {
    expect(toExptime(undefined, now)).toBe(0);
    expect(toExptime(0, now)).toBe(0);
    expect(toExptime(Number.POSITIVE_INFINITY, now)).toBe(0);
  });

  it('rounds ms up to whole seconds and adds one for memcached clock ticks', () => {
    expect(toExptime(1, now)).toBe(2);
    expect(toExptime(999, now)).toBe(2);
    expect(toExptime(1000, now)).toBe(2);
    expect(toExptime(1001, now)).toBe(3);
    expect(toExptime(60_000, now)).toBe(61);
  });

  it('stays relative up to 30 days and becomes a Unix time beyond', () => {
    const lastRelative = (MAX_RELATIVE_EXPTIME - 1) * 1000;
    expect(toExptime(lastRelative, now)).toBe(MAX_RELATIVE_EXPTIME);
    const absolute = toExptime(lastRelative + 1, now);
    expect(absolute).toBe(Math.ceil((now + lastRelative + 1) / 1000) + 1);
    expect(absolute as number).toBeGreaterThan(MAX_RELATIVE_EXPTIME);
  });

  it('clamps Unix times past 2038 to int32', () => {
    expect(toExptime(100 * 365 * 24 * 3600 * 1000, now)).toBe(2 ** 31 - 1);
  });

  it('says expired for a negative ttl', () => {
    expect(toExptime(-1, now)).toBe('expired');
  });

  it('refuses NaN and non-numbers with InvalidArgumentError', () => {
    expect(() => toExptime(Number.NaN, now)).toThrow(
      expect.objectContaining({ code: 'MC_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => toExptime('5' as unknown as number, now)).toThrow(
      expect.objectContaining({ code: 'MC_ERR_INVALID_ARGUMENT' }),
    );
  });
});
