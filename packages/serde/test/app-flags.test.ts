import { describe, expect, it } from 'vitest';
import { defaultSerde, FLAGS, SerdeError, withAppFlags } from '../src/index.js';

describe('withAppFlags', () => {
  const serde = withAppFlags(defaultSerde, { mask: 0x0100_0000 });

  it('returns the bytes of items with the application bits, and decodes the rest as the serde does', () => {
    expect(serde.deserialize('k', Buffer.from('x'), 0x0100_0000)).toEqual(Buffer.from('x'));
    expect(serde.deserialize('k', Buffer.from('hé'), FLAGS.TEXT)).toBe('hé');
    expect(serde.flagMask).toBe((defaultSerde.flagMask | 0x0100_0000) >>> 0);
    expect(serde.serialize('k', 'x')).toEqual(defaultSerde.serialize('k', 'x'));
  });

  it('still refuses bits nobody declared', () => {
    expect(() => serde.deserialize('k', Buffer.from('x'), 0x0200_0000)).toThrow(SerdeError);
    expect(() => serde.deserialize('k', Buffer.from('x'), FLAGS.PICKLE)).toThrow(SerdeError);
  });

  it('refuses a mask that overlaps the serde or is not a 32-bit integer', () => {
    expect(() => withAppFlags(defaultSerde, { mask: FLAGS.TEXT })).toThrow(/overlaps/);
    expect(() => withAppFlags(defaultSerde, { mask: 0 })).toThrow(SerdeError);
    expect(() => withAppFlags(defaultSerde, { mask: 2 ** 32 })).toThrow(SerdeError);
  });
});
