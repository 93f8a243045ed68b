import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkSerde, FLAGS, SerdeError } from '@mc/serde';
import { describe, expect, it } from 'vitest';
import { msgpackSerde } from '../src/index.js';

const samples = [
  { nested: { deep: [1, 'two', null, { three: 3 }] } },
  new Date(1_700_000_000_123),
  new Map<unknown, unknown>([
    ['a', 1],
    [2, { x: [1] }],
  ]),
  new Set([1, 'a', 3.5]),
  2n ** 70n,
  -(2n ** 63n),
  12n,
  new Uint16Array([1, 65535]),
  new Float64Array([1.5, -2]),
  Buffer.from([0, 255]),
  'text',
  42,
  2 ** 40, // a number past 32 bits stays a number (only 64-bit integers come back as bigint)
  -(2 ** 53 - 1),
  1.25,
  true,
  null,
];

describe('msgpackSerde', () => {
  it('round-trips Dates, Maps, Sets, bigints, typed arrays and nested objects (checkSerde)', () => {
    expect(checkSerde(msgpackSerde(), samples)).toBe(samples.length);
  });

  it('marks values with FLAGS.MSGPACK and rejects other flags', () => {
    const s = msgpackSerde();
    const out = s.serialize('k', { a: 1 });
    expect(out.flags).toBe(FLAGS.MSGPACK);
    expect(() => s.deserialize('k', out.bytes, FLAGS.TEXT)).toThrow(SerdeError);
    expect(() => s.deserialize('k', Buffer.from([0x92, 0x01]), FLAGS.MSGPACK)).toThrow(SerdeError);
    expect(() => msgpackSerde({ flag: 3 })).toThrow(/one bit/);
    const own = msgpackSerde({ flag: 1 << 20 });
    expect(own.serialize('k', 1).flags).toBe(1 << 20);
  });

  it('embeds record definitions by default, so a reader in another process needs nothing shared', () => {
    const v = { id: 1, name: 'a', email: 'e' };
    const writer = msgpackSerde();
    writer.serialize('k', v);
    const second = writer.serialize('k', v); // a second value of the same shape still carries its record
    expect(msgpackSerde().deserialize('k', second.bytes, second.flags)).toEqual(v);
  });

  it('exposes msgpackr options: shared structures make values smaller, and a reader without them fails loudly', () => {
    const v = { id: 1, name: 'a', email: 'e' };
    const structures: object[] = [];
    const shared = msgpackSerde({ structures });
    const out = shared.serialize('k', v);
    expect(structures.length).toBe(1);
    expect(out.bytes.length).toBeLessThan(msgpackSerde().serialize('k', v).bytes.length / 2);
    expect(msgpackSerde({ structures }).deserialize('k', out.bytes, out.flags)).toEqual(v);
    expect(() => msgpackSerde().deserialize('k', out.bytes, out.flags)).toThrow(SerdeError);
    const plain = msgpackSerde({ useRecords: false });
    const p = plain.serialize('k', v);
    // A plain MessagePack map (msgpackr writes map16), readable by any MessagePack library.
    expect(Buffer.from(p.bytes)[0]).toBe(0xde);
    expect(plain.deserialize('k', p.bytes, p.flags)).toEqual(v);
  });

  it('works, with the same bytes, with and without msgpackr native acceleration', () => {
    const script = `
      const { isNativeAccelerationEnabled } = await import('msgpackr');
      const { msgpackSerde } = await import('@mc/serde-msgpack');
      const s = msgpackSerde();
      const v = { m: new Map([['a', [1, 2n ** 70n, 'x'.repeat(100)]]]), d: new Date(5) };
      const b = s.serialize('k', v);
      const back = s.deserialize('k', b.bytes, b.flags);
      console.log(isNativeAccelerationEnabled + ' ' + Buffer.from(b.bytes).toString('hex') + ' ' + (back.m.get('a')[1] === 2n ** 70n) + ' ' + back.d.getTime() + ' ' + back.m.get('a')[2].length);
    `;
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
    const native = run({});
    const pure = run({ MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' });
    expect(native.stderr).toBe('');
    expect(pure.stderr).toBe('');
    // The child imports the built package (dist/): run `pnpm build` first, as CI does.
    const [nativeOn, nativeRest] = split(native.stdout);
    const [pureOn, pureRest] = split(pure.stdout);
    expect(nativeOn).toBe('true'); // msgpackr-extract is installed (an optional dependency) and used
    expect(pureOn).toBe('false');
    expect(nativeRest).toMatch(/ true 5 100$/);
    expect(pureRest).toBe(nativeRest);
  });
});

function split(stdout: string): [string, string] {
  const line = stdout.trim();
  const space = line.indexOf(' ');
  return [line.slice(0, space), line.slice(space)];
}
