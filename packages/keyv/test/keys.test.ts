import { encodeKey } from '@mc/client';
import { describe, expect, it } from 'vitest';
import {
  dataKey,
  escapeKeyPart,
  generationKey,
  HASHED_KEY_LENGTH,
  MEMCACHED_MAX_KEY_LENGTH,
  unescapeKeyPart,
} from '../src/index.js';

const awkward = [
  'plain',
  'with space',
  'tab\tand\nnewline\r\n',
  '\u0000nul\u0001\u001f\u007f',
  '100%',
  '%41 is not A',
  'caf\u00e9 \u65e5\u672c \u{1f600}',
  '\u00a0nbsp\u2028ls\u3000',
  'a:b:c',
  '',
];

describe('escapeKeyPart', () => {
  it.each(awkward)('round-trips %j and gives a key memcached accepts', (key) => {
    const escaped = escapeKeyPart(key)!;
    expect(unescapeKeyPart(escaped)).toBe(key);
    if (escaped.length > 0) expect(() => encodeKey(escaped)).not.toThrow();
  });

  it('leaves printable ASCII other than % as it is', () => {
    expect(escapeKeyPart('user:1/profile?x=1&y=[2]')).toBe('user:1/profile?x=1&y=[2]');
    expect(escapeKeyPart('a b%')).toBe('a%20b%25');
  });

  it('escapes colons only when asked (namespaces)', () => {
    expect(escapeKeyPart('a:b', true)).toBe('a%3Ab');
    expect(escapeKeyPart('a:b')).toBe('a:b');
  });

  it('refuses lone surrogates, which UTF-8 cannot carry', () => {
    expect(escapeKeyPart('x\ud800')).toBeUndefined();
  });

  it('is injective over awkward keys', () => {
    const seen = new Set(awkward.map((k) => escapeKeyPart(k)));
    expect(seen.size).toBe(awkward.length);
  });
});

describe('dataKey', () => {
  it('is <namespace>:<generation>:<key>', () => {
    expect(dataKey('keyv', 'g1', 'user:1', 250)).toBe('keyv:g1:user:1');
    expect(dataKey('', 'g1', 'k', 250)).toBe(':g1:k');
    expect(dataKey('my ns:x', 'g1', 'a b', 250)).toBe('my%20ns%3Ax:g1:a%20b');
  });

  it('hashes keys past the limit into 45 bytes, and keeps different long keys apart', () => {
    const long = 'x'.repeat(300);
    const a = dataKey('keyv', 'g1', long, 250);
    const b = dataKey('keyv', 'g1', `${long}y`, 250);
    expect(a).toMatch(/^%h[A-Za-z0-9_-]{43}$/);
    expect(a).toHaveLength(HASHED_KEY_LENGTH);
    expect(a).not.toBe(b);
    expect(() => encodeKey(a)).not.toThrow();
    // The generation is part of what is hashed: clear() reaches hashed keys too.
    expect(dataKey('keyv', 'g2', long, 250)).not.toBe(a);
  });

  it('uses the limit it is given, exactly', () => {
    const key = 'k'.repeat(250 - 'keyv:g1:'.length);
    expect(dataKey('keyv', 'g1', key, MEMCACHED_MAX_KEY_LENGTH)).toHaveLength(250);
    expect(dataKey('keyv', 'g1', key, 249)).toHaveLength(HASHED_KEY_LENGTH);
  });

  it('hashes a key whose escape would pass the limit (every byte of it tripled)', () => {
    const key = '\u00e9'.repeat(60); // 120 bytes of UTF-8, 360 once escaped
    expect(dataKey('keyv', 'g1', key, 250)).toHaveLength(HASHED_KEY_LENGTH);
  });

  it('hashes keys with lone surrogates, and two such keys stay apart', () => {
    const a = dataKey('keyv', 'g1', 'x\ud800', 250);
    const b = dataKey('keyv', 'g1', 'x\udbff', 250);
    expect(a).toHaveLength(HASHED_KEY_LENGTH);
    expect(a).not.toBe(b);
  });

  it('never equals a generation key', () => {
    // Generation keys have one ':', data keys at least two: namespace 'a:%gen' cannot collide either.
    expect(generationKey('keyv', 250)).toBe('keyv:%gen');
    expect(dataKey('keyv', '%gen', '', 250)).not.toBe(generationKey('keyv', 250));
    expect(dataKey('a', 'g', 'x', 250)).not.toBe(generationKey('a:g', 250));
    expect(generationKey('a:g', 250)).toBe('a%3Ag:%gen');
  });
});
