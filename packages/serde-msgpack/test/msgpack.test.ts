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
  });

  it('exposes msgpackr options: shared record structures make values smaller', () => {
    const structures: object[] = [];
    const shared = msgpackSerde({ structures });
    const plain = msgpackSerde({ useRecords: false });
    const v = { id: 1, name: 'a', email: 'e' };
    const a = shared.serialize('k', v);
    shared.serialize('k', v);
    const b = shared.serialize('k', v);
    expect(b.bytes.length).toBeLessThan(a.bytes.length + 1);
    expect(shared.deserialize('k', b.bytes, b.flags)).toEqual(v);
    expect(plain.deserialize('k', plain.serialize('k', v).bytes, FLAGS.MSGPACK)).toEqual(v);
    expect(structures.length).toBeGreaterThan(0);
  });

  it('works, with the same bytes, with and without msgpackr native acceleration', () => {
    const script = `
      const { msgpackSerde } = await import('@mc/serde-msgpack');
      const s = msgpackSerde();
      const v = { m: new Map([['a', [1, 2n ** 70n, 'x'.repeat(100)]]]), d: new Date(5) };
      const b = s.serialize('k', v);
      const back = s.deserialize('k', b.bytes, b.flags);
      console.log(Buffer.from(b.bytes).toString('hex') + ' ' + (back.m.get('a')[1] === 2n ** 70n) + ' ' + back.d.getTime());
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
    expect(native.stdout.trim()).toMatch(/ true 5$/);
    expect(pure.stdout).toBe(native.stdout);
  });
});
