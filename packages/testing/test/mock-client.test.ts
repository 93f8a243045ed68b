import { describe, expect, it } from 'vitest';
import { MockClient } from '../src/index.js';

describe('MockClient specifics', () => {
  it('uses the clock tests control', async () => {
    let now = 1_700_000_000_000;
    const m = new MockClient({ now: () => now });
    await m.set('k', 'v', { expire: 10 });
    now += 9_000;
    expect(await m.get('k')).toBe('v');
    m.advance(2);
    expect(await m.get('k')).toBeUndefined();
  });

  it('pads a shortened decr with spaces as memcached does, and the serde still reads it', async () => {
    const m = new MockClient();
    await m.set('n', 10);
    expect(await m.decr('n', 1)).toBe(9n);
    expect(await m.get('n')).toBe(9);
  });

  it('flushAll with a delay empties the cache once the delay has passed', async () => {
    const m = new MockClient();
    await m.set('k', 1);
    await m.flushAll(5);
    expect(await m.get('k')).toBe(1);
    m.advance(6);
    expect(await m.get('k')).toBeUndefined();
  });

  it('respects itemSizeMax and closes', async () => {
    const m = new MockClient({ itemSizeMax: 10 });
    await expect(m.set('k', 'x'.repeat(11))).rejects.toMatchObject({ code: 'MC_ERR_SERVER' });
    await m.close();
    await expect(m.get('k')).rejects.toMatchObject({ code: 'MC_ERR_CLIENT_CLOSED' });
  });
});
